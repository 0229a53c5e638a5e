import { describe, expect, it } from 'vitest';
import {
  MIN_UNITS_FOR_VERDICT,
  evaluateGuard,
  momentOf,
  occurrenceOf,
  ratioOf,
} from '../../src/statistics/index.js';
import type {
  ArmAggregates,
  GuardOptions,
  GuardResult,
  KpiAggregate,
} from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';

const options: GuardOptions = { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' };

const errorRate = kpiOf(
  '{ name: error_rate, kind: occurrence, event: err, guard: { max_increase: 10% } }',
);
const errorRateAbs = kpiOf(
  '{ name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.01 } }',
);
const conversion = kpiOf(
  '{ name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 2% } }',
);

const occ = (units: number, occurred: number): KpiAggregate => ({
  kind: 'occurrence',
  ...occurrenceOf(units, occurred),
});
const arms = (t: KpiAggregate, c?: KpiAggregate): ArmAggregates =>
  c === undefined ? { treatment: t } : { treatment: t, control: c };

/** Every number in a result is finite or ±Infinity, never NaN (nor in its reason, unless quoting input). */
function expectNoNaN(r: GuardResult, quotesInput = false): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') expect(Number.isNaN(v), path).toBe(false);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(r, 'result');
  if (!quotesInput) expect(r.reason).not.toMatch(/NaN|undefined/);
}

describe('evaluateGuard: comparisons', () => {
  it('breaches when the whole interval is past the margin, and says so in numbers', () => {
    const r = evaluateGuard(errorRate, arms(occ(20_000, 2_800), occ(20_000, 2_000)), options);
    expect(r.verdict).toBe('breach');
    expect(r.rule).toBe('compare');
    expect(r.comparison?.difference).toBeCloseTo(0.4, 10);
    expect(r.comparison?.interval?.[0]).toBeGreaterThan(0.1);
    expect(r.comparison).toMatchObject({
      bad: 'increase',
      relative: true,
      margin: 0.1,
      threshold: 0.1,
    });
    expect(r.reason).toMatch(/worse than control beyond the margin: change \+40%/);
    expect(r.estimate).toEqual({ treatment: 0.14, control: 0.1 });
    expect(r.units).toEqual({ treatment: 20_000, control: 20_000 });
    expect(r.method).toBe('asymptotic-confidence-sequence');
    expect(r.alpha).toEqual({ guard: 0.05, launch: 0.05 });
  });

  it('passes when the whole interval is within the margin and the minimum sample is met', () => {
    const r = evaluateGuard(errorRate, arms(occ(200_000, 20_000), occ(200_000, 20_000)), options);
    expect(r.verdict).toBe('pass');
    expect(r.comparison?.interval?.[1]).toBeLessThanOrEqual(0.1);
    expect(r.reason).toMatch(/within the margin/);
  });

  it('is insufficient while the interval straddles the margin, naming the interval', () => {
    const r = evaluateGuard(errorRate, arms(occ(5_000, 540), occ(5_000, 500)), options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.rule).toBe('compare');
    expect(r.reason).toMatch(/straddles the allowed increase of 10%/);
    const [lo, hi] = r.comparison?.interval ?? [NaN, NaN];
    expect(lo).toBeLessThan(0.1);
    expect(hi).toBeGreaterThan(0.1);
  });

  it('orients a decrease guard: breach when the interval is below −margin', () => {
    const r = evaluateGuard(conversion, arms(occ(50_000, 4_000), occ(50_000, 5_000)), options);
    expect(r.verdict).toBe('breach');
    expect(r.comparison?.threshold).toBe(-0.02);
    expect(r.comparison?.interval?.[1]).toBeLessThan(-0.02);
    const up = evaluateGuard(conversion, arms(occ(50_000, 6_000), occ(50_000, 5_000)), options);
    expect(up.verdict).toBe('pass');
  });

  it('passes equal arms on a decrease guard once the interval is narrow enough', () => {
    const few = evaluateGuard(conversion, arms(occ(50_000, 5_000), occ(50_000, 5_000)), options);
    expect(few.verdict).toBe('insufficient-evidence');
    const many = evaluateGuard(
      conversion,
      arms(occ(2_000_000, 200_000), occ(2_000_000, 200_000)),
      options,
    );
    expect(many.verdict).toBe('pass');
  });

  it('needs a control arm for a comparison', () => {
    const r = evaluateGuard(errorRate, arms(occ(1000, 10)), options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/no control arm/);
    expect(r.comparison?.interval).toBeNull();
  });

  it('is insufficient without data, never a pass', () => {
    for (const data of [undefined, {} as ArmAggregates, null as unknown as ArmAggregates]) {
      const r = evaluateGuard(errorRate, data, options);
      expect(r.verdict).toBe('insufficient-evidence');
      expect(r.rule).toBe('min-sample');
      expect(r.reason).toMatch(/no data yet for KPI error_rate/);
      expect(r.units).toEqual({ treatment: 0, control: 0 });
    }
  });

  it('is insufficient when one arm is empty', () => {
    const r = evaluateGuard(errorRate, arms(occ(0, 0), occ(10_000, 100)), options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/treatment has no units yet/);
    expect(r.units).toEqual({ treatment: 0, control: 10_000 });
  });
});

