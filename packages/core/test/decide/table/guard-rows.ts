/** Situations about guards, the split, breaches, armed rollback and missing evidence. */
import { expect } from 'vitest';
import { BROKEN, H, M, T0, approval, evidence, stateIn, variant } from '../fixtures.js';
import { P, ready, early, full, canary, requested, ask, hold, operatorPause } from './situation.js';
import type { Row } from './situation.js';

const REVENUE_ON_BREACH = 'on_breach: [notify, { webhook: "https://hooks.example.com/launch" }]';
/** revenue only notifies its owner on a breach (and asks sre when it has no verdict). */
const notifyOnly = variant([REVENUE_ON_BREACH, 'on_breach: notify']);
/** The same, waiting when it has no verdict. */
const notifyOnlyWaits = variant(
  [REVENUE_ON_BREACH, 'on_breach: notify'],
  ['on_insufficient: { ask: [sre] }', 'on_insufficient: wait'],
);
/** revenue does nothing at all on a breach. */
const silent = variant([REVENUE_ON_BREACH, 'on_breach: []']);
/** A risk R3 watches revenue with the given contingency. */
const revenueRisk = (contingency: string) =>
  variant([
    'risks:\n',
    `risks:\n  - { id: R3, title: Refund storm, likelihood: 2, impact: 3, owner: finance, watch: [revenue], contingency: ${contingency} }\n`,
  ]);

const rollbackRisk = revenueRisk('rollback');
const holdRisk = revenueRisk('hold');
const notifyRisk = revenueRisk('{ notify: finance }');

