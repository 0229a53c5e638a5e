/**
 * Which sign-offs a launch is waiting for. A phase with `signoff` must be approved
 * before it starts: for phase 0 that means the launch is created at 0% until the
 * quorum is reached; for later phases it gates the advance into them.
 */
import { personKey } from '../auth/person-key.js';
import type { Phase, Plan } from '@threshold/core';
import type { ApprovalRecord, LaunchRecord } from '../store/store.js';

/** Sign-off progress of one role for one phase. */
export interface SignoffStatus {
  phase: string;
  role: string;
  quorum: number;
  /** Actors whose latest decision for this role and phase is approve. */
  approvedBy: string[];
  /** Actors whose latest decision for this role and phase is reject. */
  rejectedBy: string[];
  /** Approvals still needed (0 when the quorum is reached). */
  missing: number;
}

/** The phase whose sign-off the launch waits for next, if any. */
export function gatePhase(plan: Plan, launch: LaunchRecord): Phase | undefined {
  if (launch.status === 'rolled-back' || launch.status === 'completed') return undefined;
  const current = plan.phases[launch.phaseIndex];
  // Created behind a sign-off: the current phase has not opened yet.
  if (current?.signoff !== undefined && launch.traffic === 0) return current;
  const next = plan.phases[launch.phaseIndex + 1];
  return next?.signoff !== undefined ? next : undefined;
}

/** Per-role progress of the gate phase's sign-off ([] when nothing is gated). */
export function signoffStatus(
  plan: Plan,
  launch: LaunchRecord,
  approvals: readonly ApprovalRecord[],
): SignoffStatus[] {
  const phase = gatePhase(plan, launch);
  if (phase?.signoff === undefined) return [];
  const resetOnEdit = plan.signoff?.reset_on_edit ?? true;
  return phase.signoff.roles.map((role) => {
    const latest = new Map<string, ApprovalRecord>();
    for (const a of approvals) {
      if (a.role !== role || a.phase !== phase.name) continue;
      if (resetOnEdit && a.planVersion !== launch.planVersion) continue;
      // One person, one answer: their tokens and sessions are the same approver.
      latest.set(personKey(a.subject, a.actor), a);
    }
    const approvedBy = [...latest.values()]
      .filter((a) => a.decision === 'approve')
      .map((a) => a.actor);
    const rejectedBy = [...latest.values()]
      .filter((a) => a.decision === 'reject')
      .map((a) => a.actor);
    const quorum = plan.signoff?.roles[role]?.quorum ?? 1;
    return {
      phase: phase.name,
      role,
      quorum,
      approvedBy,
      rejectedBy,
      missing: Math.max(0, quorum - approvedBy.length),
    };
  });
}