describe('evaluateGuard: minimum sample', () => {
  it(`gives no verdict below ${MIN_UNITS_FOR_VERDICT} units per arm, even for a glaring difference`, () => {
    const r = evaluateGuard(errorRateAbs, arms(occ(20, 20), occ(20, 0)), options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.rule).toBe('min-sample');
    expect(r.reason).toMatch(
      /too few units: treatment has 20, no verdict below 30 per arm; so far looks like a breach/,
    );
  });

  it('lets a certain breach through below min_units (from 30 units per arm)', () => {
    const r = evaluateGuard(errorRateAbs, arms(occ(40, 40), occ(40, 0)), {
      ...options,
      minUnits: 2000,
    });
    expect(r.verdict).toBe('breach');
  });

  it('never passes below min_units', () => {
    const data = arms(occ(200_000, 20_000), occ(200_000, 20_000));
    expect(evaluateGuard(errorRate, data, { ...options, minUnits: 200_000 }).verdict).toBe('pass');
    const r = evaluateGuard(errorRate, data, { ...options, minUnits: 300_000 });
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.rule).toBe('min-sample');
    expect(r.reason).toMatch(
      /too few units for a pass: treatment has 200,000 of the 300,000 needed/,
    );
  });
});

describe('evaluateGuard: edge cases', () => {
  it('zero events in both arms: a real interval (not a point), and a pass on an absolute margin', () => {
    const r = evaluateGuard(errorRateAbs, arms(occ(100_000, 0), occ(100_000, 0)), options);
    expect(r.verdict).toBe('pass');
    const [lo, hi] = r.comparison?.interval ?? [0, 0];
    expect(hi - lo).toBeGreaterThan(0);
    expectNoNaN(r);
  });

  it('zero events: a relative change is undefined against a zero control, so insufficient', () => {
    const r = evaluateGuard(errorRate, arms(occ(100_000, 0), occ(100_000, 0)), options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/relative change needs a positive control value/);
    expectNoNaN(r);
  });

  it('few zero-event units are not certainty: no pass at 30 units per arm', () => {
    const r = evaluateGuard(errorRateAbs, arms(occ(30, 0), occ(30, 0)), {
      ...options,
      minUnits: 30,
    });
    expect(r.verdict).toBe('insufficient-evidence');
  });

  it('rates of 1 in both arms pass a decrease guard', () => {
    const r = evaluateGuard(
      conversion,
      arms(occ(100_000, 100_000), occ(100_000, 100_000)),
      options,
    );
    expect(r.verdict).toBe('pass');
    expectNoNaN(r);
  });

  it('identical values (variance 0) give a point interval: equal arms pass a margin of 0, a shift breaches', () => {
    const latency = kpiOf('{ name: lat, kind: mean, event: ms, guard: { max_increase_abs: 0 } }');
    const same = evaluateGuard(
      latency,
      arms(
        { kind: 'mean', ...momentOf(Array(200).fill(5)) },
        { kind: 'mean', ...momentOf(Array(200).fill(5)) },
      ),
      options,
    );
    expect(same.verdict).toBe('pass');
    expect(same.comparison?.interval).toEqual([0, 0]);
    const shifted = evaluateGuard(
      latency,
      arms(
        { kind: 'mean', ...momentOf(Array(200).fill(6)) },
        { kind: 'mean', ...momentOf(Array(200).fill(5)) },
      ),
      options,
    );
    expect(shifted.verdict).toBe('breach');
  });

  it('margin 0 with noisy, truly equal arms never passes: equality cannot be shown, only bounded', () => {
    const zero = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max_increase: 0% } }');
    const r = evaluateGuard(zero, arms(occ(1_000_000, 100_000), occ(1_000_000, 100_000)), options);
    expect(r.comparison?.margin).toBe(0);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/straddles the allowed increase of 0%/);
    const better = evaluateGuard(
      zero,
      arms(occ(1_000_000, 95_000), occ(1_000_000, 100_000)),
      options,
    );
    expect(better.verdict).toBe('pass');
  });

  it('huge counts (1e12 units) stay finite', () => {
    const r = evaluateGuard(errorRate, arms(occ(1e12, 1e11), occ(1e12, 1.0001e11)), options);
    expect(r.verdict).toBe('pass');
    expectNoNaN(r);
    const mean = kpiOf('{ name: lat, kind: mean, event: ms, guard: { max_increase: 5% } }');
    const big = (m: number): KpiAggregate => ({
      kind: 'mean',
      units: 1e12,
      sum: m * 1e12,
      sumSquares: (m * m + 400) * 1e12,
    });
    const rm = evaluateGuard(mean, arms(big(250), big(250)), options);
    expect(rm.verdict).toBe('pass');
    expectNoNaN(rm);
    const ratio = kpiOf(
      '{ name: epr, kind: ratio, numerator: e, denominator: r, guard: { max_increase: 5% } }',
    );
    const bigRatio = (e: number): KpiAggregate => ({
      kind: 'ratio',
      units: 1e12,
      sumNumerator: e * 1e13,
      sumDenominator: 1e13,
      sumNumeratorSquares: e * 2e14,
      sumDenominatorSquares: 2e14,
      sumProducts: e * 2e14,
    });
    const rr = evaluateGuard(ratio, arms(bigRatio(0.01), bigRatio(0.01)), options);
    expect(rr.verdict).toBe('pass');
    expectNoNaN(rr);
  });

  it('malformed aggregates are insufficient-evidence naming the field, never a throw', () => {
    const cases: [ArmAggregates, RegExp][] = [
      [
        arms({ kind: 'occurrence', units: NaN, sum: 0, sumSquares: 0 }, occ(10, 1)),
        /treatment\.units must be a finite number/,
      ],
      [
        arms(occ(10, 1), { kind: 'occurrence', units: -3, sum: 0, sumSquares: 0 }),
        /control\.units must not be negative/,
      ],
      [
        arms({ kind: 'occurrence', units: 10, sum: 11, sumSquares: 11 }, occ(10, 1)),
        /treatment\.sum \(11 units with the event\) exceeds treatment\.units \(10\)/,
      ],
      [
        arms({ kind: 'count', units: 10, sum: 1, sumSquares: 1 }, occ(10, 1)),
        /treatment aggregate is of kind count, but KPI error_rate is of kind occurrence/,
      ],
      [
        { treatment: { kind: 'occurrence' } } as unknown as ArmAggregates,
        /treatment\.units must be a finite number/,
      ],
    ];
    for (const [data, reason] of cases) {
      const r = evaluateGuard(errorRate, data, options);
      expect(r.verdict).toBe('insufficient-evidence');
      expect(r.reason).toMatch(reason);
      expectNoNaN(r, true);
    }
  });

  it('invalid options are insufficient-evidence naming the option', () => {
    const data = arms(occ(1000, 10), occ(1000, 10));
    expect(evaluateGuard(errorRate, data, { ...options, alpha: 0 }).reason).toMatch(
      /options\.alpha must be between 0 and 1/,
    );
    expect(evaluateGuard(errorRate, data, { ...options, minUnits: -1 }).reason).toMatch(
      /options\.minUnits/,
    );
    expect(
      evaluateGuard(errorRate, data, { ...options, method: 'bayes' as 'msprt' }).reason,
    ).toMatch(/options\.method must be confidence-sequence or msprt/);
  });
});

