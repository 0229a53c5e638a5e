/**
 * The simulator's fast path (verdicts first, reasons only for looks that decide
 * something; quantile sketches as running counts) against its reference path
 * (reasons whenever decide() may quote one, before deciding; sketches that list
 * every bucket, as a store's do), both computed now on the same code: every
 * record and the whole report must be identical. Seeded runs over plans that
 * exercise breaches, on_insufficient actions, sign-offs, holdouts, windows and
 * quantile KPIs.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseHistory,
  parseInjection,
  prepareRehearsal,
  rehearse,
  simulateRuns,
} from '@threshold/core';
import type { Plan, RehearsalOptions } from '@threshold/core';
import { ALL_KINDS_PLAN, planOf } from './fixtures.js';

const example = (name: string) => {
  const parsed = planOf(readFileSync(`examples/${name}.yaml`, 'utf8'));
  return parsed;
};

const ACTING_PLAN = planOf(`
launch: acting
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 1h, min_units: 200 }
  - { name: half, traffic: 50%, min_duration: 2h, signoff: [product] }
  - { name: full, traffic: 100%, bake: 1h }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 10% }, on_breach: { ask: [product] }, on_insufficient: hold }
  operational-health:
    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 20% }, on_breach: rollback, on_insufficient: { ask: [product] } }
    - { name: p95, kind: quantile, q: 0.95, event: l, window: 1h, guard: { max_increase: 10% }, on_breach: pause }
  efficiency:
    - { name: cost, kind: count, event: c, guard: { max_increase: 20% }, on_breach: hold }
signoff:
  roles: { product: 1 }
`);

// A blocking probe that an injection fails from the second phase: the launch holds
// there while its guards stay armed (looks before a minimum duration with a hold
// are decided in full).
const PROBED_PLAN = planOf(`
launch: probed
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 2h, min_units: 200 }
  - { name: half, traffic: 50%, min_duration: 4h }
  - { name: full, traffic: 100%, bake: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 20% }, on_breach: rollback }
    - { name: p95, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% }, on_breach: hold }
readiness:
  - check: Payments API healthy
    owner: sre
    probe: { url: 'https://payments.internal/healthz' }
`);

function bothPaths(plan: Plan, source: Parameters<typeof rehearse>[1], options: RehearsalOptions) {
  const prepared = prepareRehearsal(plan, source, options);
  // Every look the fast path settles without decide() is decided anyway, and must decide nothing.
  const fast = { ...prepared, simulation: { ...prepared.simulation, checkQuietLooks: true } };
  const reference = prepareRehearsal(plan, source, { ...options, reference: true });
  const scenarios = 1 + fast.injections.length;
  for (let s = 0; s < scenarios; s++)
    expect(simulateRuns(fast, s, 0, fast.runs)).toEqual(
      simulateRuns(reference, s, 0, reference.runs),
    );
}

describe('rehearsal fast path', () => {
  it('gives the reference path’s records for seeded runs of plans that act on every kind of verdict', () => {
    const plans = [ACTING_PLAN, ALL_KINDS_PLAN];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: plans.length - 1 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(300_000, 600_000, 1_800_000),
        fc.constantFrom('+0%', '+30%', '+80%', '-30%'),
        fc.constantFrom(0, 3_600_000),
        (which, seed, lookIntervalMs, size, signoffDelayMs) => {
          const plan = plans[which] as Plan;
          const kpi = which === 0 ? 'errors' : 'conversion';
          const injection = parseInjection(`${kpi}=${size}`, plan);
          if (!injection.ok) throw new Error(injection.message);
          bothPaths(
            plan,
            { unitsPerMinute: 400, diurnal: true, durationMs: 2 * 86_400_000 },
            {
              runs: 6,
              seed,
              lookIntervalMs,
              signoffDelayMs,
              maxDurationMs: 86_400_000,
              injections: [injection.injection],
            },
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  it('gives the reference path’s records when a probe fails and a guard holds', () => {
    const failing = parseInjection('check:Payments API healthy@half', PROBED_PLAN);
    const worse = parseInjection('p95=+40%', PROBED_PLAN);
    if (!failing.ok || !worse.ok) throw new Error('injection');
    for (const seed of [1, 2])
      bothPaths(
        PROBED_PLAN,
        { unitsPerMinute: 400, diurnal: true, durationMs: 2 * 86_400_000 },
        {
          runs: 8,
          seed,
          maxDurationMs: 86_400_000,
          injections: [failing.injection, worse.injection],
        },
      );
  });

  it('gives the reference path’s report for the example plans and histories', () => {
    const checkout = example('checkout-web');
    const history = parseHistory(
      readFileSync('examples/history/checkout-web.csv', 'utf8'),
      checkout,
    );
    if (!history.ok) throw new Error('example history');
    const inj = parseInjection('payment_errors=+100%', checkout);
    if (!inj.ok) throw new Error(inj.message);
    const options = {
      runs: 8,
      seed: 7,
      maxDurationMs: 2 * 86_400_000,
      injections: [inj.injection],
    };
    expect(JSON.stringify(rehearse(checkout, history.history, options))).toBe(
      JSON.stringify(rehearse(checkout, history.history, { ...options, reference: true })),
    );
    const payments = example('payments-migration');
    bothPaths(
      payments,
      { unitsPerMinute: 3000, durationMs: 3 * 86_400_000 },
      { runs: 6, seed: 3, lookIntervalMs: 1_800_000, signoffDelayMs: 7_200_000 },
    );
  });
});
