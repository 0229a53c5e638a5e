/**
 * The rehearsal's quantile sketches give their buckets as running counts (the
 * guard bisects them for the few ranks it reads) instead of listing every bucket
 * at every look. The same counts listed are the reference path's sketches: both
 * forms must hold the same histogram and every reader must find the same numbers
 * in them, so that the guard's results are identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuard } from '@threshold/core';
import type { Kpi, KpiAggregate, QuantileSketch, RunningCounts } from '@threshold/core';
// The samplers and the rank reader are internal: tested from source.
import { buildSamplers } from '../../src/rehearsal/build-samplers.js';
import { SeededRandom } from '../../src/rehearsal/random.js';
import { syntheticHistory } from '../../src/rehearsal/traffic-profile.js';
import { prefixSums } from '../../src/rehearsal/window-sums.js';
import {
  locateRanks,
  locateThreeRanks,
  runningIndexAbove,
} from '../../src/statistics/quantile-sketch.js';
import { checkSketch } from '../../src/statistics/quantile-guard.js';
import { planOf } from './fixtures.js';

const PLAN = planOf(`
launch: sketches
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, min_units: 100 }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: p95, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% } }
    - { name: p50, kind: quantile, q: 0.5, event: m, guard: { max: 900, min: 20 } }
`);
const KPIS = Object.values(PLAN.kpis).flat() as Kpi[];

function samplersFor(logSd: number, listed: boolean) {
  const history = syntheticHistory(PLAN, {
    unitsPerMinute: 800,
    durationMs: 3_600_000,
    diurnal: true,
    baselines: { p95: { value: 300, sd: logSd }, p50: { value: 120, sd: logSd } },
  });
  return buildSamplers(PLAN, history, prefixSums(history.units), [], listed);
}

const sketchOf = (a: KpiAggregate) => (a as { sketch: QuantileSketch }).sketch;

/** The running counts listed as [index, count] pairs, as a store lists its buckets. */
function listed(running: RunningCounts): [number, number][] {
  const out: [number, number][] = [];
  let before = running.upTo(running.lowest - 1);
  for (let i = running.lowest; i <= running.highest; i++) {
    const upTo = running.upTo(i);
    if (upTo > before) out.push([i, upTo - before]);
    before = upTo;
  }
  return out;
}

