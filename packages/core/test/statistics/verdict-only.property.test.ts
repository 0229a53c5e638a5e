/**
 * The verdict-only path (explain: false, what rehearsals call) must decide
 * exactly what the full path (live launches) decides: the same code computes
 * both, and these properties hold it to that on random aggregates of every kind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuard, evaluateGuards } from '../../src/statistics/index.js';
import type { ArmAggregates, GuardOptions, GuardResult } from '../../src/statistics/index.js';
import { KPIS, aggregate, plausibleArms } from './support/aggregates.js';
import { planWith } from './support/plan.js';

/** Everything but the reason sentence. */
function numbers(r: GuardResult): Omit<GuardResult, 'reason'> {
  const { reason: _reason, ...rest } = r;
  return rest;
}

const method = fc.constantFrom('confidence-sequence' as const, 'msprt' as const);
const minUnits = fc.integer({ min: 0, max: 5000 });
const tuneUnits = fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined });

function options(m: GuardOptions['method'], min: number, tune: number | undefined): GuardOptions {
  const o: GuardOptions = { alpha: 0.01, launchAlpha: 0.05, method: m, minUnits: min };
  if (tune !== undefined) o.tuneUnits = tune;
  return o;
}

function agree(kpi: (typeof KPIS)[number], data: ArmAggregates | undefined, o: GuardOptions) {
  const full = evaluateGuard(kpi, data, o);
  const quick = evaluateGuard(kpi, data, { ...o, explain: false });
  expect(numbers(quick)).toEqual(numbers(full));
  return { full, quick };
}

describe('the verdict-only path', () => {
  it('agrees with the full path on plausible aggregates of every kind', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...KPIS).chain((kpi) => fc.tuple(fc.constant(kpi), plausibleArms(kpi))),
        method,
        minUnits,
        tuneUnits,
        ([kpi, data], m, min, tune) => {
          const { full, quick } = agree(kpi, data, options(m, min, tune));
          seen.add(`${kpi.kind}:${full.verdict}`);
          // A verdict the statistics reached writes no sentence on this path.
          if (full.verdict !== 'insufficient-evidence' && full.kind !== 'slo-burn')
            expect(quick.reason).toBe('');
        },
      ),
      { numRuns: 4000, seed: 20261125 },
    );
    // The draws reach every verdict, so the agreement above is not vacuous.
    for (const kind of ['occurrence', 'count', 'mean', 'ratio', 'quantile'])
      for (const verdict of ['pass', 'breach', 'insufficient-evidence'])
        expect(seen).toContain(`${kind}:${verdict}`);
  });

  it('agrees with the full path on arbitrary, often malformed, aggregates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KPIS),
        aggregate,
        fc.option(aggregate, { nil: undefined }),
        method,
        minUnits,
        tuneUnits,
        (kpi, treatment, control, m, min, tune) => {
          const data: ArmAggregates =
            control === undefined ? { treatment } : { treatment, control };
          agree(kpi, data, options(m, min, tune));
        },
      ),
      { numRuns: 2000, seed: 20261126 },
    );
  });

  it('evaluateGuards gives a whole matrix the same verdicts either way', () => {
    const plan = planWith(`
  operational-health:
    - { name: occ, kind: occurrence, event: e, guard: { max_increase: 10%, max: 0.5 } }
    - { name: p99, kind: quantile, q: 0.99, event: e, guard: { max_increase: 10% } }
  user-impact:
    - { name: avg, kind: mean, event: e, guard: { max_decrease: 5% } }
  efficiency:
    - { name: rat, kind: ratio, numerator: a, denominator: b, guard: { max_increase: 5% } }`);
    const kpis = ['occ', 'p99', 'avg', 'rat'].map((n) => KPIS.find((k) => k.name === n));
    fc.assert(
      fc.property(
        fc.tuple(...kpis.map((k) => plausibleArms(k as (typeof KPIS)[number]))),
        minUnits,
        (arms, min) => {
          const data = Object.fromEntries(kpis.map((k, i) => [k?.name, arms[i]]));
          const full = evaluateGuards(plan, data, { minUnits: min });
          const quick = evaluateGuards(plan, data, { minUnits: min, explain: false });
          expect(quick.map(numbers)).toEqual(full.map(numbers));
        },
      ),
      { numRuns: 500, seed: 20261127 },
    );
  });
});
