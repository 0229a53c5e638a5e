/**
 * A person's promote, skip or amendment: like pause and rollback, each becomes
 * one decision of core's against the state rebuilt from the log, committed by
 * commitDecisions() with its audit entry. Promote and skip judge a look taken
 * now (the same evidence the controller gathers), so what blocks the controller
 * from advancing on a breach or a missing sign-off blocks a person too.
 */
import { amendPlan, operatorAdvance } from '@threshold/core';
import type { Decision, LaunchState, Plan, TimeRules } from '@threshold/core';
import { StoreConflictError } from '../store/index.js';
import type { LaunchRecord, Store } from '../store/store.js';
import { commitDecisions } from './commit-decisions.js';
import { gatherEvidence } from './gather-evidence.js';
import type { SourceSet } from './gather-evidence.js';
import { readLaunchState } from './operator-decision.js';

/** What an operator asks for. */
export interface AdvanceRequest {
  launchId: string;
  type: 'promote' | 'skip';
  reason: string;
  actor: string;
  now: number;
}

/** The outcome of a promote, skip or amendment. */
export type ControlResult =
  | { ok: true; launch: LaunchRecord; plan: Plan; decision: Decision; state: LaunchState }
  | { ok: false; notFound: true }
  | {
      ok: false;
      notFound: false;
      error: string;
      status: LaunchRecord['status'];
      blocking: string[];
    };

/**
 * Promote or skip: gather the evidence of the launch's phase (outside the
 * transaction: a source is a network round trip), then decide and commit
 * against the same seq. A concurrent change makes it throw StoreConflictError.
 */
export async function applyOperatorAdvance(
  store: Store,
  sources: SourceSet,
  request: AdvanceRequest,
  timeRules?: (environment: string) => TimeRules | undefined,
): Promise<ControlResult> {
  const read = await readLaunchState(store, request.launchId);
  if (read === undefined) return { ok: false, notFound: true };
  const rules = timeRules?.(read.launch.environment);
  const gathered = await gatherEvidence(
    store,
    read.launch.id,
    read.plan,
    read.state,
    request.now,
    sources,
  );
  const evidence = rules === undefined ? gathered : { ...gathered, timeRules: rules };
  return store.transaction(async (tx) => {
    const fresh = await readLaunchState(tx, request.launchId);
    if (fresh === undefined) return { ok: false, notFound: true };
    const { launch, plan, state } = fresh;
    // Looks and notifications may land in between; a decision that moved the launch may not.
    if (
      state.phaseIndex !== read.state.phaseIndex ||
      state.planVersion !== read.state.planVersion ||
      state.status !== read.state.status
    )
      throw new StoreConflictError(`launch ${launch.id} moved while its evidence was read`);
    const decision = operatorAdvance(plan, state, evidence, {
      type: request.type,
      reason: request.reason,
      actor: request.actor,
      now: request.now,
    });
    if ('error' in decision)
      return {
        ok: false,
        notFound: false,
        error: decision.error,
        status: launch.status,
        blocking: decision.blocking,
      };
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

/** What an amendment asks for: the newer version of the launch's plan to run. */
export interface AmendRequest {
  launchId: string;
  version: number;
  reason: string;
  actor: string;
  now: number;
  /**
   * Checked in the transaction once the amendment is valid, before anything is
   * written (the promotion policy of the launch's environment); throws to refuse.
   */
  check?: (tx: Store, launch: LaunchRecord, version: number) => Promise<void>;
}

/** Move a running or paused launch onto a newer version of its plan, in one transaction. */
export async function applyAmendment(store: Store, request: AmendRequest): Promise<ControlResult> {
  return store.transaction(async (tx) => {
    const read = await readLaunchState(tx, request.launchId);
    if (read === undefined) return { ok: false, notFound: true };
    const { launch, plan, state } = read;
    const next = await tx.getPlanVersion(launch.planName, request.version);
    if (next === undefined)
      return {
        ok: false,
        notFound: false,
        error: `version: plan ${launch.planName} has no version ${request.version}; upload it first`,
        status: launch.status,
        blocking: [],
      };
    const decision = amendPlan(plan, next.plan, state, {
      toVersion: next.version,
      reason: request.reason,
      actor: request.actor,
      now: request.now,
    });
    if ('error' in decision)
      return {
        ok: false,
        notFound: false,
        error: decision.error,
        status: launch.status,
        blocking: [],
      };
    await request.check?.(tx, launch, next.version);
    // Decided against the new version: the decisions after it are the new plan's.
    const result = await commitDecisions(tx, {
      launch,
      plan: next.plan,
      state,
      decisions: [decision],
      actor: request.actor,
    });
    const after = await tx.getLaunch(launch.id);
    if (after === undefined) throw new Error(`launch ${launch.id} vanished`);
    return { ok: true, launch: after, plan: next.plan, decision, state: result.state };
  });
}
