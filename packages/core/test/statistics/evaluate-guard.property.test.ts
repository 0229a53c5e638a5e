import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuard } from '../../src/statistics/index.js';
import type { ArmAggregates, GuardResult, KpiAggregate } from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';

const KPIS = [
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
const num = fc.oneof(
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

const aggregate: fc.Arbitrary<KpiAggregate> = fc.oneof(
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

function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbersOf(x, out));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => numbersOf(x, out));
  return out;
}

describe('evaluateGuard on arbitrary aggregates', () => {
  it('never throws, always gives a verdict with a reason, and never reports NaN', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KPIS),
        aggregate,
        fc.option(aggregate, { nil: undefined }),
        fc.constantFrom('confidence-sequence' as const, 'msprt' as const),
        fc.integer({ min: 0, max: 5000 }),
        (kpi, treatment, control, method, minUnits) => {
          const data: ArmAggregates =
            control === undefined ? { treatment } : { treatment, control };
          let r: GuardResult | undefined;
          expect(() => {
            r = evaluateGuard(kpi, data, { alpha: 0.01, launchAlpha: 0.05, method, minUnits });
          }).not.toThrow();
          if (r === undefined) return;
          expect(['pass', 'breach', 'insufficient-evidence']).toContain(r.verdict);
          expect(r.reason.length).toBeGreaterThan(0);
          expect(r.reason).not.toMatch(/could not evaluate/);
          for (const x of numbersOf({ ...r, reason: undefined }))
            expect(Number.isNaN(x)).toBe(false);
          if (r.verdict === 'pass') {
            expect(
              Math.min(
                r.units.treatment,
                kpi.kind === 'slo-burn' || kpi.guard.compare === undefined
                  ? Infinity
                  : r.units.control,
              ),
            ).toBeGreaterThanOrEqual(kpi.kind === 'slo-burn' ? 0 : minUnits);
          }
        },
      ),
      { numRuns: 3000, seed: 20241125 },
    );
  });
});
