/**
 * A launch's state is its log: the initial state of its plan folded with every
 * `decision` event by core's reducer. Other event types (created, approval, look,
 * and the informational ones the API writes) do not change the state.
 */
import { applyDecision, initialLaunchState } from '@threshold/core';
import type { Decision, LaunchState, Plan } from '@threshold/core';
import type { LaunchEvent, LaunchRecord } from '../store/store.js';

/** Event type of a decision (controller's or a person's) in a launch's log. */
export const DECISION_EVENT = 'decision';
/** Event type of a recorded look (for the dashboard's charts; the reducer ignores it). */
export const LOOK_EVENT = 'look';

/** The state of a launch after folding its log, and what the log says about looks. */
export interface FoldedLog {
  state: LaunchState;
  /** Seq of the last event folded. */
  seq: number;
  /** Time (ms) of the last recorded look, or null. */
  lastLookAt: number | null;
}

/** The state a launch starts in (before any decision of its log). */
export function startingState(
  plan: Plan,
  launch: LaunchRecord,
  authors: readonly string[],
): LaunchState {
  const state = initialLaunchState(plan, {
    planVersion: launch.planVersion,
    now: Date.parse(launch.createdAt),
    startedBy: launch.createdBy,
  });
  const everyone = [...new Set([...state.authors, ...authors])];
  return { ...state, authors: everyone };
}

/** Fold events (in seq order) into a state; events at or below `from.seq` are skipped. */
export function foldLog(from: FoldedLog, events: readonly LaunchEvent[]): FoldedLog {
  let { state, seq, lastLookAt } = from;
  for (const event of events) {
    if (event.seq <= seq) continue;
    seq = event.seq;
    if (event.type === DECISION_EVENT && isDecision(event.data))
      state = applyDecision(state, event.data);
    else if (event.type === LOOK_EVENT) lastLookAt = Date.parse(event.at);
  }
  return { state, seq, lastLookAt };
}

/** Rebuild a launch's state from its whole log. */
export function rebuildState(
  plan: Plan,
  launch: LaunchRecord,
  authors: readonly string[],
  events: readonly LaunchEvent[],
): FoldedLog {
  return foldLog({ state: startingState(plan, launch, authors), seq: 0, lastLookAt: null }, events);
}

// The log is ours, but a row edited by hand must not crash the controller.
function isDecision(data: unknown): data is Decision {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    typeof (data as { at?: unknown }).at === 'number'
  );
}
