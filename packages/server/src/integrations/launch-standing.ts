/**
 * Where a launch stands, for tools that gate on it (Argo Rollouts, Flagger):
 * the launch a request names (by id, or the live — else latest — launch of a
 * plan), its state rebuilt from the log, and its latest recorded look. Read-only:
 * nothing here changes a launch.
 */
import { launchAuthors } from '../auth/person-key.js';
import type { LaunchState, Plan } from '@threshold/core';
import { LOOK_EVENT, rebuildState } from '../controller/launch-log.js';
import type { LookRecord } from '../controller/look-record.js';
import type { LaunchRecord, Store } from '../store/store.js';

/** A launch with its plan, state and latest recorded look. */
export interface LaunchStanding {
  launch: LaunchRecord;
  plan: Plan;
  state: LaunchState;
  /** The newest recorded look (the controller records one every few seconds), or null. */
  look: LookRecord | null;
}

/** How a request names a launch: its id, or a plan whose live (else latest) launch counts. */
export type LaunchRef = { launch: string } | { plan: string };

/** The launch a request names, or undefined when there is none. */
export async function findLaunch(store: Store, ref: LaunchRef): Promise<LaunchRecord | undefined> {
  if ('launch' in ref) return store.getLaunch(ref.launch);
  const all = (await store.listLaunches()).filter((l) => l.planName === ref.plan);
  const live = all.filter((l) => l.status === 'running' || l.status === 'paused');
  const pick = (list: LaunchRecord[]) =>
    list.reduce<LaunchRecord | undefined>(
      (best, l) => (best === undefined || l.createdAt > best.createdAt ? l : best),
      undefined,
    );
  return pick(live) ?? pick(all);
}

/** Read a launch's standing (one read of its log). */
export async function readStanding(store: Store, launch: LaunchRecord): Promise<LaunchStanding> {
  const version = await store.getPlanVersion(launch.planName, launch.planVersion);
  if (version === undefined)
    throw new Error(`launch ${launch.id} refers to a missing plan version`);
  const events = await store.listLaunchEvents(launch.id);
  const { state } = rebuildState(version.plan, launch, launchAuthors(launch, version), events);
  let look: LookRecord | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type === LOOK_EVENT) {
      look = e.data as LookRecord;
      break;
    }
  }
  return { launch, plan: version.plan, state, look };
}

/** Verdict of a launch for a tool that gates on it. */
export type GateVerdict = 'pass' | 'fail' | 'wait';

/** The launch's verdict in one word and why. */
export function verdictOf(s: LaunchStanding): { verdict: GateVerdict; reason: string } {
  const { launch, state, look } = s;
  const last = lastDecisionReason(launch);
  if (launch.status === 'rolled-back')
    return { verdict: 'fail', reason: `rolled back${last === undefined ? '' : `: ${last}`}` };
  if (launch.status === 'completed')
    return { verdict: 'pass', reason: `completed${last === undefined ? '' : `: ${last}`}` };
  const guards = look?.conditions.find((c) => c.id === 'guards');
  if (guards !== undefined && guards.id === 'guards' && guards.breach.length > 0)
    return {
      verdict: 'fail',
      reason: `${guards.breach.join(', ')} ${guards.breach.length === 1 ? 'breaches its guard' : 'breach their guards'} (look at ${new Date(look?.at ?? 0).toISOString()})`,
    };
  if (launch.status === 'paused')
    return {
      verdict: 'wait',
      reason: `paused: ${state.pause?.reason ?? 'until an operator resumes'}`,
    };
  const hold = state.holds[0];
  if (hold !== undefined) return { verdict: 'wait', reason: `holding: ${hold.reason}` };
  if (look === null || look.phaseIndex !== state.phaseIndex)
    return { verdict: 'wait', reason: `no look of phase ${state.phase} recorded yet` };
  if (guards === undefined || guards.id !== 'guards' || !guards.met)
    return { verdict: 'wait', reason: look.summary };
  return { verdict: 'pass', reason: `every guard passes in ${state.phase} (${look.summary})` };
}

function lastDecisionReason(launch: LaunchRecord): string | undefined {
  const d = launch.lastDecision as { reason?: unknown } | null;
  return typeof d?.reason === 'string' ? d.reason : undefined;
}
