/**
 * A launch's state is its log: the initial state of its plan folded with every
 * `decision` event by core's reducer. Other event types (created, approval, look,
 * and the informational ones the API writes) do not change the state.
 */
import { personKey } from '../auth/person-key.js';
import { NO_ROUTER_LOG, applyDecision, foldRouterEntry, initialLaunchState } from '@threshold/core';
import type {
  Decision,
  LaunchState,
  LoggedDecision,
  Plan,
  RouterEntry,
  RouterLog,
  StandingLook,
} from '@threshold/core';
import type { LaunchEvent, LaunchRecord } from '../store/store.js';

/** Event type of a decision (controller's or a person's) in a launch's log. */
export const DECISION_EVENT = 'decision';
/** Event type of a recorded look (for the dashboard's charts; the reducer ignores it). */
export const LOOK_EVENT = 'look';
/** Event type of a warning the controller raised about a launch (e.g. no exposures); the reducer ignores it. */
export const WARNING_EVENT = 'warning';
/** Event type of a notification's delivery outcome (written by the outbox worker); the reducer ignores it. */
export const NOTIFICATION_EVENT = 'notification';
/** Event type of a router entry: what was applied at the router, apart from what was decided. */
export const ROUTER_EVENT = 'router';

// Side effects only: they do not change where the launch stands.
const SIDE_EFFECTS: ReadonlySet<string> = new Set(['notify', 'webhook']);

/** The state of a launch after folding its log, and what the log says about looks and decisions. */
export interface FoldedLog {
  state: LaunchState;
  /** Seq of the last event folded. */
  seq: number;
  /** Time (ms) of the last recorded look, or null. */
  lastLookAt: number | null;
  /** The last recorded look (with its seq), or null. */
  look: StandingLook | null;
  /** The latest decision that changed where the launch stands (not notify or webhook), or null. */
  decision: LoggedDecision | null;
  /** The latest pause decision, or null. */
  pause: LoggedDecision | null;
  /** Keys of the warnings raised so far (each is raised once). */
  warnings: string[];
  /** The last router entry that confirmed a share, and the last of any kind. */
  router: RouterLog;
}

/** A log with nothing folded yet. */
function emptyLog(state: LaunchState): FoldedLog {
  return {
    state,
    seq: 0,
    lastLookAt: null,
    look: null,
    decision: null,
    pause: null,
    warnings: [],
    router: NO_ROUTER_LOG,
  };
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
    startedBy: personKey(launch.createdBySubject, launch.createdBy),
  });
  const everyone = [...new Set([...state.authors, ...authors])];
  return { ...state, authors: everyone };
}

/** Fold events (in seq order) into a state; events at or below `from.seq` are skipped. */
export function foldLog(from: FoldedLog, events: readonly LaunchEvent[]): FoldedLog {
  let { state, seq, lastLookAt, look, decision, pause, warnings, router } = from;
  for (const event of events) {
    if (event.seq <= seq) continue;
    seq = event.seq;
    if (event.type === DECISION_EVENT && isDecision(event.data)) {
      state = applyDecision(state, event.data);
      if (!SIDE_EFFECTS.has(event.data.type)) {
        decision = { seq: event.seq, actor: event.actor, decision: event.data };
        if (event.data.type === 'pause') pause = decision;
      }
    } else if (event.type === LOOK_EVENT) {
      lastLookAt = Date.parse(event.at);
      if (typeof event.data === 'object' && event.data !== null)
        look = { ...(event.data as Omit<StandingLook, 'seq'>), seq: event.seq };
    } else if (event.type === WARNING_EVENT) {
      const key = (event.data as { key?: unknown } | null)?.key;
      if (typeof key === 'string' && !warnings.includes(key)) warnings = [...warnings, key];
    } else if (event.type === ROUTER_EVENT) {
      const entry = routerEntryOf(event);
      if (entry !== null) router = foldRouterEntry(router, entry);
    }
  }
  return { state, seq, lastLookAt, look, decision, pause, warnings, router };
}

/** Rebuild a launch's state from its whole log. */
export function rebuildState(
  plan: Plan,
  launch: LaunchRecord,
  authors: readonly string[],
  events: readonly LaunchEvent[],
): FoldedLog {
  return foldLog(emptyLog(startingState(plan, launch, authors)), events);
}

/** A `router` event as the standing reads it; null for one that does not have the shape. */
function routerEntryOf(event: LaunchEvent): RouterEntry | null {
  const d = event.data as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null) return null;
  if (d.status !== 'applied' && d.status !== 'failed') return null;
  if (typeof d.traffic !== 'number' || typeof d.decision !== 'number') return null;
  return {
    seq: event.seq,
    at: Date.parse(event.at),
    status: d.status,
    kind: typeof d.kind === 'string' ? d.kind : 'unknown',
    target: typeof d.target === 'string' ? d.target : '',
    traffic: d.traffic,
    decision: d.decision,
    reason: typeof d.reason === 'string' ? d.reason : '',
  };
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
