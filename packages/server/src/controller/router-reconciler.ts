/**
 * Level-triggered reconciliation of traffic routers: the share each launch's
 * decisions set is made to hold at its router, again and again, until the
 * router confirms it. Nothing here trusts a past success: a readable router
 * (HAProxy) is read at every pass and corrected when it drifted (a restart puts
 * its config file's weights back); a write-only one (a webhook) is sent the share
 * again on a schedule. After a crash or a replica takeover the new holder of the
 * lease starts from the router and the launch's log, not from memory.
 *
 * The log keeps "decided" (decision entries) and "applied" (`router` entries)
 * apart: a `router` entry is written when a share is confirmed for the first
 * time, when a drifted router is corrected, and once at the start of each
 * failure. Rolled-back launches come first at every pass and are retried until
 * their 0% is confirmed; terminal launches stop once their last share is.
 */
import type { Plan, RouterEvidence } from '@threshold/core';
import { formatShare } from '@threshold/core';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { RouterRegistry } from '../routers/router-registry.js';
import { sameShare } from '../routers/traffic-router.js';
import type { RouterKind, RouterTarget, WeightResult } from '../routers/traffic-router.js';
import { StoreConflictError } from '../store/index.js';
import type { LaunchEvent, LaunchRecord, Store } from '../store/store.js';
import type { Lease } from './lease.js';
import { localLease } from './lease.js';
import { DECISION_EVENT, ROUTER_EVENT } from './launch-log.js';

export { ROUTER_EVENT };

/** Default time between reconciliation passes. */
export const DEFAULT_ROUTER_INTERVAL_MS = 500;

/** Longest wait between retries of a failing router (a rolled-back launch waits one interval). */
const MAX_BACKOFF_MS = 5000;
/** How often every terminal launch is looked over for a final share never confirmed. */
const FULL_SCAN_MS = 60_000;

/** The data of a `router` entry. */
export interface RouterEventData {
  status: 'applied' | 'failed';
  router: string;
  kind: RouterKind | 'unknown';
  target: string;
  /** The share the launch's decisions set. */
  traffic: number;
  /** Seq of the decision that set it (1, the 'created' entry, for the share a launch starts at). */
  decision: number;
  /** The router's own weights after the apply. */
  weights?: { treatment: number; control: number };
  /** The share the router held before it was (re)applied; null when it could not say. */
  found?: number | null;
  /** From the decision's commit on this replica to the confirmation, when this replica committed it. */
  latencyMs?: number;
  reason: string;
}

/** Where a launch's router stands: decide()'s router evidence, and what it is about. */
export interface RouterStatus extends RouterEvidence {
  router: string;
  traffic: number;
  decision: number;
}

/** Options of {@link createRouterReconciler}. */
export interface RouterReconcilerOptions {
  store: Store;
  logger: Logger;
  routers: RouterRegistry;
  now?: () => number;
  metrics?: ServerMetrics;
  /** Only the lease holder touches routers (default: always held). */
  lease?: Lease;
  /** Time between passes (default THRESHOLD_ROUTER_INTERVAL_MS, else 500 ms). */
  intervalMs?: number;
}

/** The reconciler. */
export interface RouterReconciler {
  /**
   * Make the launch's router hold its share now (read, apply if needed,
   * confirm) and say where it stands; undefined for a launch without a router.
   * Calls for one launch run one at a time.
   */
  reconcile(launch: LaunchRecord): Promise<RouterStatus | undefined>;
  /** A decision that may move traffic was committed at `committedAt`: reconcile now, without waiting. */
  kick(launchId: string, committedAt: number): Promise<void>;
  /** One pass over every launch that needs its router (rolled-back ones first). */
  pass(): Promise<void>;
  start(): void;
  /** Stop the loop and wait for calls in flight. Idempotent. */
  stop(): Promise<void>;
}

interface Entry {
  planKey: string;
  /** Null when the plan has no router (nothing to do, ever). */
  plan: Plan | null;
  scannedSeq: number;
  /** The decision that set the launch's share, and that share. */
  decision: number;
  /** The last `applied` entry of the log. */
  logged: { traffic: number; decision: number; at: number } | null;
  /** What this process saw the router hold, since when, and when it last checked. */
  confirmed: { traffic: number; decision: number; since: number; checkedAt: number } | null;
  /** The reason of the failure in progress (its entry is written once), or null. */
  failing: string | null;
  failures: number;
  retryAt: number;
  /** Terminal and its last share confirmed: nothing more to do. */
  settled: boolean;
  /** When this replica committed the decision in `decision` (for the latency). */
  committed: { decision: number; at: number } | null;
}