/** Rows, in the order of docs/decide.md. */
export const guardRows: Row[] = [
  // Terminal states
  {
    says: 'a rolled-back launch decides nothing, even when a guard breaches',
    state: canary({ status: 'rolled-back', traffic: 0 }),
    evidence: evidence(P, { verdicts: { errors: 'breach' } }),
    now: ready,
    expect: [],
    summary: /^rolled back/,
  },
  {
    says: 'a completed launch decides nothing',
    state: full({ status: 'completed' }),
    evidence: evidence(P, { verdicts: { latency: 'breach' } }),
    now: T0 + 5 * 24 * H,
    expect: [],
    summary: /^completed/,
  },
  // Advancing
  {
    says: 'a canary that met every condition advances to early at 10%',
    state: canary(),
    evidence: evidence(P),
    now: ready,
    expect: ['advance early'],
    rule: 'phase-ready',
    summary: /^ready: advancing to early at 10%$/,
    check: (d) => expect(d[0]).toMatchObject({ from: 0, to: 1, traffic: 0.1, startsBake: false }),
  },
  {
    says: 'a canary before its minimum duration waits without a decision',
    state: canary(),
    evidence: evidence(P),
    now: T0 + 30 * M,
    expect: [],
    summary: /^waiting: 30m of 1h in canary$/,
  },
  {
    says: 'a canary with too few control units waits, naming the arm',
    state: canary(),
    evidence: evidence(P, { units: [1204, 900] }),
    now: ready,
    expect: [],
    summary: /^waiting: 900 of 1,000 units in control$/,
  },
  {
    says: 'a canary with too few treatment units waits',
    state: canary(),
    evidence: evidence(P, { units: [999, 5000] }),
    now: ready,
    expect: [],
    summary: /^waiting: 999 of 1,000 units in treatment$/,
  },
  {
    says: 'a KPI with insufficient evidence (wait) blocks advancing without a decision',
    plan: variant(['on_insufficient: extend', 'on_insufficient: wait']),
    state: canary(),
    evidence: evidence(P, { verdicts: { conversion: 'insufficient-evidence' } }),
    now: ready,
    expect: [],
    summary: /^waiting: not enough evidence for conversion$/,
  },
  {
    says: 'a KPI missing from the evidence is insufficient, never a pass',
    plan: variant(['on_insufficient: extend', 'on_insufficient: wait']),
    state: canary(),
    evidence: evidence(P, { verdicts: { conversion: null } }),
    now: ready,
    expect: [],
    summary: /not enough evidence for conversion/,
  },
  {
    says: 'an unknown verdict is insufficient, never a pass',
    plan: variant(['on_insufficient: extend', 'on_insufficient: wait']),
    state: canary(),
    evidence: {
      ...evidence(P),
      guards: evidence(P).guards.map((g) =>
        g.kpi === 'conversion' ? { ...g, verdict: 'ok' as never } : g,
      ),
    },
    now: ready,
    expect: [],
  },
  {
    says: 'a launch never skips a phase: a launch long past every minimum advances one phase per look',
    state: canary(),
    evidence: evidence(P),
    now: T0 + 100 * H,
    expect: ['advance early'],
  },
  // The split
  {
    says: 'a broken split holds the launch',
    state: canary(),
    evidence: evidence(P, { srm: BROKEN }),
    now: ready,
    expect: ['hold srm'],
    rule: 'srm',
    summary: /^holding: split is broken \(p=2e-7\)/,
  },
  {
    says: 'a split healthy again releases its hold',
    state: canary({ holds: [hold('srm', 'srm')] }),
    evidence: evidence(P),
    now: T0 + 30 * M,
    expect: ['release-hold srm'],
    rule: 'srm',
  },
  {
    says: 'a split hold released at a ready look lets the launch advance in the same look',
    state: canary({ holds: [hold('srm', 'srm')] }),
    evidence: evidence(P),
    now: ready,
    expect: ['release-hold srm', 'advance early'],
  },
  {
    says: 'a missing split check blocks advancing without a hold',
    state: canary(),
    evidence: { ...evidence(P), srm: undefined as never },
    now: ready,
    expect: [],
    summary: /^waiting: no split check yet$/,
  },
  // Breaches
  {
    says: 'a breach whose on_breach rolls back rolls back at once with traffic 0, and notifies',
    state: canary(),
    evidence: evidence(P, { verdicts: { errors: 'breach' } }),
    now: T0 + 5 * M,
    expect: ['rollback', 'notify oncall'],
    rule: 'guard-breach',
    summary: /^rolled back to 0% by the on_breach of errors: errors /,
    check: (d, look) => {
      expect(d[0]).toMatchObject({ traffic: 0 });
      expect(d[1]).toMatchObject({ key: 'canary:guard-breach:errors:oncall' });
      expect(look.traffic).toBe(0);
    },
  },
  {
    says: 'a breach rolls back when a risk watching the KPI says so, though the KPI only holds',
    state: early(),
    evidence: evidence(P, { verdicts: { cpu: 'breach' } }),
    now: T0 + 5 * M,
    expect: ['rollback'],
    rule: 'risk-contingency',
    check: (d) => {
      expect(d[0]?.reason).toMatch(/contingency of risk R2/);
      expect(d[0]?.evidence.risks?.map((r) => r.id)).toEqual(['R2']);
    },
  },
  {
    says: 'a latency breach pauses (on_breach) over its risk’s hold, and the risk’s notify fires',
    state: canary(),
    evidence: evidence(P, { verdicts: { latency: 'breach' } }),
    now: T0 + 5 * M,
    expect: ['pause', 'notify web'],
    rule: 'guard-breach',
    summary: /^paused: latency breached its guard/,
    check: (d) => expect(d[1]).toMatchObject({ rule: 'risk-contingency' }),
  },
  {
    says: 'the same breach at the next look repeats neither the pause nor the notify',
    state: canary({
      status: 'paused',
      pause: { rule: 'guard-breach', reason: 'latency breached', since: T0 },
      fired: ['canary:guard-breach:latency:pause', 'canary:risk-contingency:latency:web'],
    }),
    evidence: evidence(P, { verdicts: { latency: 'breach' } }),
    now: T0 + 6 * M,
    expect: [],
  },
  {
    says: 'a breach with on_breach hold holds in the phase',
    state: canary(),
    evidence: evidence(P, { verdicts: { jank: 'breach' } }),
    now: ready,
    expect: ['hold breach:jank'],
    rule: 'guard-breach',
    summary: /^holding: jank breached/,
  },
  {
    says: 'a held KPI that still breaches changes nothing',
    state: canary({ holds: [hold('breach:jank', 'guard-breach', 'jank')] }),
    evidence: evidence(P, { verdicts: { jank: 'breach' } }),
    now: ready,
    expect: [],
  },
  {
    says: 'a held KPI that recovers releases the hold (and the launch may advance)',
    state: canary({ holds: [hold('breach:jank', 'guard-breach', 'jank')] }),
    evidence: evidence(P),
    now: ready,
    expect: ['release-hold breach:jank', 'advance early'],
  },
  {
    says: 'a breach with on_breach ask asks product and stops advancing',
    state: canary(),
    evidence: evidence(P, { verdicts: { conversion: 'breach' } }),
    now: ready,
    expect: ['ask product'],
    summary: /^waiting for sign-off: product 0\/1 \(breach:conversion\)$/,
  },
  {
    says: 'an answered ask (approval after it) lets a recovered launch advance',
    state: canary({ asks: [ask('breach:conversion', 'conversion', ['product'], T0 + 30 * M)] }),
    evidence: evidence(P, { approvals: [approval('product', 'canary', 'pia', T0 + 40 * M)] }),
    now: ready,
    expect: ['advance early'],
  },
  {
    says: 'an approval given before the ask does not answer it',
    state: canary({ asks: [ask('breach:conversion', 'conversion', ['product'], T0 + 30 * M)] }),
    evidence: evidence(P, { approvals: [approval('product', 'canary', 'pia', T0 + 20 * M)] }),
    now: ready,
    expect: [],
    summary: /^waiting for sign-off: product 0\/1/,
  },
  {
    says: 'an answered ask does not override a guard that still breaches',
    state: canary({
      asks: [ask('breach:conversion', 'conversion', ['product'], T0 + 30 * M)],
      fired: ['canary:guard-breach:conversion:ask'],
    }),
    evidence: evidence(P, {
      verdicts: { conversion: 'breach' },
      approvals: [approval('product', 'canary', 'pia', T0 + 40 * M)],
    }),
    now: ready,
    expect: [],
    summary: /^waiting: conversion in breach$/,
  },
  {
    says: 'a rejected ask pauses, quoting the rejecter',
    state: canary({ asks: [ask('breach:conversion', 'conversion', ['product'], T0 + 30 * M)] }),
    evidence: evidence(P, {
      approvals: [
        approval('product', 'canary', 'pia', T0 + 40 * M, {
          decision: 'reject',
          comment: 'conversion matters more than speed',
        }),
      ],
    }),
    now: ready,
    expect: ['pause'],
    rule: 'signoff-rejected',
    check: (d) => expect(d[0]?.reason).toMatch(/"conversion matters more than speed"/),
  },
  // Advisory breaches: the KPI's response and its risks' contingencies only notify or call webhooks
  {
    says: 'an advisory breach (on_breach notify only) notifies once and advances anyway, saying so',
    plan: notifyOnly,
    state: canary(),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: ['notify team-owner', 'advance early'],
    rule: 'guard-breach',
    summary:
      /^ready: advancing to early at 10%; revenue breaches its guard \(\+14% \[\+8%, \+20%\] > 10%\): advisory, the plan only notifies — advancing anyway$/,
    check: (d) => {
      expect(d[0]?.reason).toMatch(/: notifying team-owner \(advisory: the plan only notifies/);
      expect(d[1]).toMatchObject({ rule: 'phase-ready', from: 0, to: 1 });
      expect(d[1]?.reason).toMatch(
        /5 of 6 guards pass, 1 advisory breach, split healthy\): advancing to early at 10%; revenue breaches its guard \(\+14% \[\+8%, \+20%\] > 10%\): advisory, the plan only notifies — advancing anyway$/,
      );
    },
  },
  {
    says: 'an advisory breach with a notify and a webhook fires both once and advances anyway',
    state: canary(),
    evidence: evidence(P, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: ['notify team-owner', 'webhook https://hooks.example.com/launch', 'advance early'],
  },
  {
    says: 'an advisory breach notifies at once, before the minimum duration, and the look names it',
    plan: notifyOnly,
    state: canary(),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: T0 + 30 * M,
    expect: ['notify team-owner'],
    summary:
      /^waiting: 30m of 1h in canary; revenue in breach \(advisory: the plan only notifies\)$/,
    check: (_d, look) =>
      expect(look.conditions.find((c) => c.id === 'guards')).toMatchObject({
        met: true,
        breach: [],
        advisory: ['revenue'],
      }),
  },
  {
    says: 'an advisory breach repeated at later looks of the phase notifies no one again',
    plan: notifyOnly,
    state: canary({ fired: ['canary:guard-breach:revenue:team-owner'] }),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: T0 + 50 * M,
    expect: [],
    summary: /^waiting: 50m of 1h in canary; revenue in breach \(advisory/,
  },
  {
    says: 'an advisory breach still there in the next phase notifies once more, for that phase',
    plan: notifyOnly,
    state: stateIn(notifyOnly, 1, T0 + 2 * H, {
      fired: ['canary:guard-breach:revenue:team-owner'],
    }),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: T0 + 2 * H + 10 * M,
    expect: ['notify team-owner'],
    check: (d) => expect(d[0]).toMatchObject({ key: 'early:guard-breach:revenue:team-owner' }),
  },
  {
    says: 'an advisory breach watched by a risk whose contingency rolls back rolls back',
    plan: rollbackRisk,
    state: canary(),
    evidence: evidence(rollbackRisk, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: ['rollback', 'notify team-owner', 'webhook https://hooks.example.com/launch'],
    rule: 'risk-contingency',
    check: (d) => expect(d[0]?.reason).toMatch(/contingency of risk R3/),
  },
  {
    says: 'a notify-only breach watched by a risk that holds is not advisory: it holds',
    plan: holdRisk,
    state: canary(),
    evidence: evidence(holdRisk, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: [
      'hold breach:revenue',
      'notify team-owner',
      'webhook https://hooks.example.com/launch',
    ],
    rule: 'risk-contingency',
  },
  {
    says: 'a breach whose risk only notifies too stays advisory: every target hears once',
    plan: notifyRisk,
    state: canary(),
    evidence: evidence(notifyRisk, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: [
      'notify team-owner',
      'webhook https://hooks.example.com/launch',
      'notify finance',
      'advance early',
    ],
    check: (d) => expect(d[2]).toMatchObject({ rule: 'risk-contingency' }),
  },
  {
    says: 'an advisory breach beside a blocking one: both respond, the launch does not advance',
    state: canary(),
    evidence: evidence(P, { verdicts: { revenue: 'breach', jank: 'breach' } }),
    now: ready,
    expect: ['notify team-owner', 'webhook https://hooks.example.com/launch', 'hold breach:jank'],
    summary: /^holding: jank breached/,
  },
  {
    says: 'a breach with no action at all (on_breach: []) is not advisory: it blocks',
    plan: silent,
    state: canary(),
    evidence: evidence(silent, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: [],
    summary: /^waiting: revenue in breach$/,
  },
  {
    says: 'an advisory KPI with insufficient evidence still waits: no verdict is never a pass',
    plan: notifyOnlyWaits,
    state: canary(),
    evidence: evidence(notifyOnlyWaits, { verdicts: { revenue: 'insufficient-evidence' } }),
    now: ready,
    expect: [],
    summary: /^waiting: not enough evidence for revenue$/,
  },
  {
    says: 'an advisory KPI with insufficient evidence still follows its on_insufficient (ask sre)',
    plan: notifyOnly,
    state: canary(),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'insufficient-evidence' } }),
    now: ready,
    expect: ['ask sre'],
    rule: 'insufficient-evidence',
  },
  {
    says: 'an advisory breach at 100% after the bake completes anyway, saying so',
    plan: notifyOnly,
    state: stateIn(notifyOnly, 3, T0),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: T0 + 24 * H,
    expect: ['notify team-owner', 'complete'],
    summary:
      /^completed .*revenue breaches its guard .*: advisory, the plan only notifies — completing anyway$/,
  },
  {
    says: 'an advisory breach does not stop a paused launch from staying paused',
    plan: notifyOnly,
    state: stateIn(notifyOnly, 0, T0, { status: 'paused', pause: operatorPause }),
    evidence: evidence(notifyOnly, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: ['notify team-owner'],
    summary: /^paused: paused by ana/,
  },
  {
    says: 'two breaches at once each get their own response and side effects',
    state: canary(),
    evidence: evidence(P, { verdicts: { latency: 'breach', jank: 'breach' } }),
    now: ready,
    expect: ['pause', 'notify web', 'hold breach:jank'],
  },
  // Rollback stays armed
  {
    says: 'rollback stays armed while an operator has paused the launch',
    state: canary({ status: 'paused', pause: operatorPause }),
    evidence: evidence(P, { verdicts: { errors: 'breach' } }),
    now: ready,
    expect: ['rollback', 'notify oncall'],
  },
  {
    says: 'rollback stays armed while holding on a broken split',
    state: canary({ holds: [hold('srm', 'srm')] }),
    evidence: evidence(P, { verdicts: { errors: 'breach' }, srm: BROKEN }),
    now: ready,
    expect: ['rollback', 'notify oncall'],
  },
  {
    says: 'rollback stays armed while waiting for a sign-off',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, { verdicts: { errors: 'breach' } }),
    now: T0 + 2 * H,
    expect: ['rollback', 'notify oncall'],
  },
  {
    says: 'rollback stays armed during the bake at 100%',
    state: full(),
    evidence: evidence(P, { verdicts: { cpu: 'breach' } }),
    now: T0 + 12 * H,
    expect: ['rollback'],
  },
  // Insufficient evidence
  {
    says: 'an extend KPI without a verdict before the minimum duration just waits',
    state: canary(),
    evidence: evidence(P, { verdicts: { conversion: 'insufficient-evidence' } }),
    now: T0 + 30 * M,
    expect: [],
  },
  {
    says: 'an extend KPI without a verdict after the minimum duration extends the phase once',
    state: canary(),
    evidence: evidence(P, { verdicts: { conversion: 'insufficient-evidence' } }),
    now: ready,
    expect: ['extend conversion'],
    rule: 'insufficient-evidence',
    check: (d) => expect(d[0]?.reason).toMatch(/keeping canary open/),
  },
  {
    says: 'an extended phase does not extend again',
    state: canary({ fired: ['canary:insufficient-evidence:conversion:extend'] }),
    evidence: evidence(P, { verdicts: { conversion: 'insufficient-evidence' } }),
    now: ready + H,
    expect: [],
  },
  {
    says: 'a hold KPI without a verdict after the minimum duration holds and notifies the owner',
    state: canary(),
    evidence: evidence(P, { verdicts: { jank: 'insufficient-evidence' } }),
    now: ready,
    expect: ['hold insufficient:jank', 'notify team-owner'],
  },
  {
    says: 'a KPI held for missing evidence releases its hold once it has a verdict',
    state: canary({ holds: [hold('insufficient:jank', 'insufficient-evidence', 'jank')] }),
    evidence: evidence(P),
    now: T0 + 30 * M,
    expect: ['release-hold insufficient:jank'],
  },
  {
    says: 'an ask KPI without a verdict after the minimum duration asks sre',
    state: canary(),
    evidence: evidence(P, { verdicts: { revenue: 'insufficient-evidence' } }),
    now: ready,
    expect: ['ask sre'],
    rule: 'insufficient-evidence',
  },
];
