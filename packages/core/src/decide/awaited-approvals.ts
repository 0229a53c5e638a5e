/** What people may answer now, so an API can check and complete an approval before it is stored. */
import type { Plan } from '../plan/index.js';
import type { LaunchState } from './launch-state.js';

/** A sign-off or ask that approvals can answer now. */
export interface AwaitedApproval {
  kind: 'signoff' | 'ask';
  /** The phase an answer must name (see Approval.phase). */
  phase: string;
  roles: string[];
  /** Answers count from this time on (asks); -Infinity for sign-offs. */
  since: number;
  /** The ask's id (asks only). */
  ask?: string;
}

/**
 * The asks raised in the current phase and the sign-off gating the next
 * phase, in that order: an approval by a role answers the first entry that
 * lists the role. Whether each is met is decide()'s business.
 */
export function awaitedApprovals(plan: Plan, state: LaunchState): AwaitedApproval[] {
  if (state.status === 'rolled-back' || state.status === 'completed') return [];
  const out: AwaitedApproval[] = state.asks.map((a) => ({
    kind: 'ask' as const,
    phase: a.phase,
    roles: a.roles,
    since: a.since,
    ask: a.id,
  }));
  const next = plan.phases[state.phaseIndex + 1];
  if (next?.signoff !== undefined)
    out.push({ kind: 'signoff', phase: next.name, roles: next.signoff.roles, since: -Infinity });
  return out;
}

/**
 * The state after an edit of the plan: the new version (with reset_on_edit,
 * approvals of older versions stop counting) and the editor among the
 * authors, who may not approve unless allow_self_approval.
 */
export function applyPlanEdit(
  state: LaunchState,
  edit: { planVersion: number; editor: string },
): LaunchState {
  return {
    ...state,
    planVersion: edit.planVersion,
    authors: state.authors.includes(edit.editor) ? state.authors : [...state.authors, edit.editor],
  };
}
