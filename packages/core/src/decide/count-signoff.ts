/** Count the answers that bear on one sign-off (or ask): per role, against its quorum. */
import type { Plan } from '../plan/index.js';
import type { RoleCount, SignoffCount } from './decision.js';
import type { Approval } from './evidence.js';
import type { LaunchState } from './launch-state.js';

/** A role's quorum from the policy (1 when the policy does not name it). */
export function quorumOf(plan: Plan, role: string): number {
  const q = plan.signoff?.roles[role]?.quorum;
  return typeof q === 'number' && q >= 1 ? q : 1;
}

/**
 * Count answers naming `phase` for each role, given at or after `since` and
 * not after `until` (the look's time: later answers are not given yet). An
 * actor's (person's) latest answer for a role counts (a later approval withdraws a
 * rejection); authors' answers count only with allow_self_approval; with
 * reset_on_edit (the default) only answers for the running plan version count.
 */
export function countSignoff(
  plan: Plan,
  state: LaunchState,
  approvals: readonly Approval[],
  phase: string,
  roles: readonly string[],
  since: number,
  until: number,
): SignoffCount {
  const policy = plan.signoff;
  const resetOnEdit = policy?.reset_on_edit ?? true;
  const selfApproval = policy?.allow_self_approval ?? false;
  let met = true;
  const counts: RoleCount[] = [];
  for (const role of roles) {
    // actor -> latest counted answer, in input order; ties at the same time: the later entry wins.
    const latest: Approval[] = [];
    for (const a of approvals) {
      if (!isApproval(a) || a.role !== role || a.phase !== phase || a.at < since || a.at > until)
        continue;
      if (resetOnEdit && a.planVersion !== state.planVersion) continue;
      if (!selfApproval && state.authors.includes(who(a))) continue;
      const i = latest.findIndex((l) => who(l) === who(a));
      if (i < 0) latest.push(a);
      else if (a.at >= (latest[i] as Approval).at) latest[i] = a;
    }
    const approvers: string[] = [];
    const rejections: RoleCount['rejections'] = [];
    for (const a of latest) {
      if (a.decision === 'approve') approvers.push(a.actor);
      else if (a.decision === 'reject')
        rejections.push(
          a.comment === undefined
            ? { actor: a.actor, at: a.at }
            : { actor: a.actor, at: a.at, comment: a.comment },
        );
    }
    const quorum = quorumOf(plan, role);
    if (approvers.length < quorum || rejections.length > 0) met = false;
    counts.push({ role, quorum, approvers, rejections });
  }
  return { phase, met, roles: counts };
}

/** The person behind an answer: two tokens of one person are one approver. */
function who(a: Approval): string {
  return a.person ?? a.actor;
}

// Evidence comes from storage and the network: a malformed entry is skipped, never trusted.
function isApproval(a: unknown): a is Approval {
  if (typeof a !== 'object' || a === null) return false;
  const r = a as Record<string, unknown>;
  return (
    typeof r['role'] === 'string' &&
    typeof r['phase'] === 'string' &&
    typeof r['actor'] === 'string' &&
    typeof r['at'] === 'number' &&
    (r['decision'] === 'approve' || r['decision'] === 'reject') &&
    (r['comment'] === undefined || typeof r['comment'] === 'string') &&
    (r['person'] === undefined || typeof r['person'] === 'string')
  );
}

/** "product 0/1, sre 1/2" */
export function formatCounts(count: SignoffCount): string {
  return count.roles.map((r) => `${r.role} ${r.approvers.length}/${r.quorum}`).join(', ');
}
