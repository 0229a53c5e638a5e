/**
 * decide() as a table: each row is a situation, read as a sentence, and the
 * decisions it must produce (in order, in a few words each: see `brief`).
 */
import { describe, expect, it } from 'vitest';
import { PRE_START_PHASE, decide, initialLaunchState } from '../../src/index.js';
import type { Decision, Evidence, LaunchState, Look, Plan } from '../../src/index.js';
import {
  BROKEN,
  H,
  M,
  RULES,
  T0,
  approval,
  brief,
  evidence,
  guard,
  stateIn,
  variant,
} from './fixtures.js';

interface Row {
  says: string;
  plan?: Plan;
  state: LaunchState;
  evidence: Evidence;
  now: number;
  expect: string[];
  /** Rule of the first decision. */
  rule?: string;
  summary?: RegExp;
  check?: (decisions: Decision[], look: Look) => void;
}

const P = RULES;
const ready = T0 + 2 * H; // canary entered at T0, min_duration 1h: ready
const early = (extra: Partial<LaunchState> = {}) => stateIn(P, 1, T0, extra);
const full = (extra: Partial<LaunchState> = {}) => stateIn(P, 3, T0, extra);
const canary = (extra: Partial<LaunchState> = {}) => stateIn(P, 0, T0, extra);
const requested = (at: number, deadlineAt: number | null) => ({
  signoffRequests: [
    { phase: 'half', role: 'product', requestedAt: at, deadlineAt, expired: false },
  ],
  fired: ['early:signoff-quorum:half:request', 'early:signoff-quorum:half:product'],
});
const ask = (id: string, kpi: string, roles: string[], since: number, phase = 'canary') => ({
  id,
  rule: 'guard-breach' as const,
  kpi,
  roles,
  phase,
  since,
  reason: `${kpi} breached`,
});
const hold = (id: string, rule: LaunchState['holds'][number]['rule'], kpi?: string) => ({
  id,
  rule,
  ...(kpi === undefined ? {} : { kpi }),
  since: T0 + 30 * M,
  reason: `${id} held`,
});
const operatorPause = {
  rule: 'operator',
  reason: 'paused by ana: checking a support ticket',
  since: T0 + 10 * M,
  actor: 'ana',
};

const gated = variant([
  '- { name: canary, traffic: 1%,',
  '- { name: canary, traffic: 1%, signoff: [product],',
]);
const rollbackOnDeadline = variant([
  '  deadline: 1d\n',
  '  deadline: 1d\n  on_deadline: rollback\n',
]);
const noBake = variant([', bake: 1d }', ' }']);
const holdout = variant(['launch: rules\n', 'launch: rules\ncontrol: holdout\n']);
const twoRoles = variant([
  'signoff: { roles: [product], deadline: 2h }',
  'signoff: [product, sre]',
]);
const keepApprovals = variant(['  deadline: 1d\n', '  deadline: 1d\n  reset_on_edit: false\n']);
const selfApproval = variant(['  deadline: 1d\n', '  deadline: 1d\n  allow_self_approval: true\n']);

