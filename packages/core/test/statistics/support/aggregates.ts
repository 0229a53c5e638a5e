/** fast-check generators of KPIs and aggregates shared by the statistics' property tests. */
import fc from 'fast-check';
import type { Kpi, KpiKind } from '../../../src/plan/index.js';
import type { ArmAggregates, KpiAggregate } from '../../../src/statistics/index.js';
import { kpiOf } from './plan.js';

/** One KPI of every kind, with comparisons, hard limits and a burn rate between them. */
export const KPIS = [
  kpiOf('{ name: occ, kind: occurrence, event: e, guard: { max_increase: 10%, max: 0.5 } }'),
  kpiOf('{ name: cnt, kind: count, event: e, guard: { max_increase_abs: 0 } }'),
  kpiOf('{ name: avg, kind: mean, event: e, guard: { max_decrease: 5%, min: -3 } }'),
  kpiOf('{ name: rat, kind: ratio, numerator: a, denominator: b, guard: { max_increase: 0% } }'),
  kpiOf('{ name: p99, kind: quantile, q: 0.99, event: e, guard: { max_increase: 10%, max: 500 } }'),
  kpiOf('{ name: p50, kind: quantile, q: 0.5, event: e, guard: { max_decrease_abs: 1 } }'),
  kpiOf(
    '{ name: slo, kind: slo-burn, numerator: a, denominator: b, guard: { burn_rate: { slo: 99% } } }',
  ),
];

// Mostly sensible numbers, sometimes hostile ones.
export const num = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1e13, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 200_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, NaN, Infinity, -Infinity, 1e300, 5e-324) },
);
const buckets = fc.array(
  fc.tuple(fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: 0, max: 1e6 })),
  {
    maxLength: 40,
  },
);

export const aggregate: fc.Arbitrary<KpiAggregate> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('occurrence', 'count', 'mean'),
    units: num,
    sum: num,
    sumSquares: num,
  }),
  fc.record({
    kind: fc.constant('ratio'),
    units: num,
    sumNumerator: num,
    sumDenominator: num,
    sumNumeratorSquares: num,
    sumDenominatorSquares: num,
    sumProducts: num,
  }),
  fc
    .record({
      units: num,
      zero: fc.integer({ min: 0, max: 1000 }),
      positive: buckets,
      negative: buckets,
      min: num,
      max: num,
    })
    .map(({ units, zero, positive, negative, min, max }) => {
      // Usually consistent (count = total of buckets), so that the statistics run.
      const count = zero + [...positive, ...negative].reduce((s, [, c]) => s + c, 0);
      return {
        kind: 'quantile' as const,
        sketch: {
          units,
          count,
          zeroCount: zero,
          positive,
          negative,
          min: -Math.abs(min),
          max: Math.abs(max),
        },
      };
    }),
  fc.record({
    kind: fc.constant('slo-burn'),
    windows: fc.array(
      fc.record({
        windowMs: fc.constantFrom(300_000, 3_600_000, 21_600_000, 1_800_000),
        bad: num,
        total: num,
      }),
      { maxLength: 8 },
    ),
  }),
) as fc.Arbitrary<KpiAggregate>;

/**
 * Plausible arms for a KPI: aggregates of its kind drawn from real-looking
 * parameters, with treatment near control, so that every verdict (pass, breach,
 * insufficient) and every rule (compare, max, min, min-sample) comes up.
 */
export function plausibleArms(kpi: Kpi): fc.Arbitrary<ArmAggregates> {
  const arm = plausibleAggregate(kpi.kind);
  return fc.record({ treatment: arm, control: arm });
}

/** A number spread evenly over [min, max] (fast-check's doubles lean to the ends). */
function evenly(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 10_000 }).map((i) => min + ((max - min) * i) / 10_000);
}

const units = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 0, max: 5_000 }),
  fc.integer({ min: 0, max: 500_000 }),
);

function plausibleAggregate(kind: KpiKind): fc.Arbitrary<KpiAggregate> {
  if (kind === 'occurrence')
    return fc.tuple(units, evenly(0, 1)).map(([n, p]) => {
      const sum = Math.round(n * p);
      return { kind, units: n, sum, sumSquares: sum };
    });
  if (kind === 'count' || kind === 'mean')
    return fc
      .tuple(
        units,
        fc.double({ min: kind === 'mean' ? -5 : 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
      )
      .map(([n, mean, sd]) => ({
        kind,
        units: n,
        sum: n * mean,
        sumSquares: n * (sd * sd + mean * mean),
      }));
  if (kind === 'ratio')
    return fc.tuple(units, evenly(0, 1), evenly(0.5, 3)).map(([n, r, x]) => ({
      kind,
      units: n,
      sumNumerator: n * x * r,
      sumDenominator: n * x,
      sumNumeratorSquares: n * x * r * (1 + x * r),
      sumDenominatorSquares: n * x * (1 + x),
      sumProducts: n * x * r * (1 + x),
    }));
  if (kind === 'quantile')
    return fc
      .tuple(
        units,
        fc.integer({ min: 100, max: 400 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 60 }),
      )
      .map(([n, from, counts]) => {
        const positive = counts.map((c, i): [number, number] => [from + i, c]);
        const count = counts.reduce((s, c) => s + c, 0);
        return {
          kind,
          sketch: {
            units: Math.min(n, count),
            count,
            zeroCount: 0,
            positive,
            negative: [],
            min: count === 0 ? 0 : Math.pow(1.01 / 0.99, from - 1),
            max: count === 0 ? 0 : Math.pow(1.01 / 0.99, from + counts.length),
          },
        };
      });
  return fc
    .array(
      fc
        .tuple(
          fc.constantFrom(300_000, 3_600_000, 21_600_000, 1_800_000),
          fc.integer({ min: 0, max: 100_000 }),
          fc.double({ min: 0, max: 0.1, noNaN: true }),
        )
        .map(([windowMs, total, rate]) => ({
          windowMs,
          total,
          bad: Math.round(total * rate),
        })),
      { maxLength: 8 },
    )
    .map((windows) => ({ kind: 'slo-burn' as const, windows }));
}