function envMs(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 10 || ms > 3_600_000)
    throw new RangeError(`${name}: expected whole milliseconds from 10 to 3600000, got '${raw}'`);
  return ms;
}

const terminal = (l: LaunchRecord) => l.status === 'rolled-back' || l.status === 'completed';

/** Create a reconciler (not started). */
export function createRouterReconciler(options: RouterReconcilerOptions): RouterReconciler {
  const { store, logger, routers } = options;
  const now = options.now ?? Date.now;
  const lease = options.lease ?? localLease();
  const every =
    options.intervalMs ?? envMs('THRESHOLD_ROUTER_INTERVAL_MS') ?? DEFAULT_ROUTER_INTERVAL_MS;
  const entries = new Map<string, Entry>();
  const plans = new Map<string, Plan>();
  const chains = new Map<string, Promise<unknown>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let closing = false;
  let lastFullScan = Number.NEGATIVE_INFINITY;
  let held = false;

  /** Run `fn` after every earlier call for the same launch. */
  function serial<T>(launchId: string, fn: () => Promise<T>): Promise<T> {
    const before = chains.get(launchId) ?? Promise.resolve();
    const next = before.then(fn, fn);
    const tail = next.catch(() => undefined);
    chains.set(launchId, tail);
    void tail.then(() => {
      if (chains.get(launchId) === tail) chains.delete(launchId);
    });
    return next;
  }

  async function planOf(launch: LaunchRecord): Promise<Plan> {
    const key = `${launch.planName}@${launch.planVersion}`;
    const cached = plans.get(key);
    if (cached !== undefined) return cached;
    const version = await store.getPlanVersion(launch.planName, launch.planVersion);
    if (version === undefined) throw new Error(`launch ${launch.id} refers to missing plan ${key}`);
    plans.set(key, version.plan);
    return version.plan;
  }

  function fold(e: Entry, events: readonly LaunchEvent[]): void {
    for (const ev of events) {
      if (ev.seq <= e.scannedSeq) continue;
      e.scannedSeq = ev.seq;
      const data = ev.data as Record<string, unknown> | null;
      if (ev.type === 'created') e.decision = ev.seq;
      else if (
        ev.type === DECISION_EVENT &&
        (data?.type === 'advance' || data?.type === 'rollback')
      )
        e.decision = ev.seq;
      else if (
        ev.type === ROUTER_EVENT &&
        data?.status === 'applied' &&
        typeof data.traffic === 'number' &&
        typeof data.decision === 'number'
      )
        e.logged = { traffic: data.traffic, decision: data.decision, at: Date.parse(ev.at) };
    }
  }

  async function entryOf(launch: LaunchRecord): Promise<Entry> {
    const planKey = `${launch.planName}@${launch.planVersion}`;
    let e = entries.get(launch.id);
    if (e === undefined || e.planKey !== planKey) {
      const plan = await planOf(launch);
      e = {
        planKey,
        plan: plan.router === undefined ? null : plan,
        scannedSeq: 0,
        decision: 1,
        logged: null,
        confirmed: null,
        failing: null,
        failures: 0,
        retryAt: 0,
        settled: plan.router === undefined,
        committed: e?.committed ?? null,
      };
      entries.set(launch.id, e);
    }
    if (e.plan !== null && launch.seq > e.scannedSeq)
      fold(e, await store.listLaunchEvents(launch.id, e.scannedSeq));
    return e;
  }

  /** Append a `router` entry (and its audit entry); a concurrent append is retried at the new seq. */
  async function record(launchId: string, data: RouterEventData): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const fresh = await store.getLaunch(launchId);
      if (fresh === undefined) return;
      try {
        await store.transaction(async (tx) => {
          await tx.appendLaunchEvent(
            { launchId, type: ROUTER_EVENT, actor: 'controller', data },
            fresh.seq,
          );
          await tx.appendAudit({
            actor: 'controller',
            action: data.status === 'applied' ? 'router.applied' : 'router.failed',
            subject: `launch:${launchId}`,
            data,
          });
        });
        return;
      } catch (err) {
        if (!(err instanceof StoreConflictError)) throw err;
      }
    }
    logger.warn({ launch: launchId }, 'router entry not written: the launch kept changing');
  }

  async function reconcileLaunch(launch: LaunchRecord): Promise<RouterStatus | undefined> {
    const e = await entryOf(launch);
    if (e.plan === null || e.plan.router === undefined) return undefined;
    const spec = e.plan.router;
    const desired = launch.traffic;
    const decision = e.decision;
    const base = { router: spec.name, traffic: desired, decision };
    const router = routers.routers.get(spec.name);
    const t: RouterTarget = {
      launchId: launch.id,
      launch: e.plan.launch,
      service: spec.service,
      arms: spec.arms,
    };
    const describe =
      router === undefined ? { kind: 'unknown' as const, target: spec.name } : router;
    const c = e.confirmed;
    const known =
      c !== null && sameShare(c.traffic, desired) && c.decision === decision
        ? c.since
        : e.logged !== null &&
            sameShare(e.logged.traffic, desired) &&
            e.logged.decision === decision
          ? e.logged.at
          : undefined;

    const failed = async (reason: string): Promise<RouterStatus> => {
      options.metrics?.routerCalls.inc({ router: spec.name, result: 'failed' });
      e.confirmed = null;
      e.failures++;
      const cap = launch.status === 'rolled-back' ? every : MAX_BACKOFF_MS;
      e.retryAt = now() + Math.min(cap, every * 2 ** Math.min(e.failures - 1, 10));
      if (e.failing === null) {
        e.failing = reason;
        logger.warn({ launch: launch.id, router: spec.name, traffic: desired }, reason);
        await record(launch.id, {
          status: 'failed',
          router: spec.name,
          kind: describe.kind,
          target: describe.target,
          traffic: desired,
          decision,
          reason,
        });
      }
      return { ...base, applied: false, reason };
    };
    const holds = (since: number): RouterStatus => {
      if (e.failing !== null)
        logger.info({ launch: launch.id, router: spec.name }, 'router confirms the weight again');
      e.failing = null;
      e.failures = 0;
      e.retryAt = 0;
      e.confirmed = { traffic: desired, decision, since, checkedAt: now() };
      if (terminal(launch)) e.settled = true;
      return { ...base, applied: true, since };
    };
    const applied = async (
      result: Extract<WeightResult, { ok: true }>,
      found: number | null,
      reason: string,
      since?: number,
    ): Promise<RouterStatus> => {
      const at = now();
      options.metrics?.routerCalls.inc({ router: spec.name, result: 'applied' });
      const latencyMs =
        e.committed !== null && e.committed.decision === decision
          ? Math.max(0, at - e.committed.at)
          : undefined;
      if (latencyMs !== undefined)
        options.metrics?.routerApplySeconds.observe({ router: spec.name }, latencyMs / 1000);
      e.committed = null;
      await record(launch.id, {
        status: 'applied',
        router: spec.name,
        kind: describe.kind,
        target: describe.target,
        traffic: desired,
        decision,
        weights: result.weights,
        found,
        ...(latencyMs === undefined ? {} : { latencyMs }),
        reason,
      });
      e.logged = { traffic: desired, decision, at };
      logger.info({ launch: launch.id, router: spec.name, traffic: desired, found }, reason);
      return holds(since ?? at);
    };

    // A finished launch whose last share is on record needs nothing more (its router may have moved on).
    if (terminal(launch) && c === null && known !== undefined) return holds(known);
    if (router === undefined) return failed(`router ${spec.name} is not configured on this server`);
    const share = formatShare(desired);
    let found: number | null = null;
    if (router.read !== undefined) {
      const r = await router.read(t);
      if (!r.ok) return failed(r.reason);
      found = r.traffic;
      if (sameShare(r.traffic, desired)) {
        if (known !== undefined && e.failing === null) return holds(known);
        // After a failure the log says so until an entry says the share holds again.
        if (known !== undefined)
          return applied(r, r.traffic, `${router.target} holds ${share} again`, known);
        // The router holds it though no entry says so (an apply whose entry was lost in a crash).
        return applied(r, r.traffic, `${router.target} already holds ${share}`);
      }
    } else if (known !== undefined && c !== null && now() - c.checkedAt < (router.resyncMs ?? 0)) {
      return holds(known);
    }
    const result = await router.apply({
      ...t,
      phase: phaseOf(e.plan, launch),
      status: launch.status,
      traffic: desired,
      decisionId: `${launch.id}:${decision}`,
    });
    if (!result.ok) return failed(result.reason);
    if (router.read === undefined && known !== undefined)
      return e.failing === null
        ? holds(known)
        : applied(result, found, `${router.target} accepts ${share} again`, known);
    const reason =
      known !== undefined
        ? `re-applied ${share} at ${router.target}: it held ${found === null ? 'another share' : formatShare(found)} (restarted, or changed by hand)`
        : `applied ${share} at ${router.target} (weights ${result.weights.treatment}/${result.weights.control})`;
    return applied(result, found, reason);
  }

  async function pass(): Promise<void> {
    const live = await store.listLaunches({ status: ['running', 'paused'] });
    const ids = new Set(live.map((l) => l.id));
    const todo: LaunchRecord[] = [...live];
    // Launches that left running/paused since the last pass: their final share must land.
    for (const [id, e] of entries) {
      if (ids.has(id) || e.settled) continue;
      const l = await store.getLaunch(id);
      if (l === undefined) entries.delete(id);
      else todo.push(l);
    }
    if (now() - lastFullScan >= FULL_SCAN_MS) {
      lastFullScan = now();
      for (const l of await store.listLaunches({ status: ['rolled-back', 'completed'] }))
        if (!entries.has(l.id)) todo.push(l);
    }
    for (const id of entries.keys())
      if (!ids.has(id) && entries.get(id)?.settled) entries.delete(id);
    // Rollbacks first: getting back to 0% matters more than anything else here.
    todo.sort((a, b) => rank(a) - rank(b));
    for (const launch of todo) {
      if (closing) break;
      const e = entries.get(launch.id);
      if (e?.settled === true) continue;
      if (e !== undefined && launch.status !== 'rolled-back' && now() < e.retryAt) continue;
      await serial(launch.id, () => reconcileLaunch(launch)).catch((err: unknown) =>
        logger.error({ err, launch: launch.id }, 'router reconciliation failed'),
      );
    }
  }

  const tick = () => {
    timer = setTimeout(() => {
      running = (async () => {
        const has = await lease.acquire();
        // A new holder looks over every terminal launch too (a rollback whose 0% its predecessor never confirmed).
        if (has && !held) lastFullScan = Number.NEGATIVE_INFINITY;
        held = has;
        if (has) await pass();
      })()
        .catch((err: unknown) => logger.error({ err }, 'router reconciler failed'))
        .finally(() => {
          running = undefined;
          if (!stopped) tick();
        });
    }, every);
    timer.unref?.();
  };

  return {
    reconcile: (launch) => serial(launch.id, () => reconcileLaunch(launch)),
    async kick(launchId, committedAt) {
      await serial(launchId, async () => {
        const launch = await store.getLaunch(launchId);
        if (launch === undefined) return;
        const e = await entryOf(launch);
        if (e.plan === null) return;
        e.committed = { decision: e.decision, at: committedAt };
        e.settled = false;
        await reconcileLaunch(launch);
      }).catch((err: unknown) =>
        logger.error({ err, launch: launchId }, 'router reconciliation failed'),
      );
    },
    pass,
    start() {
      if (!stopped) return;
      stopped = false;
      closing = false;
      tick();
    },
    async stop() {
      stopped = true;
      closing = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
      await Promise.all([...chains.values()]);
    },
  };
}

function rank(l: LaunchRecord): number {
  return l.status === 'rolled-back' ? 0 : l.status === 'completed' ? 2 : 1;
}

function phaseOf(plan: Plan, launch: LaunchRecord): string {
  // The row shows phase 0 before the first phase's sign-off: at 0% that is "(start)".
  const phase = plan.phases[launch.phaseIndex];
  return launch.traffic === 0 && phase?.signoff !== undefined && launch.phaseIndex === 0
    ? '(start)'
    : (phase?.name ?? String(launch.phaseIndex));
}