const rows: Row[] = [
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
    summary: /^rolled back: errors breached/,
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
  {
    says: 'a notify-and-webhook breach fires both once and keeps the launch where it is',
    state: canary(),
    evidence: evidence(P, { verdicts: { revenue: 'breach' } }),
    now: ready,
    expect: ['notify team-owner', 'webhook https://hooks.example.com/launch'],
    summary: /^waiting: revenue in breach$/,
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
  // Sign-offs
  {
    says: 'an early phase ready but for half’s sign-off requests it once and notifies product',
    state: early(),
    evidence: evidence(P),
    now: T0 + 2 * H,
    expect: ['request-signoff half', 'notify product'],
    rule: 'signoff-quorum',
    summary: /^waiting for sign-off: product 0\/1$/,
    check: (d) =>
      expect(d[0]).toMatchObject({
        roles: [{ role: 'product', quorum: 1, deadlineAt: T0 + 4 * H }],
      }),
  },
  {
    says: 'a sign-off is not requested while anything else is missing',
    state: early(),
    evidence: evidence(P, { units: [500, 500] }),
    now: T0 + 2 * H,
    expect: [],
  },
  {
    says: 'a requested sign-off that reached quorum advances to half',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'pia', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: ['advance half'],
    rule: 'signoff-quorum',
    check: (d) => expect(d[0]?.evidence.signoff?.roles[0]?.approvers).toEqual(['pia']),
  },
  {
    says: 'an approval given before the request still counts for the phase it names',
    state: early(),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'pia', T0 - H)] }),
    now: T0 + 2 * H,
    expect: ['advance half'],
  },
  {
    says: 'an approval for another phase does not count',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, { approvals: [approval('product', 'full', 'pia', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: [],
  },
  {
    says: 'an approval of an older plan version does not count when edits reset approvals',
    state: early({ ...requested(T0 + H, T0 + 3 * H), planVersion: 2 }),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'pia', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: [],
    summary: /product 0\/1/,
  },
  {
    says: 'an approval of an older plan version counts when reset_on_edit is false',
    plan: keepApprovals,
    state: early({ ...requested(T0 + H, T0 + 3 * H), planVersion: 2 }),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'pia', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: ['advance half'],
  },
  {
    says: 'the launch’s starter cannot approve it',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'starter', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: [],
  },
  {
    says: 'the starter can approve when allow_self_approval is set',
    plan: selfApproval,
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'starter', T0 + 90 * M)] }),
    now: T0 + 2 * H,
    expect: ['advance half'],
  },
  {
    says: 'one person approving twice counts once toward a quorum of two',
    plan: twoRoles,
    state: early(),
    evidence: evidence(P, {
      approvals: [
        approval('product', 'half', 'pia', T0 + 60 * M),
        approval('sre', 'half', 'sam', T0 + 70 * M),
        approval('sre', 'half', 'sam', T0 + 80 * M),
      ],
    }),
    now: T0 + 2 * H,
    expect: ['request-signoff half', 'notify sre'],
    summary: /^waiting for sign-off: product 1\/1, sre 1\/2$/,
  },
  {
    says: 'a rejection by a required role pauses with the rejecter’s comment',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, {
      approvals: [
        approval('product', 'half', 'pia', T0 + 90 * M, {
          decision: 'reject',
          comment: 'wait for the holiday freeze to end',
        }),
      ],
    }),
    now: T0 + 2 * H,
    expect: ['pause'],
    rule: 'signoff-rejected',
    check: (d) =>
      expect(d[0]?.reason).toMatch(
        /pia \(product\) rejected .*"wait for the holiday freeze to end"/,
      ),
  },
  {
    says: 'a later approval by the same person withdraws their rejection',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P, {
      approvals: [
        approval('product', 'half', 'pia', T0 + 70 * M, { decision: 'reject' }),
        approval('product', 'half', 'pia', T0 + 90 * M),
      ],
    }),
    now: T0 + 2 * H,
    expect: ['advance half'],
  },
  {
    says: 'a sign-off past its deadline expires, holds, and notifies the owner and the role',
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P),
    now: T0 + 3 * H,
    expect: [
      'signoff-expired half product',
      'hold signoff-deadline:half',
      'notify team-owner',
      'notify product',
    ],
    rule: 'signoff-deadline',
  },
  {
    says: 'a sign-off past its deadline rolls back when on_deadline is rollback',
    plan: rollbackOnDeadline,
    state: early(requested(T0 + H, T0 + 3 * H)),
    evidence: evidence(P),
    now: T0 + 3 * H,
    expect: ['signoff-expired half product', 'rollback'],
  },
  {
    says: 'a late quorum releases the deadline hold and advances',
    state: (() => {
      const s = early(requested(T0 + H, T0 + 3 * H));
      return {
        ...s,
        signoffRequests: s.signoffRequests.map((r) => ({ ...r, expired: true })),
        holds: [{ ...hold('signoff-deadline:half', 'signoff-deadline'), forPhase: 'half' }],
      };
    })(),
    evidence: evidence(P, { approvals: [approval('product', 'half', 'pia', T0 + 4 * H)] }),
    now: T0 + 5 * H,
    expect: ['release-hold signoff-deadline:half', 'advance half'],
  },
  {
    says: 'without a phase deadline the role’s own deadline applies',
    plan: variant(['signoff: { roles: [product], deadline: 2h }', 'signoff: [sre]']),
    state: early(),
    evidence: evidence(P),
    now: T0 + 2 * H,
    expect: ['request-signoff half', 'notify sre'],
    check: (d) =>
      expect(d[0]).toMatchObject({ roles: [{ role: 'sre', quorum: 2, deadlineAt: T0 + 5 * H }] }),
  },
  {
    says: 'without phase or role deadline the policy deadline applies',
    plan: twoRoles,
    state: early(),
    evidence: evidence(P),
    now: T0 + 2 * H,
    expect: ['request-signoff half', 'notify product', 'notify sre'],
    check: (d) =>
      expect(d[0]).toMatchObject({
        roles: [
          { role: 'product', deadlineAt: T0 + 26 * H },
          { role: 'sre', deadlineAt: T0 + 5 * H },
        ],
      }),
  },
  // The first phase's own sign-off
  {
    says: 'a launch whose first phase needs a sign-off starts at 0% and requests it',
    plan: gated,
    state: initialLaunchState(gated, { planVersion: 1, now: T0 }),
    evidence: evidence(gated, { units: [0, 0] }),
    now: T0,
    expect: ['request-signoff canary', 'notify product'],
    summary: /^waiting for sign-off to start canary: product 0\/1$/,
    check: (_d, look) => {
      expect(look.phase).toBe(PRE_START_PHASE);
      expect(look.traffic).toBe(0);
    },
  },
  {
    says: 'a launch whose first phase’s sign-off is reached starts it at its traffic',
    plan: gated,
    state: initialLaunchState(gated, { planVersion: 1, now: T0 }),
    evidence: evidence(gated, { approvals: [approval('product', 'canary', 'pia', T0 + M)] }),
    now: T0 + 2 * M,
    expect: ['advance canary'],
    check: (d) => expect(d[0]).toMatchObject({ from: -1, to: 0, traffic: 0.01 }),
  },
  // The last phase
  {
    says: 'a full phase within its bake keeps baking',
    state: full(),
    evidence: evidence(P),
    now: T0 + 12 * H,
    expect: [],
    summary: /^baking: 12h of 1d at 100%$/,
  },
  {
    says: 'a full phase whose bake passed with every condition met completes',
    state: full(),
    evidence: evidence(P),
    now: T0 + 24 * H,
    expect: ['complete'],
    rule: 'bake-complete',
  },
  {
    says: 'at 100% with control "rest", comparisons without a control arm do not block completion',
    state: full(),
    evidence: evidence(P, {
      verdicts: {
        errors: 'insufficient-evidence',
        conversion: 'insufficient-evidence',
      },
      units: [10_000, 0],
      guardUnits: [10_000, 0],
    }),
    now: T0 + 24 * H,
    expect: ['complete'],
    check: (d) => expect(d[0]?.reason).toMatch(/without a control arm at 100%/),
  },
  {
    says: 'at 100% a guard that lacks treatment data still blocks completion',
    state: full(),
    evidence: evidence(P, {
      verdicts: { errors: 'insufficient-evidence' },
      units: [10_000, 0],
      guardUnits: [0, 0],
    }),
    now: T0 + 24 * H,
    expect: [],
  },
  {
    says: 'a full phase with holdout control still needs control units',
    plan: holdout,
    state: stateIn(holdout, 3, T0),
    evidence: evidence(holdout, { units: [10_000, 0] }),
    now: T0 + 24 * H,
    expect: [],
    summary: /units in control/,
  },
  {
    says: 'a full phase without bake completes once its minimum duration and units are met',
    plan: noBake,
    state: stateIn(noBake, 3, T0),
    evidence: evidence(noBake, { units: [10_000, 0] }),
    now: T0 + H,
    expect: ['complete'],
    rule: 'phase-ready',
  },
  {
    says: 'a full phase whose bake passed but that holds does not complete',
    state: full({ holds: [hold('breach:jank', 'guard-breach', 'jank')] }),
    evidence: evidence(P, { verdicts: { jank: 'breach' } }),
    now: T0 + 24 * H,
    expect: [],
    summary: /^holding/,
  },
  // Paused
  {
    says: 'a paused launch with every condition met does not advance',
    state: canary({ status: 'paused', pause: operatorPause }),
    evidence: evidence(P),
    now: ready,
    expect: [],
    summary: /^paused: paused by ana: checking a support ticket$/,
  },
  {
    says: 'a paused launch still takes holds and fires side effects',
    state: canary({ status: 'paused', pause: operatorPause }),
    evidence: evidence(P, { verdicts: { jank: 'breach', revenue: 'breach' } }),
    now: ready,
    expect: ['notify team-owner', 'webhook https://hooks.example.com/launch', 'hold breach:jank'],
  },
  {
    says: 'a pause from a breach that began during an operator pause is not taken while paused',
    state: canary({ status: 'paused', pause: operatorPause }),
    evidence: evidence(P, { verdicts: { latency: 'breach' } }),
    now: ready,
    expect: ['notify web'],
  },
];

