/**
 * The verdict-only path into a caller's scratch (what the rehearsal's simulator
 * uses) gives exactly the results evaluateGuards builds anew, look after look:
 * the same JSON, every number the same double, whatever the previous looks wrote
 * into the scratch and whether or not the caller gave its results away (forget).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuards } from '../../src/statistics/index.js';
import type { ArmAggregates } from '../../src/statistics/index.js';
import { GuardScratch } from '../../src/statistics/quiet-guards.js';
import { KPIS, aggregate, plausibleArms } from './support/aggregates.js';
import { lookInputs } from './support/looks.js';
import { planWith } from './support/plan.js';

const MATRIX = `
  operational-health:
    - { name: occ, kind: occurrence, event: e, guard: { max_increase: 10%, max: 0.5 } }
    - { name: p99, kind: quantile, q: 0.99, event: e, guard: { max_increase: 10%, max: 500 } }
    - { name: slo, kind: slo-burn, numerator: a, denominator: b, guard: { burn_rate: { slo: 99% } } }
    - { name: cap, kind: occurrence, event: e, guard: { max: 0.2, min: 0.01 } }
  user-impact:
    - { name: avg, kind: mean, event: e, guard: { max_decrease: 5%, min: -3 } }
    - { name: cnt, kind: count, event: e, guard: { max_increase_abs: 0 }, window: 1h }
  efficiency:
    - { name: rat, kind: ratio, numerator: a, denominator: b, guard: { max_increase: 0% } }`;

const plans = [planWith(MATRIX), planWith(MATRIX, 'analysis: { method: msprt }')];
const capKpi = plans[0]?.kpis['operational-health'][3];
const kpiFor = (name: string) => (name === 'cap' ? capKpi : KPIS.find((k) => k.name === name));
const NAMES = ['occ', 'p99', 'slo', 'cap', 'avg', 'cnt', 'rat'];

// One KPI's data at a look: plausible arms mostly, sometimes treatment alone,
// malformed aggregates, another kind's, or nothing at all.
function arms(name: string): fc.Arbitrary<ArmAggregates | undefined> {
  const kpi = kpiFor(name);
  if (kpi === undefined) throw new Error(name);
  const plausible = plausibleArms(kpi);
  return fc.oneof(
    { weight: 12, arbitrary: plausible },
    { weight: 2, arbitrary: plausible.map((a) => ({ treatment: a.treatment })) },
    { weight: 1, arbitrary: fc.record({ treatment: aggregate, control: aggregate }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const look = fc.record({
  data: fc.tuple(...NAMES.map(arms)),
  // Now and then options that no guard can use (every result then says so).
  minUnits: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 5000 }) },
    { weight: 1, arbitrary: fc.constant(-1) },
  ),
  tuneUnits: fc.option(
    fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    { nil: undefined },
  ),
  baseline: fc.option(fc.constant('canary'), { nil: undefined }),
  phaseElapsedMs: fc.integer({ min: 0, max: 20_000_000 }),
  forget: fc.integer({ min: 0, max: 5 }).map((i) => i === 0),
});

describe('the verdict-only path into a scratch', () => {
  it('gives the results evaluateGuards builds, look after look', () => {
    let reused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.array(look, { minLength: 1, maxLength: 12 }),
        (p, looks) => {
          const plan = plans[p];
          if (plan === undefined) throw new Error('plan');
          const scratch = new GuardScratch();
          for (const l of looks) {
            const { data, options } = lookInputs(NAMES, l);
            const fresh = JSON.stringify(evaluateGuards(plan, data, options));
            const before = scratch.owned.slice();
            const results = evaluateGuards(plan, data, options, scratch);
            expect(JSON.stringify(results)).toBe(fresh);
            reused += results.filter((r, i) => r === before[i]).length;
            if (l.forget) scratch.forget();
          }
        },
      ),
      { numRuns: 1500, seed: 20261203 },
    );
    // Many results were last look's, written over: the agreement is not vacuous.
    expect(reused).toBeGreaterThan(10_000);
  });
});
