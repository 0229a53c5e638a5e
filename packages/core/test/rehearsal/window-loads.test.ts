/**
 * The samplers keep what they read of each window in one shared table (a row
 * per window, in look order): a kept window must give every sampler exactly the
 * numbers it computes from the prefix sums, whatever order windows, steps and
 * samplers come in.
 */
import { describe, expect, it } from 'vitest';
// The samplers are internal: tested from source, with the generator they take.
import { buildSamplers } from '../../src/rehearsal/build-samplers.js';
import type { KpiSampler } from '../../src/rehearsal/kpi-sampler.js';
import { SeededRandom } from '../../src/rehearsal/random.js';
import { syntheticHistory } from '../../src/rehearsal/traffic-profile.js';
import { WindowLoads, prefixSums, totalAt } from '../../src/rehearsal/window-sums.js';
import { ALL_KINDS_BASELINES, ALL_KINDS_PLAN } from './fixtures.js';

const history = syntheticHistory(ALL_KINDS_PLAN, {
  unitsPerMinute: 1000,
  durationMs: 2 * 3_600_000,
  baselines: ALL_KINDS_BASELINES,
});
const unitsPrefix = prefixSums(history.units);
const n = history.length;

/** Units arriving in (x0, x1], as the simulator counts them. */
function arriving(x0: number, x1: number): number {
  return Math.round(totalAt(unitsPrefix, n, x1)) - Math.round(totalAt(unitsPrefix, n, x0));
}

/** Every number a sampler's draws give for a window, after loading it. */
function drawsAfterLoad(s: KpiSampler, x0: number, x1: number, seed: number): number[] {
  s.load(x0, x1, arriving(x0, x1));
  const rng = new SeededRandom(seed);
  const out = new Float64Array(s.width);
  const all: number[] = [];
  for (const arm of [0, 37, 400]) {
    s.draw(arm, null, rng, out);
    all.push(...out);
    s.draw(arm, { size: 0.2, relative: true }, rng, out);
    all.push(...out);
    s.draw(arm, { size: 0.01, relative: false }, rng, out);
    all.push(...out);
  }
  return all;
}

describe('window loads', () => {
  it('a shared, look-ordered table gives every sampler the numbers it reads without one', () => {
    const shared = buildSamplers(ALL_KINDS_PLAN, history, unitsPrefix, []);
    const pick = new SeededRandom(5);
    const windows: [number, number][] = [];
    // Mostly the same step (whole starts, wrapping past the end), then other steps
    // and fractional windows, which must neither be confused with nor break kept rows.
    for (let i = 0; i < 400; i++) {
      const x0 = pick.integer(2 * n + 5);
      windows.push([x0, x0 + 5]);
    }
    for (let i = 0; i < 100; i++) {
      const x0 = pick.integer(2 * n);
      windows.push([x0, x0 + 1 + pick.integer(7)], [x0 + 0.5, x0 + 3]);
    }
    // Every window twice (a second read comes from the table), in a shuffled order.
    const order = [...windows, ...windows];
    for (let i = order.length - 1; i > 0; i--) {
      const j = pick.integer(i + 1);
      [order[i], order[j]] = [order[j] as [number, number], order[i] as [number, number]];
    }
    for (const [i, [x0, x1]] of order.entries()) {
      // Each sampler alone, with its own table that has never seen a window, is the reference.
      const fresh = buildSamplers(ALL_KINDS_PLAN, history, unitsPrefix, []);
      // Not every sampler reads every window (as per-interval KPIs skip some): others then fill the row.
      for (const [k, s] of shared.entries()) {
        if ((i + k) % 3 === 0) continue;
        const reference = fresh[k] as KpiSampler;
        expect(drawsAfterLoad(s, x0, x1, i)).toEqual(drawsAfterLoad(reference, x0, x1, i));
      }
    }
  });

  it('rows: one per start for any step, and a rekeyed row forgets every field', () => {
    const loads = new WindowLoads(10);
    const a = loads.reserve(2);
    const b = loads.reserve(1);
    expect(loads.find(3, 6, 100, a)).toBe(-1);
    // The first window fixes the step (3); every start up to 2n + 1 still gets its own row.
    const rows = new Set<number>();
    for (let x0 = 0; x0 < 22; x0++) {
      const at = loads.keep(x0, x0 + 3, x0, a);
      rows.add(at);
      loads.numbers()[at] = x0;
    }
    expect(rows.size).toBe(22);
    for (let x0 = 0; x0 < 22; x0++) {
      const at = loads.find(x0, x0 + 3, x0, a);
      expect(loads.numbers()[at]).toBe(x0);
      // b never kept its numbers for this window.
      expect(loads.find(x0, x0 + 3, x0, b)).toBe(-1);
    }
    expect(loads.find(22, 25, 22, a)).toBe(-1);
    expect(loads.keep(22, 25, 22, a)).toBe(-1);
    expect(loads.keep(2.5, 5, 1, a)).toBe(-1);
    // Another window at the same start (other end or units) takes the row from everyone.
    loads.numbers()[loads.keep(4, 7, 4, b)] = 1;
    expect(loads.find(4, 7, 4, b)).toBeGreaterThanOrEqual(0);
    loads.keep(4, 9, 4, a);
    expect(loads.find(4, 7, 4, a)).toBe(-1);
    expect(loads.find(4, 9, 4, b)).toBe(-1);
    expect(loads.find(4, 7, 5, a)).toBe(-1);
  });
});
