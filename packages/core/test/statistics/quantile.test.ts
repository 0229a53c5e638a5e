import { describe, expect, it } from 'vitest';
import {
  SKETCH_RELATIVE_ACCURACY,
  addToSketch,
  createSketch,
  evaluateGuard,
  mergeSketches,
  quantileBounds,
  sketchGammaPower,
  sketchOf,
  sketchQuantile,
} from '../../src/statistics/index.js';
import type { GuardOptions, KpiAggregate, QuantileSketch } from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';
import { createNormal, createRandom } from './support/random.js';

const options: GuardOptions = { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' };
const p95 = kpiOf(
  '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 10% } }',
);

/** Exact q-quantile of a list by the sketch's rank rule (rank ⌊q(n−1)⌋, 0-based). */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

function lognormal(seed: number, n: number, median: number, sigma: number): number[] {
  const normal = createNormal(createRandom(seed));
  return Array.from({ length: n }, () => median * Math.exp(sigma * normal()));
}

const sketchAgg = (s: QuantileSketch): KpiAggregate => ({ kind: 'quantile', sketch: s });

describe('quantile sketch', () => {
  it('answers quantiles within its relative accuracy, for positive, negative and zero values', () => {
    const values = [
      ...lognormal(1, 5000, 200, 1),
      ...lognormal(2, 1000, 3, 0.5).map((v) => -v),
      0,
      0,
      0,
    ];
    const s = sketchOf(values);
    for (const q of [0, 0.01, 0.1, 0.15, 0.3, 0.5, 0.9, 0.95, 0.99, 1]) {
      const exact = exactQuantile(values, q);
      const got = sketchQuantile(s, q) as number;
      expect(Math.abs(got - exact), `q=${q}`).toBeLessThanOrEqual(
        Math.abs(exact) * SKETCH_RELATIVE_ACCURACY + 1e-12,
      );
    }
    expect(s.min).toBe(Math.min(...values));
    expect(s.max).toBe(Math.max(...values));
    expect(sketchQuantile(createSketch(), 0.5)).toBeNull();
    expect(sketchQuantile(s, 1.5)).toBeNull();
  });

  it('merges: the merged sketch equals the sketch of all values', () => {
    const a = lognormal(3, 2000, 100, 0.8);
    const b = lognormal(4, 3000, 150, 0.6);
    const merged = mergeSketches(sketchOf(a), sketchOf(b));
    const whole = sketchOf([...a, ...b]);
    expect(merged).toEqual(whole);
    expect(mergeSketches(createSketch(), whole)).toEqual(whole);
  });

  it('reads bucket arrays in any order (the store may not sort them)', () => {
    const s = sketchOf(lognormal(5, 3000, 100, 1));
    const shuffled = { ...s, positive: [...s.positive].reverse() };
    expect(sketchQuantile(shuffled, 0.95)).toBe(sketchQuantile(s, 0.95));
  });

  it('reads bucket edges from a table that holds pow()’s own results, inside and outside it', () => {
    const gamma = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
    for (let i = -2600; i <= 4600; i++) expect(sketchGammaPower(i)).toBe(Math.pow(gamma, i));
    expect(sketchGammaPower(0.5)).toBe(Math.pow(gamma, 0.5));
  });

  it('counts units separately from values', () => {
    const s = createSketch();
    addToSketch(s, 10, 1);
    addToSketch(s, 12);
    addToSketch(s, 14, 1);
    expect(s).toMatchObject({ units: 2, count: 3 });
    expect(() => addToSketch(s, NaN)).toThrow(/value must be a finite number, got NaN/);
  });
});

describe('quantile bounds (Howard & Ramdas on the sketch)', () => {
  it('covers the population quantile (analytic log-normal p95) in repeated samples', () => {
    const trueP95 = 100 * Math.exp(1.6448536269514722 * 0.7);
    let misses = 0;
    const runs = 200;
    for (let seed = 0; seed < runs; seed++) {
      const b = quantileBounds(sketchOf(lognormal(1000 + seed, 2000, 100, 0.7)), 0.95, 0.05, 2000);
      if (b === undefined) throw new Error('no bounds');
      if (!(b.lower <= trueP95 && trueP95 <= b.upper)) misses++;
      expect(b.lower).toBeLessThanOrEqual(b.value);
      expect(b.upper).toBeGreaterThanOrEqual(b.value);
    }
    // Each side is a one-sided 5% sequence, so a single look misses well under 10%.
    expect(misses / runs).toBeLessThanOrEqual(0.1);
  });

  it('is unbounded above when too few values lie beyond the quantile', () => {
    // p99 of 1,000 units at α = 1%: 10 values beyond the quantile bound it from below
    // only (the rank bound q + δ passes 1 when n(1 − q) < z²q).
    const b = quantileBounds(sketchOf(lognormal(7, 1000, 100, 0.7)), 0.99, 0.01, 30);
    expect(b?.upper).toBe(Infinity);
    expect(Number.isFinite(b?.lower)).toBe(true);
  });

  it('uses units, not values, as the sample size', () => {
    const values = lognormal(8, 20_000, 100, 0.7);
    const perValue = quantileBounds(sketchOf(values), 0.95, 0.05, 200) as {
      lower: number;
      upper: number;
    };
    const perUnit = quantileBounds(sketchOf(values, 500), 0.95, 0.05, 200) as {
      lower: number;
      upper: number;
    };
    expect(perUnit.upper - perUnit.lower).toBeGreaterThan(2 * (perValue.upper - perValue.lower));
  });
});

describe('evaluateGuard: quantile KPIs', () => {
  it('breaches on a 40% slower p95 and passes equal latency', () => {
    const control = sketchOf(lognormal(11, 100_000, 100, 0.7));
    const slow = sketchOf(lognormal(12, 20_000, 140, 0.7));
    const r = evaluateGuard(
      p95,
      { treatment: sketchAgg(slow), control: sketchAgg(control) },
      options,
    );
    expect(r.verdict).toBe('breach');
    expect(r.method).toBe('quantile-confidence-sequence');
    expect(r.comparison?.interval?.[0]).toBeGreaterThan(0.1);
    expect(r.estimate.treatment).toBeGreaterThan(r.estimate.control as number);
    expect(r.reason).toMatch(/p95 .* against .*, change \+/);
    const same = sketchOf(lognormal(13, 100_000, 100, 0.7));
    const ok = evaluateGuard(
      p95,
      { treatment: sketchAgg(same), control: sketchAgg(control) },
      options,
    );
    expect(ok.verdict).toBe('pass');
  });

  it('needs enough units beyond the quantile, and says how many', () => {
    const small = sketchOf(lognormal(14, 150, 100, 0.7));
    const r = evaluateGuard(
      p95,
      { treatment: sketchAgg(small), control: sketchAgg(small) },
      options,
    );
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.rule).toBe('min-sample');
    expect(r.reason).toMatch(/treatment has 150, needs 200 \(at least 10 beyond the quantile\)/);
    expect(r.estimate.treatment).not.toBeNull();
  });

  it('a relative change against a control quantile of 0 is insufficient, not a crash', () => {
    const zeros = sketchOf(Array(1000).fill(0));
    const r = evaluateGuard(
      p95,
      { treatment: sketchAgg(zeros), control: sketchAgg(zeros) },
      options,
    );
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/positive control quantile/);
  });

  it('hard limits on the treatment p95', () => {
    const limit = kpiOf('{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max: 250 } }');
    const fast = sketchOf(lognormal(15, 10_000, 100, 0.5));
    const slow = sketchOf(lognormal(16, 10_000, 200, 0.5));
    expect(evaluateGuard(limit, { treatment: sketchAgg(fast) }, options).verdict).toBe('pass');
    const r = evaluateGuard(limit, { treatment: sketchAgg(slow) }, options);
    expect(r.verdict).toBe('breach');
    expect(r.rule).toBe('max');
    expect(r.limit?.interval?.[0]).toBeGreaterThan(250);
  });

  it('malformed sketches are insufficient-evidence naming the field', () => {
    const s = sketchOf([1, 2, 3]);
    const cases: [QuantileSketch, RegExp][] = [
      [
        { ...s, count: 4 },
        /treatment\.sketch\.count \(4\) differs from the total of its buckets \(3\)/,
      ],
      [
        { ...s, positive: [[1, -1]] },
        /treatment\.sketch\.positive\[0\] must be \[integer index, non-negative count\]/,
      ],
      [{ ...s, units: NaN }, /treatment\.sketch\.units must be a finite number/],
    ];
    for (const [bad, reason] of cases) {
      const r = evaluateGuard(p95, { treatment: sketchAgg(bad), control: sketchAgg(s) }, options);
      expect(r.verdict).toBe('insufficient-evidence');
      expect(r.reason).toMatch(reason);
    }
  });
});
