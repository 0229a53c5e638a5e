/**
 * The one-sided mixture multiplier reads its root from a table of per-cell Taylor
 * polynomials (ADR 0040; degree 5 at cells k/256, no Newton step) instead of
 * solving from a cold start (ADR 0039). Over 2 million random targets in [0, 32)
 * the largest difference from the cold solve was 4.4e-16 relative (two ulps):
 * the 4e-15 bound below is ten times that. The owner's bar: every verdict,
 * decision and outcome identical; intervals equal to 1e-9 relative (they differ
 * in the last bits at most). These properties compare the engine on both solves,
 * the cold one kept callable through a test hook.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  evaluateGuard,
  parseHistory,
  parseInjection,
  prepareRehearsal,
  simulateRuns,
} from '@threshold/core';
import type { GuardOptions, GuardResult, Plan, RehearsalOptions } from '@threshold/core';
import { useColdMixtureSolve } from '../../src/statistics/mixture-boundary.js';
import { coldMixtureRoot, mixtureRoot } from '../../src/statistics/mixture-root.js';
import { KPIS, plausibleArms } from '../statistics/support/aggregates.js';
import { ALL_KINDS_PLAN, BENCH_YAML, planOf } from './fixtures.js';

afterEach(() => useColdMixtureSolve(false));

/** Both solves' answers to `run`, cold first. */
function bothSolves<T>(run: () => T): [T, T] {
  useColdMixtureSolve(true);
  const cold = run();
  useColdMixtureSolve(false);
  return [cold, run()];
}

/** Equal, except that numbers may differ by 1e-9 of their size. */
function near(a: unknown, b: unknown, path = ''): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Object.is(a, b) || a === b) return;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 * scale);
    return;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(b).sort(), path).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a))
      near((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(b, path).toEqual(a);
}

const BENCH_PLAN = planOf(BENCH_YAML);

/** Every record of every scenario, on both solves, must be identical. */
function sameRecords(
  plan: Plan,
  source: Parameters<typeof prepareRehearsal>[1],
  options: RehearsalOptions,
) {
  const [cold, table] = bothSolves(() => {
    const prepared = prepareRehearsal(plan, source, options);
    const out = [];
    for (let s = 0; s <= prepared.injections.length; s++)
      out.push(simulateRuns(prepared, s, 0, prepared.runs));
    return out;
  });
  expect(table).toEqual(cold);
}

function injections(plan: Plan, specs: string[]) {
  return specs.map((spec) => {
    const r = parseInjection(spec, plan);
    if (!r.ok) throw new Error(r.message);
    return r.injection;
  });
}

describe('the one-sided multiplier from the table of roots', () => {
  it('lands on the cold solve’s root to its last bits', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 60, noNaN: true }), (target) => {
        const cold = coldMixtureRoot(target);
        expect(Math.abs(mixtureRoot(target) - cold)).toBeLessThanOrEqual(4e-15 * cold);
      }),
      { numRuns: 20_000, seed: 20261203 },
    );
  });

  it('gives every guard the same verdict and intervals within 1e-9 on random aggregates', () => {
    const method = fc.constantFrom('confidence-sequence' as const, 'msprt' as const);
    fc.assert(
      fc.property(
        fc.constantFrom(...KPIS).chain((kpi) => fc.tuple(fc.constant(kpi), plausibleArms(kpi))),
        method,
        fc.integer({ min: 0, max: 5000 }),
        fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
        ([kpi, data], m, minUnits, tune) => {
          const o: GuardOptions = { alpha: 0.01, launchAlpha: 0.05, method: m, minUnits };
          if (tune !== undefined) o.tuneUnits = tune;
          const [cold, table] = bothSolves<GuardResult>(() => evaluateGuard(kpi, data, o));
          expect(table.verdict).toBe(cold.verdict);
          const { reason: coldReason, ...coldNumbers } = cold;
          const { reason: tableReason, ...tableNumbers } = table;
          near(coldNumbers, tableNumbers);
          // The sentence quotes rounded numbers: the same words.
          expect(tableReason).toBe(coldReason);
        },
      ),
      { numRuns: 3000, seed: 20261203 },
    );
  });

  it('decides every seeded launch of the bench plan, injections and all, as before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        sameRecords(
          BENCH_PLAN,
          { unitsPerMinute: 2000, diurnal: true, durationMs: 3 * 86_400_000 },
          {
            runs: 8,
            seed,
            maxDurationMs: 2 * 86_400_000,
            injections: injections(BENCH_PLAN, [
              'errors=+40%',
              'latency=+15%',
              'conversion=-12%',
              'revenue=-15%',
            ]),
          },
        );
      }),
      { numRuns: 6, seed: 20261203 },
    );
  });

  it('decides every seeded launch of every example plan as before', () => {
    const checkout = planOf(readFileSync('examples/checkout-web.yaml', 'utf8'));
    const history = parseHistory(
      readFileSync('examples/history/checkout-web.csv', 'utf8'),
      checkout,
    );
    if (!history.ok) throw new Error('example history');
    sameRecords(checkout, history.history, {
      runs: 30,
      seed: 11,
      maxDurationMs: 2 * 86_400_000,
      injections: injections(checkout, ['payment_errors=+50%']),
    });
    const others = [
      'examples/payments-migration.yaml',
      'examples/search-ranking-signoff.yaml',
      'examples/demo/checkout-v2.yaml',
      'examples/demo/search-v3.yaml',
      'examples/infra-canary/plan.yaml',
    ].map((f) => planOf(readFileSync(f, 'utf8')));
    for (const [i, plan] of [...others, ALL_KINDS_PLAN].entries())
      sameRecords(
        plan,
        { unitsPerMinute: 1500, diurnal: true, durationMs: 3 * 86_400_000 },
        { runs: 20, seed: 100 + i, maxDurationMs: 2 * 86_400_000, signoffDelayMs: 3_600_000 },
      );
  });
});
