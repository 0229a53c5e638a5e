/** Situations about sign-offs, the start, the last phase and pauses. */
import { expect } from 'vitest';
import { PRE_START_PHASE, initialLaunchState } from '../../../src/index.js';
import { H, M, T0, approval, evidence, stateIn, variant } from '../fixtures.js';
import {
  P,
  early,
  full,
  canary,
  requested,
  hold,
  operatorPause,
  ready,
  gated,
  rollbackOnDeadline,
  noBake,
  holdout,
  twoRoles,
  keepApprovals,
  selfApproval,
} from './situation.js';
import type { Row } from './situation.js';

/** Rows, in the order of docs/decide.md. */
export const signoffRows: Row[] = [
  // Sign-offs
  {
    says: 'an early phase ready but for half’s sign-off requests it once and notifies product',
    state: early(),
    evidence: evidence(P),
    now: T0 + 2 * H,
    expect: ['request-signoff half', 'notify product'],
    rule: 'signoff-quorum',
    summary: /^waiting for sign-off to enter [a-z]+: product 0\/1$/,
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
    summary: /^waiting for sign-off to enter [a-z]+: product 1\/1, sre 1\/2$/,
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
    says: 'at 100% a comparison whose baseline could not be read blocks completion (insufficient, not "not comparable")',
    state: full(),
    evidence: ((e) => ({
      ...e,
      guards: e.guards.map((g) =>
        g.kpi === 'errors' && g.comparison !== undefined
          ? { ...g, comparison: { ...g.comparison, baseline: 'half' } }
          : g,
      ),
    }))(
      evidence(P, {
        verdicts: { errors: 'insufficient-evidence' },
        units: [10_000, 0],
        guardUnits: [10_000, 0],
      }),
    ),
    now: T0 + 24 * H,
    expect: [],
  },
  {
    says: 'at 100% with control "holdout" there is no control arm either (the holdout is the rest, which is empty): it completes like "rest"',
    plan: holdout,
    state: stateIn(holdout, 3, T0),
    evidence: evidence(holdout, {
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
    says: 'a holdout phase below 100% still needs control units',
    plan: holdout,
    state: stateIn(holdout, 2, T0),
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
