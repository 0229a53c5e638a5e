/** Shared pieces of the decide() situation table: the row shape, launch states and plan variants. */
import type { Decision, Evidence, LaunchState, Look, Plan } from '../../../src/index.js';
import { H, M, RULES, T0, stateIn, variant } from '../fixtures.js';

/** One situation and the decisions it must produce. */
export interface Row {
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

export const P = RULES;
export const ready = T0 + 2 * H; // canary entered at T0, min_duration 1h: ready
export const early = (extra: Partial<LaunchState> = {}) => stateIn(P, 1, T0, extra);
export const full = (extra: Partial<LaunchState> = {}) => stateIn(P, 3, T0, extra);
export const canary = (extra: Partial<LaunchState> = {}) => stateIn(P, 0, T0, extra);
export const requested = (at: number, deadlineAt: number | null) => ({
  signoffRequests: [
    { phase: 'half', role: 'product', requestedAt: at, deadlineAt, expired: false },
  ],
  fired: ['early:signoff-quorum:half:request', 'early:signoff-quorum:half:product'],
});
export const ask = (id: string, kpi: string, roles: string[], since: number, phase = 'canary') => ({
  id,
  rule: 'guard-breach' as const,
  kpi,
  roles,
  phase,
  since,
  reason: `${kpi} breached`,
});
export const hold = (id: string, rule: LaunchState['holds'][number]['rule'], kpi?: string) => ({
  id,
  rule,
  ...(kpi === undefined ? {} : { kpi }),
  since: T0 + 30 * M,
  reason: `${id} held`,
});
export const operatorPause = {
  rule: 'operator',
  reason: 'paused by ana: checking a support ticket',
  since: T0 + 10 * M,
  actor: 'ana',
};

export const gated = variant([
  '- { name: canary, traffic: 1%,',
  '- { name: canary, traffic: 1%, signoff: [product],',
]);
export const rollbackOnDeadline = variant([
  '  deadline: 1d\n',
  '  deadline: 1d\n  on_deadline: rollback\n',
]);
export const noBake = variant([', bake: 1d }', ' }']);
export const holdout = variant(['launch: rules\n', 'launch: rules\ncontrol: holdout\n']);
export const twoRoles = variant([
  'signoff: { roles: [product], deadline: 2h }',
  'signoff: [product, sre]',
]);
export const keepApprovals = variant([
  '  deadline: 1d\n',
  '  deadline: 1d\n  reset_on_edit: false\n',
]);
export const selfApproval = variant([
  '  deadline: 1d\n',
  '  deadline: 1d\n  allow_self_approval: true\n',
]);
