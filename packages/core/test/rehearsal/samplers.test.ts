/**
 * Each KPI kind's sampler draws an arm's sufficient statistics with the mean and
 * spread the history describes: checked against closed forms over many draws.
 */
import { describe, expect, it } from 'vitest';
import { normalQuantile, sketchQuantile } from '@threshold/core';
import type { KpiAggregate, QuantileSketch, RunningCounts } from '@threshold/core';
// The samplers are internal: tested from source, with the generator they take.
import { buildSamplers } from '../../src/rehearsal/build-samplers.js';
import { SeededRandom } from '../../src/rehearsal/random.js';
import { syntheticHistory } from '../../src/rehearsal/traffic-profile.js';
import { prefixSums } from '../../src/rehearsal/window-sums.js';
import { ALL_KINDS_BASELINES, ALL_KINDS_PLAN } from './fixtures.js';

const history = syntheticHistory(ALL_KINDS_PLAN, {
  unitsPerMinute: 1000,
  durationMs: 86_400_000,
  baselines: ALL_KINDS_BASELINES,
});
const unitsPrefix = prefixSums(history.units);
const samplers = buildSamplers(ALL_KINDS_PLAN, history, unitsPrefix, []);
const samplerOf = (name: string) => {
  const s = samplers.find((x) => x.kpi.name === name);
  if (s === undefined) throw new Error(name);
  return s;
};

/** Mean and variance of one field over `draws` draws of an arm of n units from minutes 10–15. */
function moments(name: string, n: number, field: number, draws = 20_000) {
  const s = samplerOf(name);
  const out = new Float64Array(s.width);
  const rng = new SeededRandom(9, field);
  s.load(10, 15, 5000);
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < draws; i++) {
    s.draw(n, null, rng, out);
    const x = out[field] as number;
    sum += x;
    sum2 += x * x;
  }
  const mean = sum / draws;
  return { mean, variance: sum2 / draws - mean * mean, out };
}

