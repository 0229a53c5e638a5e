/**
 * Applying decisions is one transaction: each decision appended to the launch's
 * log with the seq it expects (a conflict aborts everything: someone else acted,
 * so the caller re-reads and decides again), the launch row patched to the new
 * state, one audit entry per decision with its full evidence, and the side
 * effects enqueued in the outbox under idempotency keys.
 */
import { applyDecision } from '@threshold/core';
import type { Decision, LaunchState, Plan } from '@threshold/core';
import type { LaunchEvent, LaunchPatch, LaunchRecord, Store } from '../store/store.js';
import { DECISION_EVENT, LOOK_EVENT, WARNING_EVENT } from './launch-log.js';
import { outboxMessagesOf, warningMessageOf } from './outbox-messages.js';
import type { LaunchWarning } from './outbox-messages.js';
import type { LookRecord } from './look-record.js';

/** The short form of a decision kept on the launch row (`lastDecision`). */
export interface DecisionSummary {
  seq: number;
  type: Decision['type'];
  rule: Decision['rule'];
  reason: string;
  /** ISO time of the decision. */
  at: string;
  phase: string;
  actor: string;
}

/** What to commit for one launch. */
export interface CommitInput {
  launch: LaunchRecord;
  plan: Plan;
  /** The state at `launch.seq` (rebuilt from the log). */
  state: LaunchState;
  decisions: readonly Decision[];
  /** Who decided: 'controller', or the person acting. */
  actor: string;
  /** Warnings to raise after the decisions (each once: the caller checks the log). */
  warnings?: readonly LaunchWarning[];
  /** A look to record after the decisions, if one is due. */
  look?: LookRecord;
}

/** The launch after a commit. */
export interface CommitResult {
  state: LaunchState;
  seq: number;
  events: LaunchEvent[];
}

// Side effects only: they do not change where the launch stands, so they do not replace lastDecision.
const SIDE_EFFECTS: ReadonlySet<Decision['type']> = new Set(['notify', 'webhook']);

/** The launch row's fields as a projection of a state. */
export function rowPatchOf(state: LaunchState): LaunchPatch {
  return {
    status: state.status,
    // The row cannot say "before the first phase": it shows phase 0 at 0% (as the API creates it).
    phaseIndex: Math.max(0, state.phaseIndex),
    phaseStartedAt: new Date(state.phaseStartedAt).toISOString(),
    traffic: state.traffic,
    planVersion: state.planVersion,
  };
}

/** JSON as it will be stored: what is audited and hashed is exactly what is read back. */
export function storable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Audit action of a decision: a person's operator action keeps the API's names. */
function auditAction(d: Decision): string {
  if (d.rule === 'operator') {
    if (d.type === 'advance' || d.type === 'complete')
      return d.operator === 'skip' ? 'launch.skipped' : 'launch.promoted';
    if (d.type === 'amend') return 'launch.amended';
    return `launch.${d.type === 'rollback' ? 'rolled-back' : `${d.type}d`}`;
  }
  return 'controller.decision';
}

/**
 * Commit decisions (and a look) for one launch inside `tx` (call it inside a
 * store transaction). Throws StoreConflictError when the launch moved on.
 */
export async function commitDecisions(tx: Store, input: CommitInput): Promise<CommitResult> {
  const { launch, plan } = input;
  let state = input.state;
  let seq = launch.seq;
  const events: LaunchEvent[] = [];
  for (const raw of input.decisions) {
    const decision = storable(raw);
    state = applyDecision(state, raw);
    const actor = 'actor' in raw && typeof raw.actor === 'string' ? raw.actor : input.actor;
    const patch: LaunchPatch = rowPatchOf(state);
    const nextSeq = seq + 1;
    if (!SIDE_EFFECTS.has(raw.type)) {
      const summary: DecisionSummary = {
        seq: nextSeq,
        type: raw.type,
        rule: raw.rule,
        reason: raw.reason,
        at: new Date(raw.at).toISOString(),
        phase: raw.phase,
        actor,
      };
      patch.lastDecision = summary;
    }
    const event = await tx.appendLaunchEvent(
      {
        launchId: launch.id,
        type: DECISION_EVENT,
        actor,
        data: decision,
        at: new Date(raw.at).toISOString(),
      },
      seq,
      patch,
    );
    seq = event.seq;
    events.push(event);
    await tx.appendAudit({
      actor,
      action: auditAction(raw),
      subject: `launch:${launch.id}`,
      data: { seq, plan: `${launch.planName}@${launch.planVersion}`, decision },
    });
    for (const message of outboxMessagesOf(launch, plan, raw, seq)) await tx.enqueueOutbox(message);
  }
  for (const warning of input.warnings ?? []) {
    const data = storable(warning);
    const event = await tx.appendLaunchEvent(
      {
        launchId: launch.id,
        type: WARNING_EVENT,
        actor: 'controller',
        data,
        at: new Date(warning.at).toISOString(),
      },
      seq,
    );
    seq = event.seq;
    events.push(event);
    await tx.appendAudit({
      actor: 'controller',
      action: 'controller.warning',
      subject: `launch:${launch.id}`,
      data: { seq, plan: `${launch.planName}@${launch.planVersion}`, warning: data },
    });
    await tx.enqueueOutbox(warningMessageOf(launch, plan, warning, seq));
  }
  if (input.look !== undefined) {
    const event = await tx.appendLaunchEvent(
      {
        launchId: launch.id,
        type: LOOK_EVENT,
        actor: 'controller',
        data: storable(input.look),
        at: new Date(input.look.at).toISOString(),
      },
      seq,
    );
    seq = event.seq;
    events.push(event);
  }
  return { state, seq, events };
}
