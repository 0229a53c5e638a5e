/**
 * A person's pause, resume or rollback goes through the same reducer as the
 * controller's decisions: core's operatorAction() turns it into a decision
 * against the state rebuilt from the log, and commitDecisions() writes it with
 * the seq it expects, its audit entry and its announcement.
 */
import { launchAuthors } from '../auth/person-key.js';
import { operatorAction } from '@threshold/core';
import type { Decision, LaunchState, Plan } from '@threshold/core';
import type { LaunchRecord, Store } from '../store/store.js';
import { commitDecisions } from './commit-decisions.js';
import { rebuildState } from './launch-log.js';

/** A launch with its plan and the state its log folds to. */
export interface LaunchWithState {
  launch: LaunchRecord;
  plan: Plan;
  state: LaunchState;
}

/** Read a launch, its plan version and its state (rebuilt from the whole log); undefined when unknown. */
export async function readLaunchState(
  store: Store,
  launchId: string,
): Promise<LaunchWithState | undefined> {
  const launch = await store.getLaunch(launchId);
  if (launch === undefined) return undefined;
  const version = await store.getPlanVersion(launch.planName, launch.planVersion);
  if (version === undefined) throw new Error(`launch ${launchId} refers to a missing plan version`);
  const events = await store.listLaunchEvents(launchId);
  const { state } = rebuildState(version.plan, launch, launchAuthors(launch, version), events);
  return { launch, plan: version.plan, state };
}

/** What an operator asks for. */
export interface OperatorRequest {
  launchId: string;
  type: 'pause' | 'resume' | 'rollback';
  reason: string;
  actor: string;
  /** When (ms). */
  now: number;
}

/** The outcome: the launch after the action, or why it cannot apply. */
export type OperatorResult =
  | { ok: true; launch: LaunchRecord; plan: Plan; decision: Decision; state: LaunchState }
  | { ok: false; notFound: true }
  | { ok: false; notFound: false; error: string; status: LaunchRecord['status'] };

/**
 * Apply an operator action in one transaction of `store` (pass a transaction's
 * store to compose). A concurrent change makes it throw StoreConflictError.
 */
export async function applyOperatorAction(
  store: Store,
  request: OperatorRequest,
): Promise<OperatorResult> {
  return store.transaction(async (tx) => {
    const read = await readLaunchState(tx, request.launchId);
    if (read === undefined) return { ok: false, notFound: true };
    const { launch, plan, state } = read;
    const decision = operatorAction(state, {
      type: request.type,
      reason: request.reason,
      actor: request.actor,
      now: request.now,
    });
    if ('error' in decision)
      return { ok: false, notFound: false, error: decision.error, status: launch.status };
    const result = await commitDecisions(tx, {
      launch,
      plan,
      state,
      decisions: [decision],
      actor: request.actor,
    });
    const after = await tx.getLaunch(launch.id);
    if (after === undefined) throw new Error(`launch ${launch.id} vanished`);
    return { ok: true, launch: after, plan, decision, state: result.state };
  });
}

/**
 * The phase an approval names when the approver does not say: the phase the
 * launch is in when an ask of this role waits for an answer, else the next phase
 * that needs a sign-off (the first one before the launch starts), else '*'.
 */
export function defaultApprovalPhase(plan: Plan, state: LaunchState, role: string): string {
  if (state.asks.some((a) => a.roles.includes(role))) return state.phase;
  const next = plan.phases[state.phaseIndex + 1];
  if (next?.signoff !== undefined) return next.name;
  return '*';
}