describe('decide(): situations and their decisions', () => {
  it.each(rows.map((r) => [r.says, r] as const))('%s', (_says, row) => {
    const { decisions, look } = decide(row.plan ?? P, row.state, row.evidence, row.now);
    expect(decisions.map(brief)).toEqual(row.expect);
    if (row.rule !== undefined) expect(decisions[0]?.rule).toBe(row.rule);
    if (row.summary !== undefined) expect(look.summary).toMatch(row.summary);
    for (const d of decisions) {
      expect(d.at).toBe(row.now);
      expect(d.reason.length).toBeGreaterThan(10);
      expect(d.planVersion).toBe(row.state.planVersion);
    }
    row.check?.(decisions, look);
  });

  it('has a row for every rule and decision type', () => {
    const types = new Set<string>();
    const rules = new Set<string>();
    for (const row of rows) {
      const { decisions } = decide(row.plan ?? P, row.state, row.evidence, row.now);
      for (const d of decisions) {
        types.add(d.type);
        rules.add(d.rule);
      }
    }
    // resume and operator decisions come from operatorAction (tested on their own).
    expect([...types].sort()).toEqual(
      [
        'advance',
        'ask',
        'complete',
        'extend',
        'hold',
        'notify',
        'pause',
        'release-hold',
        'request-signoff',
        'rollback',
        'signoff-expired',
        'webhook',
      ].sort(),
    );
    expect([...rules].sort()).toEqual(
      [
        'bake-complete',
        'guard-breach',
        'insufficient-evidence',
        'phase-ready',
        'risk-contingency',
        'signoff-deadline',
        'signoff-quorum',
        'signoff-rejected',
        'srm',
      ].sort(),
    );
  });
});