describe('evaluateGuard: kinds', () => {
  it('ratio KPIs compare ratios of sums by the delta method', () => {
    const kpi = kpiOf(
      '{ name: epr, kind: ratio, numerator: e, denominator: r, guard: { max_increase: 10% } }',
    );
    const pairs = (rate: number, n: number): [number, number][] =>
      Array.from(
        { length: n },
        (_, i) => [((i % 10) + 1) * rate * 2, ((i % 10) + 1) * 2] as [number, number],
      );
    const bad = evaluateGuard(
      kpi,
      arms(
        { kind: 'ratio', ...ratioOf(pairs(0.2, 5000)) },
        { kind: 'ratio', ...ratioOf(pairs(0.1, 5000)) },
      ),
      options,
    );
    expect(bad.verdict).toBe('breach');
    expect(bad.estimate.treatment).toBeCloseTo(0.2, 12);
    const none = evaluateGuard(
      kpi,
      arms({ kind: 'ratio', ...ratioOf([]) }, { kind: 'ratio', ...ratioOf(pairs(0.1, 50)) }),
      options,
    );
    expect(none.verdict).toBe('insufficient-evidence');
    expect(none.reason).toMatch(/treatment has no units yet/);
  });

  it('count KPIs with no events keep a non-zero interval', () => {
    const kpi = kpiOf(
      '{ name: crashes, kind: count, event: crash, guard: { max_increase_abs: 0.01 } }',
    );
    const zero: KpiAggregate = { kind: 'count', units: 5000, sum: 0, sumSquares: 0 };
    const r = evaluateGuard(kpi, arms(zero, zero), options);
    const [lo, hi] = r.comparison?.interval ?? [0, 0];
    expect(hi - lo).toBeGreaterThan(0);
    expect(r.verdict).toBe('pass');
  });
});