describe('running-count sketches', () => {
  it('hold the listed sketch’s histogram, and the guard reads the same numbers from both', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(0.05, 0.3, 0.8, 1.5),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(0, 3, 50, 2000, 60_000),
        fc.constantFrom(0, 0.2, -0.3),
        (logSd, seed, looks, perLook, effect) => {
          const running = samplersFor(logSd, false);
          const reference = samplersFor(logSd, true);
          const rng = new SeededRandom(seed);
          for (let k = 0; k < KPIS.length; k++) {
            const a = running[k];
            const b = reference[k];
            if (a === undefined || b === undefined) throw new Error('samplers');
            const inc = new Float64Array(a.width);
            const accT = new Float64Array(a.width);
            const accC = new Float64Array(a.width);
            for (let look = 0; look < looks; look++) {
              const x0 = (look * 5) % 55;
              a.load(x0, x0 + 5, 4000);
              b.load(x0, x0 + 5, 4000);
              a.draw(perLook, effect === 0 ? null : { size: effect, relative: true }, rng, inc);
              for (let j = 0; j < a.width; j++) accT[j] = (accT[j] as number) + (inc[j] as number);
              a.draw(perLook * 9, null, rng, inc);
              for (let j = 0; j < a.width; j++) accC[j] = (accC[j] as number) + (inc[j] as number);
            }
            const [tA, cA, tB, cB] = [
              a.createAggregate(),
              a.createAggregate(),
              b.createAggregate(),
              b.createAggregate(),
            ] as KpiAggregate[];
            a.write(accT, tA as KpiAggregate);
            a.write(accC, cA as KpiAggregate);
            b.write(accT, tB as KpiAggregate);
            b.write(accC, cB as KpiAggregate);
            for (const [r, l] of [
              [sketchOf(tA as KpiAggregate), sketchOf(tB as KpiAggregate)],
              [sketchOf(cA as KpiAggregate), sketchOf(cB as KpiAggregate)],
            ] as const) {
              expect(r.running).toBeDefined();
              expect(l.running).toBeUndefined();
              expect(checkSketch(r, 'arm')).toBeUndefined();
              expect(checkSketch(l, 'arm')).toBeUndefined();
              expect(listed(r.running as RunningCounts)).toEqual(l.positive);
              const { running: _r, positive: _p, ...scalars } = r;
              const { positive: _q, ...same } = l;
              expect(scalars).toEqual(same);
              // Every rank, or a spread of them: the bisection finds the walk's bucket and numbers.
              const ranks: number[] = [];
              const stride = Math.max(1, Math.floor(l.count / 300));
              for (let rank = 1; rank <= l.count; rank += stride) ranks.push(rank);
              if (l.count > 0) ranks.push(l.count);
              for (const set of [ranks, ranks.slice(-3), ranks.slice(0, 3)])
                expect(locateRanks(r, set)).toEqual(locateRanks(l, set));
              // The guard's three ranks, read without allocating: the same numbers from both forms.
              if (l.count > 0) {
                const k = [1, Math.ceil(l.count / 2), l.count];
                const mid = ranks.slice(
                  Math.floor(ranks.length / 2),
                  Math.floor(ranks.length / 2) + 3,
                );
                for (const [k1, k2, k3] of [k, ranks.slice(-3), mid]) {
                  if (k1 === undefined || k2 === undefined || k3 === undefined) continue;
                  const fromListed = locateRanks(l, [k1, k2, k3]).flatMap((x) => [
                    x.lower,
                    x.upper,
                    x.value,
                    x.interpolated,
                  ]);
                  const outR = new Float64Array(12);
                  const outL = new Float64Array(12);
                  expect(locateThreeRanks(r, k1, k2, k3, outR)).toBe(true);
                  expect(locateThreeRanks(l, k1, k2, k3, outL)).toBe(true);
                  expect([...outR]).toEqual(fromListed);
                  expect([...outL]).toEqual(fromListed);
                  // Again, the searches now starting from the last answers: the same numbers.
                  expect(locateThreeRanks(r, k1, k2, k3, outR)).toBe(true);
                  expect([...outR]).toEqual(fromListed);
                }
              }
            }
            const options = {
              alpha: 0.01,
              launchAlpha: 0.05,
              method: 'confidence-sequence' as const,
            };
            const kpi = KPIS[k] as Kpi;
            const fromRunning = evaluateGuard(
              kpi,
              { treatment: tA as KpiAggregate, control: cA },
              options,
            );
            const fromListed = evaluateGuard(
              kpi,
              { treatment: tB as KpiAggregate, control: cB },
              options,
            );
            expect(fromRunning).toEqual(fromListed);
            seen.add(`${kpi.name}:${fromListed.verdict}`);
          }
        },
      ),
      { numRuns: 150, seed: 20260315 },
    );
    // Not vacuous: the draws reach verdicts beyond "too few units".
    expect([...seen].some((v) => !v.endsWith('insufficient-evidence'))).toBe(true);
  });

  it('are searched from any guess to the same bucket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.oneof(fc.integer({ min: -200, max: 200 }), fc.constant(Number.NaN)),
        fc.oneof(fc.integer({ min: -200, max: 200 }), fc.constant(Number.NaN)),
        (lowest, counts, guess, start) => {
          const upTo = (i: number) =>
            counts
              .slice(0, Math.max(0, Math.min(counts.length, i - lowest + 1)))
              .reduce((a, b) => a + b, 0);
          const total = upTo(lowest + counts.length - 1);
          const running: RunningCounts = {
            lowest,
            highest: lowest + counts.length - 1,
            upTo: (i) => (i >= lowest + counts.length - 1 ? total : upTo(i)),
            near: () => guess,
          };
          const { near: _near, ...unguided } = running;
          for (let count = 0; count < total; count++) {
            let expected = lowest;
            while (upTo(expected) <= count) expected++;
            expect(runningIndexAbove(running, count)).toBe(expected);
            expect(runningIndexAbove(unguided, count)).toBe(expected);
            // A start given by the caller (the last look's answer) instead of the guess.
            expect(runningIndexAbove(running, count, start)).toBe(expected);
            expect(runningIndexAbove(unguided, count, start)).toBe(expected);
          }
        },
      ),
      { numRuns: 300, seed: 20260316 },
    );
  });

  it('are refused when their counts do not add up to the sketch’s count', () => {
    const [sampler] = samplersFor(0.4, false);
    if (sampler === undefined) throw new Error('sampler');
    const agg = sampler.createAggregate();
    const acc = new Float64Array(sampler.width);
    sampler.load(0, 5, 4000);
    sampler.draw(500, null, new SeededRandom(1), acc);
    sampler.write(acc, agg);
    const sketch = sketchOf(agg);
    expect(checkSketch(sketch, 'treatment')).toBeUndefined();
    expect(checkSketch({ ...sketch, count: sketch.count + 1 }, 'treatment')).toMatch(
      /treatment\.sketch\.count \(\d+\) differs from the total of its running counts/,
    );
    expect(checkSketch({ ...sketch, positive: [[1, 1]] }, 'treatment')).toMatch(
      /running counts, so it must list no buckets/,
    );
  });
});
