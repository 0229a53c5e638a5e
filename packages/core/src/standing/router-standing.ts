/**
 * Where a launch's traffic router stands, from its log: the share the
 * decisions set (decided) against the last share the router confirmed (a
 * `router` entry with status applied), and the failure the router reported
 * since, if any. The API, `threshold launch status` and the dashboard show
 * this, so they say what the log's decided and applied entries say.
 */
import type { LaunchState } from '../decide/launch-state.js';
import type { Plan } from '../plan/plan-schema.js';
import { formatShare } from '../plan/quantities.js';

/** A `router` entry of a launch's log, as far as the standing reads it. */
export interface RouterEntry {
  /** Its place in the launch log. */
  seq: number;
  /** When it was written (ms). */
  at: number;
  status: 'applied' | 'failed';
  /** The router's kind (haproxy, webhook; unknown when it is not configured). */
  kind: string;
  /** Where it was sent (the Runtime API address, the webhook's origin). */
  target: string;
  /** The share the decisions had set. */
  traffic: number;
  /** Seq of the decision that set it. */
  decision: number;
  reason: string;
}

/** The router entries a standing reads: the last one that confirmed a share, and the last of any kind. */
export interface RouterLog {
  applied: RouterEntry | null;
  latest: RouterEntry | null;
}

/** Where a launch's router stands. */
export interface RouterStanding {
  /** The plan's router name and the service it moves. */
  name: string;
  service: string;
  /** From the latest router entry; null before the first. */
  kind: string | null;
  target: string | null;
  /** The share the launch's decisions set (0..1). */
  desired: number;
  /** The last share the router confirmed, when and by which entry; null before the first. */
  applied: { traffic: number; at: number; seq: number } | null;
  /** applied: the router holds the desired share; pending: not confirmed yet; failing: the router refuses or is unreachable. */
  state: 'applied' | 'pending' | 'failing';
  /** Why it is pending or failing; null when applied. */
  reason: string | null;
  /** Failing: since when (ms), the first failure entry after the last confirmation. */
  since: number | null;
}

/** An empty router log. */
export const NO_ROUTER_LOG: RouterLog = { applied: null, latest: null };

/** Fold one `router` entry into the log's router entries. */
export function foldRouterEntry(log: RouterLog, entry: RouterEntry): RouterLog {
  return { applied: entry.status === 'applied' ? entry : log.applied, latest: entry };
}

/** Where the launch's router stands; null when its plan has no router. */
export function routerStanding(
  plan: Pick<Plan, 'router'>,
  state: Pick<LaunchState, 'traffic'>,
  log: RouterLog,
): RouterStanding | null {
  const spec = plan.router;
  if (spec === undefined) return null;
  const { applied, latest } = log;
  const desired = state.traffic;
  const base = {
    name: spec.name,
    service: spec.service,
    kind: latest?.kind ?? null,
    target: latest?.target ?? null,
    desired,
    applied:
      applied === null ? null : { traffic: applied.traffic, at: applied.at, seq: applied.seq },
  };
  if (
    latest !== null &&
    latest.status === 'failed' &&
    (applied === null || latest.seq > applied.seq)
  )
    return { ...base, state: 'failing', reason: latest.reason, since: latest.at };
  if (applied !== null && Math.abs(applied.traffic - desired) < 1e-9)
    return { ...base, state: 'applied', reason: null, since: null };
  return {
    ...base,
    state: 'pending',
    reason: `${formatShare(desired)} is not confirmed by router ${spec.name} yet`,
    since: null,
  };
}

/**
 * The router in one sentence (every screen says this; each adds when the share
 * was confirmed in its own clock words).
 */
export function routerSentence(r: RouterStanding): string {
  const who = `Router ${r.name}${r.kind === null ? '' : ` (${r.kind})`} for ${r.service}`;
  const desired = formatShare(r.desired);
  const last =
    r.applied === null
      ? 'nothing confirmed yet'
      : `last confirmed ${formatShare(r.applied.traffic)}`;
  if (r.state === 'applied') return `${who}: holds ${desired}, as decided.`;
  if (r.state === 'failing')
    return `${who}: ${desired} decided, NOT applied (${last}): ${r.reason ?? 'failing'}.`;
  return `${who}: ${desired} decided, pending (${last}).`;
}