describe('decide(): the look', () => {
  it('lists each condition of advancing, met or not', () => {
    const { look } = decide(P, canary(), evidence(P, { units: [1204, 900] }), T0 + 30 * M);
    expect(look.conditions.map((c) => [c.id, c.met])).toEqual([
      ['running', true],
      ['no-holds', true],
      ['no-asks', true],
      ['min-duration', false],
      ['min-units', false],
      ['guards', true],
      ['srm', true],
    ]);
    expect(look.next).toEqual({ phaseIndex: 1, phase: 'early', traffic: 0.1 });
  });

  it('adds the sign-off before a gated phase and the bake in the last one', () => {
    const before = decide(P, early(), evidence(P), T0 + 2 * H).look;
    expect(before.conditions.at(-1)).toMatchObject({
      id: 'signoff',
      met: false,
      phase: 'half',
      roles: [{ role: 'product', quorum: 1, approvers: [] }],
    });
    const last = decide(P, full(), evidence(P), T0 + 2 * H).look;
    expect(last.conditions.at(-1)).toEqual({
      id: 'bake',
      met: false,
      elapsedMs: 2 * H,
      requiredMs: 24 * H,
    });
    expect(last.next).toBeNull();
  });

  it('names the KPIs behind an unmet guards condition', () => {
    const { look } = decide(
      P,
      canary(),
      evidence(P, { verdicts: { revenue: 'breach', cpu: 'insufficient-evidence' } }),
      T0 + 30 * M,
    );
    expect(look.conditions.find((c) => c.id === 'guards')).toMatchObject({
      met: false,
      total: 6,
      breach: ['revenue'],
      insufficient: ['cpu'],
    });
  });

  it('quotes each decision’s evidence: the guard result with estimate, interval, margin and units', () => {
    const { decisions } = decide(P, canary(), evidence(P, { verdicts: { jank: 'breach' } }), ready);
    const g = decisions[0]?.evidence.guards?.[0];
    expect(g).toEqual(guard('jank', 'breach'));
    expect(decisions[0]?.evidence.actions).toEqual([{ type: 'hold' }]);
  });
});
