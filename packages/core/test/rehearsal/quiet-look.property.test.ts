/**
 * The simulator settles a look without decide() only before the phase's minimum
 * duration, with a healthy split, no guard in breach and quietBefore(state): there
 * decide() must decide nothing, whatever holds, asks, sign-off requests, fired
 * keys, approvals and probe results the launch has. Random launch states and
 * evidence; decide() itself is the judge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSampleRatio, decide, evaluateGuards, initialLaunchState } from '../../src/index.js';
import type { Approval, Hold, LaunchState, PendingAsk, SignoffRequest } from '../../src/index.js';
import type { ArmAggregates } from '../../src/statistics/index.js';
import { quietBefore } from '../../src/rehearsal/quiet-look.js';
import { planOf } from './fixtures.js';

const PLAN = planOf(`
launch: quiet
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 2h, min_units: 50 }
  - { name: half, traffic: 50%, min_duration: 2h, min_units: 50, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h, bake: 1h }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 10% }, on_breach: { ask: [product] }, on_insufficient: hold }
  operational-health:
    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 20% }, on_breach: rollback, on_insufficient: { ask: [product] } }
    - { name: slow, kind: occurrence, event: slow, guard: { max_increase: 10% }, on_breach: hold }
  efficiency:
    - { name: cost, kind: count, event: c, guard: { max_increase: 20% }, on_breach: notify }
readiness:
  - check: Payments API healthy
    owner: sre
    probe: { url: 'https://payments.internal/healthz' }
signoff:
  roles: { product: 1 }
  deadline: 1h
`);
const KPIS = ['conversion', 'errors', 'slow', 'cost'];
const HOUR = 3_600_000;

const HOLDS: Hold[] = [
  { id: 'breach:slow', rule: 'guard-breach', kpi: 'slow', since: 0, reason: 'slow breached' },
  {
    id: 'insufficient:conversion',
    rule: 'insufficient-evidence',
    kpi: 'conversion',
    since: 0,
    reason: 'thin',
  },
  { id: 'srm', rule: 'srm', since: 0, reason: 'split' },
  { id: 'check:Payments API healthy', rule: 'readiness-check', since: 0, reason: 'probe' },
  {
    id: 'signoff-deadline:half',
    rule: 'signoff-deadline',
    forPhase: 'half',
    since: 0,
    reason: 'late',
  },
];

const arm = (units: number, rate: number) => ({
  kind: 'occurrence' as const,
  units,
  sum: Math.round(units * rate),
  sumSquares: Math.round(units * rate),
});

const world = fc.record({
  phase: fc.constantFrom(0, 1, 2),
  elapsed: fc.integer({ min: 0, max: 3 * HOUR }),
  // Mostly quiet launches, so that both sides come up often.
  holds: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Hold[]>([]) },
    { weight: 2, arbitrary: fc.subarray(HOLDS) },
  ),
  ask: fc.constantFrom(false, false, false, true),
  request: fc.constantFrom('none', 'none', 'none', 'pending', 'late', 'expired'),
  approvals: fc.integer({ min: 0, max: 2 }),
  checks: fc.constantFrom('none', 'pass', 'pass', 'fail'),
  units: fc.integer({ min: 0, max: 20_000 }),
  skew: fc.constantFrom(1, 1, 1, 0.7),
  rates: fc.array(
    fc.tuple(fc.double({ min: 0.01, max: 0.3, noNaN: true }), fc.integer({ min: -40, max: 40 })),
    {
      minLength: 4,
      maxLength: 4,
    },
  ),
});

describe('quietBefore', () => {
  it('holds decide() to deciding nothing at the looks the simulator settles without it', () => {
    let settled = 0;
    let decidedOtherwise = 0;
    fc.assert(
      fc.property(world, (w) => {
        const phase = PLAN.phases[w.phase];
        if (phase === undefined) throw new Error('phase');
        const next = PLAN.phases[w.phase + 1]?.name;
        const base = initialLaunchState(PLAN, { planVersion: 1, now: 0 });
        const asks: PendingAsk[] = w.ask
          ? [
              {
                id: 'breach:conversion',
                rule: 'guard-breach',
                kpi: 'conversion',
                roles: ['product'],
                phase: phase.name,
                since: 0,
                reason: 'conversion fell',
              },
            ]
          : [];
        const now = 10 * HOUR + w.elapsed;
        const requests: SignoffRequest[] =
          w.request === 'none' || next === undefined
            ? []
            : [
                {
                  phase: next,
                  role: 'product',
                  requestedAt: now - 2 * HOUR,
                  deadlineAt: w.request === 'pending' ? now + HOUR : now - HOUR,
                  expired: w.request === 'expired',
                },
              ];
        const state: LaunchState = {
          ...base,
          phaseIndex: w.phase,
          phase: phase.name,
          phaseStartedAt: 10 * HOUR,
          traffic: phase.traffic,
          bakeStartedAt: w.phase === 2 ? 10 * HOUR : null,
          holds: w.holds,
          asks,
          signoffRequests: requests,
        };
        const approvals: Approval[] = [];
        for (let i = 0; i < w.approvals; i++)
          approvals.push({
            role: 'product',
            phase: i === 0 ? (next ?? phase.name) : phase.name,
            decision: 'approve',
            actor: `p${i}`,
            planVersion: 1,
            at: now - HOUR / 2,
          });
        const p = phase.traffic;
        const treatment = Math.round(w.units * p * w.skew);
        const control = p < 1 ? w.units - Math.round(w.units * p) : 0;
        const data: Record<string, ArmAggregates> = {};
        KPIS.forEach((name, i) => {
          const [rate, pct] = w.rates[i] ?? [0.1, 0];
          data[name] = {
            treatment:
              name === 'cost'
                ? { ...arm(treatment, rate), kind: 'count' }
                : arm(treatment, rate * (1 + pct / 100)),
            ...(control > 0
              ? {
                  control:
                    name === 'cost'
                      ? { ...arm(control, rate), kind: 'count' as const }
                      : arm(control, rate),
                }
              : {}),
          };
        });
        const guards = evaluateGuards(PLAN, data, {
          minUnits: phase.min_units,
          phaseElapsedMs: w.elapsed,
        });
        const srm = checkSampleRatio({ treatment, control }, { treatment: p, control: 1 - p });
        const checks =
          w.checks === 'none'
            ? undefined
            : [{ check: 'Payments API healthy', passed: w.checks === 'pass', reason: w.checks }];
        const evidence = {
          guards,
          srm,
          units: { treatment, control },
          approvals,
          ...(checks === undefined ? {} : { checks }),
        };
        const result = decide(PLAN, state, evidence, now, { explain: false });
        const settles =
          w.elapsed < phase.min_duration &&
          srm.healthy !== false &&
          !guards.some((g) => g.verdict === 'breach') &&
          quietBefore(state, next, checks);
        if (settles) {
          settled++;
          expect(result.decisions.map((d) => d.reason)).toEqual([]);
        } else if (w.elapsed < phase.min_duration && result.decisions.length > 0)
          decidedOtherwise++;
      }),
      { numRuns: 3000, seed: 20261203 },
    );
    // Both sides come up: looks it settles, and early looks where decide() does act.
    expect(settled).toBeGreaterThan(100);
    expect(decidedOtherwise).toBeGreaterThan(100);
  });
});