describe('samplers', () => {
  it('occurrence: a binomial count of units with the event', () => {
    const m = moments('conversion', 400, 1);
    expect(m.mean).toBeCloseTo(40, 0);
    expect(m.variance / (400 * 0.1 * 0.9)).toBeCloseTo(1, 1);
    expect(m.out[0]).toBe(400);
    expect(m.out[2]).toBe(m.out[1]);
  });

  it('count: Σx ~ N(nμ, nσ²) and Σx² that gives back σ²', () => {
    const m = moments('errors', 400, 1);
    expect(m.mean / 800).toBeCloseTo(1, 2);
    expect(m.variance / (400 * 9)).toBeCloseTo(1, 1);
    const [n, s, q] = [...m.out] as [number, number, number];
    expect((q - (s * s) / n) / (n - 1)).toBeCloseTo(9, 6);
  });

  it('mean: units with a value, and their values', () => {
    const m = moments('order_value', 400, 1);
    expect(m.mean / (400 * 40)).toBeCloseTo(1, 2);
    expect(m.variance / (400 * 400)).toBeCloseTo(1, 1);
  });

  it('ratio: the sums keep the ratio and the delta-method spread', () => {
    const s = samplerOf('clicks');
    const rng = new SeededRandom(4);
    const out = new Float64Array(s.width);
    s.load(10, 15, 5000);
    const ratios: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      s.draw(400, null, rng, out);
      ratios.push((out[1] as number) / (out[2] as number));
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    const variance = ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / ratios.length;
    const b = s.baseline();
    expect(mean).toBeCloseTo(0.3, 2);
    expect(b.value).toBeCloseTo(0.3, 10);
    // The delta method's Var(R̂) = per-unit variance / n.
    expect(variance / ((b.variance as number) / 400)).toBeCloseTo(1, 1);
  });

  it('quantile: the sketch holds the values and its q-quantile scatters as the guard assumes', () => {
    const s = samplerOf('p95');
    const rng = new SeededRandom(5);
    const out = new Float64Array(s.width);
    const agg = s.createAggregate();
    s.load(10, 15, 5000);
    const logs: number[] = [];
    for (let i = 0; i < 4000; i++) {
      s.draw(400, null, rng, out);
      s.write(out, agg);
      const sketch = (agg as { sketch: QuantileSketch }).sketch;
      // Running counts, as the guard reads them: whole, non-decreasing, adding up to the count.
      const running = sketch.running as RunningCounts;
      expect(sketch.positive).toEqual([]);
      let before = running.upTo(running.lowest - 1);
      expect(before).toBe(0);
      for (let i = running.lowest; i <= running.highest; i++) {
        const upTo = running.upTo(i);
        expect(Number.isInteger(upTo) && upTo >= before).toBe(true);
        before = upTo;
      }
      expect(before).toBe(sketch.count);
      logs.push(Math.log(sketchQuantile(sketch, 0.95) as number));
    }
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(Math.exp(mean) / 800).toBeCloseTo(1, 1);
    // Sampling sd of a quantile in log space: s·√(q(1−q)/n)/φ(z_q) with n = 400 units.
    const z = normalQuantile(0.95);
    const expected =
      (0.4 * Math.sqrt((0.95 * 0.05) / 400)) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI));
    // The sketch's 2% buckets add rounding on top of the sampling spread.
    expect(sd).toBeGreaterThan(expected * 0.9);
    expect(sd).toBeLessThan(expected * 1.3);
  });

  it('quantile: many tiny looks add up to one sample of their total size, not a wider one', () => {
    const s = samplerOf('p95');
    const rng = new SeededRandom(8);
    const inc = new Float64Array(s.width);
    const acc = new Float64Array(s.width);
    const agg = s.createAggregate();
    s.load(10, 15, 5000);
    const logs: number[] = [];
    for (let trial = 0; trial < 300; trial++) {
      acc.fill(0);
      // 2 units a look for 500 looks: 1,000 units in all.
      for (let k = 0; k < 500; k++) {
        s.draw(2, null, rng, inc);
        for (let j = 0; j < s.width; j++) acc[j] = (acc[j] as number) + (inc[j] as number);
      }
      s.write(acc, agg);
      logs.push(
        Math.log(sketchQuantile((agg as { sketch: QuantileSketch }).sketch, 0.95) as number),
      );
    }
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(Math.exp(mean) / 800).toBeCloseTo(1, 1);
    const z = normalQuantile(0.95);
    const expected =
      (0.4 * Math.sqrt((0.95 * 0.05) / 1000)) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI));
    expect(sd).toBeGreaterThan(expected * 0.8);
    expect(sd).toBeLessThan(expected * 1.4);
  });

  it('slo-burn: events in proportion to the arm, bad events at the bad fraction', () => {
    const m = moments('availability', 400, 1);
    expect(m.mean / 1600).toBeCloseTo(1, 2);
    const bad = moments('availability', 400, 0);
    expect(bad.mean / (1600 * 0.002)).toBeCloseTo(1, 1);
  });

  it('applies effects to the treatment: relative scales, absolute shifts', () => {
    const s = samplerOf('errors');
    const out = new Float64Array(s.width);
    const rng = new SeededRandom(6);
    s.load(10, 15, 5000);
    let rel = 0;
    let abs = 0;
    for (let i = 0; i < 5000; i++) {
      s.draw(400, { size: 0.5, relative: true }, rng, out);
      rel += out[1] as number;
      s.draw(400, { size: -1, relative: false }, rng, out);
      abs += out[1] as number;
    }
    expect(rel / 5000 / 400).toBeCloseTo(3, 1);
    expect(abs / 5000 / 400).toBeCloseTo(1, 1);
  });

  it('writes aggregates in the shapes the guards read', () => {
    const kinds = samplers.map((s) => s.createAggregate().kind);
    expect(kinds).toEqual(['occurrence', 'mean', 'ratio', 'count', 'quantile', 'slo-burn']);
    const burn = samplerOf('availability').createAggregate() as Extract<
      KpiAggregate,
      { kind: 'slo-burn' }
    >;
    expect(burn.windows.map((w) => w.windowMs / 60_000)).toEqual([5, 30, 60, 120, 360, 1440, 4320]);
  });
});