describe('evaluateGuard: hard limits', () => {
  const limited = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max: 0.02 } }');

  it('breaches only when the treatment interval is entirely above max', () => {
    const r = evaluateGuard(limited, arms(occ(10_000, 500)), options);
    expect(r.verdict).toBe('breach');
    expect(r.rule).toBe('max');
    expect(r.limit?.max).toBe(0.02);
    expect(r.limit?.interval?.[0]).toBeGreaterThan(0.02);
    expect(r.reason).toMatch(/breaks its hard limit \(at most 0\.02\)/);
  });

  it('passes when entirely below max with the minimum sample; insufficient in between', () => {
    expect(evaluateGuard(limited, arms(occ(10_000, 100)), options).verdict).toBe('pass');
    const near = evaluateGuard(limited, arms(occ(10_000, 195)), options);
    expect(near.verdict).toBe('insufficient-evidence');
    expect(near.rule).toBe('max');
  });

  it('checks min limits from below', () => {
    const kpi = kpiOf('{ name: conv, kind: occurrence, event: e, guard: { min: 0.05 } }');
    expect(evaluateGuard(kpi, arms(occ(10_000, 200)), options).verdict).toBe('breach');
    const r = evaluateGuard(kpi, arms(occ(10_000, 800)), options);
    expect(r.verdict).toBe('pass');
    expect(r.rule).toBe('min');
  });

  it('combines a comparison and a limit: any breach wins, a pass needs both', () => {
    const kpi = kpiOf(
      '{ name: err, kind: occurrence, event: e, guard: { max_increase: 50%, max: 0.02 } }',
    );
    const r = evaluateGuard(kpi, arms(occ(20_000, 1_000), occ(20_000, 1_000)), options);
    expect(r.verdict).toBe('breach');
    expect(r.rule).toBe('max');
    expect(r.comparison).toBeDefined();
    const ok = evaluateGuard(kpi, arms(occ(200_000, 1_000), occ(200_000, 1_000)), options);
    expect(ok.verdict).toBe('pass');
  });
});

describe('evaluateGuard: mSPRT', () => {
  const msprt: GuardOptions = { ...options, method: 'msprt' };

  it('breaches with an always-valid p-value below alpha', () => {
    const r = evaluateGuard(errorRate, arms(occ(20_000, 2_800), occ(20_000, 2_000)), msprt);
    expect(r.verdict).toBe('breach');
    expect(r.method).toBe('msprt');
    expect(r.evidence?.statistic).toBe('msprt-log-likelihood-ratio');
    expect(r.evidence?.pValue).toBeLessThan(0.05);
    expect(r.evidence?.value).toBeGreaterThan(Math.log(1 / 0.05));
  });

  it('passes and reports p = 1 when the estimate is on the good side', () => {
    const r = evaluateGuard(errorRate, arms(occ(200_000, 20_000), occ(200_000, 20_000)), msprt);
    expect(r.verdict).toBe('pass');
    expect(r.evidence?.pValue).toBe(1);
  });

  it('its interval is the inversion of the test: the breach threshold is where Λ = 1/α', () => {
    const r = evaluateGuard(errorRate, arms(occ(20_000, 2_400), occ(20_000, 2_000)), msprt);
    const [lo] = r.comparison?.interval ?? [NaN];
    expect(r.verdict === 'breach').toBe(lo > 0.1);
    expect((r.evidence?.pValue ?? 1) < 0.05).toBe(lo > 0.1);
  });
});
