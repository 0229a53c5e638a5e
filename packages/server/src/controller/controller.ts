/**
 * The controller loop: every `lookIntervalMs`, while this process holds the
 * lease, look at every running or paused launch: rebuild its state from its log
 * (cached; folded forward when the log grew, rebuilt when it does not line up),
 * gather the evidence, call core's decide(), and commit what it decided in one
 * transaction. Nothing here decides anything: decide() does.
 */
import { hasBlockingChecks, runReadinessChecks } from '../launches/readiness-checks.js';
import { attestedCheckEvidence, readinessStatus } from '../launches/readiness-status.js';
import { launchAuthors } from '../auth/person-key.js';
import { decide, isAutomatedCheck, noExposureWarning } from '@threshold/core';
import type {
  Decision,
  LaunchState,
  Look,
  Plan,
  RouterEvidence,
  StandingLook,
  TimeRules,
} from '@threshold/core';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { StoreConflictError } from '../store/index.js';
import type { LaunchRecord, Store } from '../store/store.js';
import { commitDecisions } from './commit-decisions.js';
import { gatherEvidence } from './gather-evidence.js';
import type { SourceSet } from './gather-evidence.js';
import { localLease } from './lease.js';
import type { Lease } from './lease.js';
import { foldLog, rebuildState } from './launch-log.js';
import type { FoldedLog } from './launch-log.js';
import { lookRecordOf } from './look-record.js';
import { createIntegrityAlerts } from './integrity-alert.js';
import type { LaunchWarning } from './outbox-messages.js';
import { noExposureWarningFromEnv } from '../launches/no-exposure-setting.js';
import { ROUTER_EVENT } from './router-reconciler.js';
import type { RouterReconciler } from './router-reconciler.js';

/** Default time between looks at each launch. */
export const DEFAULT_LOOK_INTERVAL_MS = 2000;
/** Default least time between two recorded looks of one launch. */
export const DEFAULT_LOOK_RECORD_INTERVAL_MS = 10_000;

/** A decision the controller committed, for whoever narrates it (the demo prints these). */
export interface CommittedDecision {
  launch: LaunchRecord;
  plan: Plan;
  decision: Decision;
  /** Its seq in the launch's log. */
  seq: number;
}

/** What one look at one launch did. */
export interface LookOutcome {
  launchId: string;
  look: Look;
  decisions: Decision[];
  /** The look's decisions (and record) were committed. */
  committed: boolean;
  /** A look record was written. */
  recorded: boolean;
  /** Someone else changed the launch first: nothing was written; the next look decides again. */
  conflict: boolean;
}

/** Options of {@link createController}. */
export interface ControllerOptions {
  store: Store;
  logger: Logger;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  metrics?: ServerMetrics;
  /** Announce committed launch changes (SSE fan-out). */
  configChanged?: () => void;
  /** Lease that gates the loop (default: always held, as for SQLite). */
  lease?: Lease;
  /** Time between looks (default THRESHOLD_LOOK_INTERVAL_MS, else 2000 ms). */
  lookIntervalMs?: number;
  /** Least time between two recorded looks of a launch (default THRESHOLD_LOOK_RECORD_INTERVAL_MS, else 10 s). */
  lookRecordIntervalMs?: number;
  /** Called after commit for every decision, in order. */
  onDecision?: (committed: CommittedDecision) => void;
  /** Metric sources by name (default: only the store's events). */
  sources?: SourceSet;
  /**
   * Time without any exposure in a live phase before the launch warns its owner
   * (null: never; default THRESHOLD_NO_EXPOSURE_WARNING, else 5 minutes).
   */
  noExposureWarningMs?: number | null;
  /** Traffic routers of launches with a `router:` (default: none; such launches then hold). */
  routers?: RouterReconciler;
  /** The time rules of an environment (freeze windows, allowed hours), passed to decide() with the evidence. */
  timeRules?: (environment: string) => TimeRules | undefined;
}

/** The controller. */
export interface Controller {
  /** Look once at every running or paused launch (whether or not the lease is held). */
  lookOnce(): Promise<LookOutcome[]>;
  /** Look once at one launch; undefined when it is not running or paused. */
  lookAt(launchId: string): Promise<LookOutcome | undefined>;
  /** Start the loop (looks only while the lease is held). */
  start(): void;
  /** Stop the loop and wait for a look in flight (the lease stays with its owner). Idempotent. */
  stop(): Promise<void>;
}

interface Cached {
  plan: Plan;
  planKey: string;
  authors: string[];
  log: FoldedLog;
}

/** An interval from the environment (`threshold serve` has no flags for them); a bad value stops the start. */
function envMs(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 10 || ms > 3_600_000)
    throw new RangeError(`${name}: expected whole milliseconds from 10 to 3600000, got '${raw}'`);
  return ms;
}

/**
 * Whether a look says something the last recorded one did not: another state,
 * phase or status, or the first units after none (which ends a no-exposures warning).
 */
function changedFrom(
  recorded: StandingLook | null,
  look: Look,
  units: { treatment: number; control: number },
): boolean {
  return (
    recorded === null ||
    recorded.state !== look.state ||
    recorded.phaseIndex !== look.phaseIndex ||
    recorded.status !== look.status ||
    (recorded.units.treatment + recorded.units.control === 0 && units.treatment + units.control > 0)
  );
}

/** Create a controller (not started). */
export function createController(options: ControllerOptions): Controller {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const lease = options.lease ?? localLease();
  const every =
    options.lookIntervalMs ?? envMs('THRESHOLD_LOOK_INTERVAL_MS') ?? DEFAULT_LOOK_INTERVAL_MS;
  const recordEvery =
    options.lookRecordIntervalMs ??
    envMs('THRESHOLD_LOOK_RECORD_INTERVAL_MS') ??
    DEFAULT_LOOK_RECORD_INTERVAL_MS;
  const noExposureMs =
    options.noExposureWarningMs === undefined
      ? noExposureWarningFromEnv()
      : options.noExposureWarningMs;
  const cache = new Map<string, Cached>();
  const integrity = createIntegrityAlerts(store);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function stateOf(launch: LaunchRecord): Promise<Cached> {
    const planKey = `${launch.planName}@${launch.planVersion}`;
    const cached = cache.get(launch.id);
    if (cached !== undefined && cached.planKey === planKey && cached.log.seq <= launch.seq) {
      if (cached.log.seq === launch.seq) return cached;
      const newer = await store.listLaunchEvents(launch.id, cached.log.seq);
      const log = foldLog(cached.log, newer);
      // Events missing or out of line (a log edited by hand): rebuild from the start.
      if (log.seq === launch.seq && newer[0]?.seq === cached.log.seq + 1) {
        const next = { ...cached, log };
        cache.set(launch.id, next);
        return next;
      }
    }
    const version = await store.getPlanVersion(launch.planName, launch.planVersion);
    if (version === undefined)
      throw new Error(`launch ${launch.id} refers to missing plan ${planKey}`);
    const authors = launchAuthors(launch, version);
    const log = rebuildState(
      version.plan,
      launch,
      authors,
      await store.listLaunchEvents(launch.id),
    );
    const fresh: Cached = { plan: version.plan, planKey, authors, log };
    cache.set(launch.id, fresh);
    return fresh;
  }

  /**
   * The router's word on the launch's share, for a plan with a router: it is
   * reconciled first (read, re-applied if it drifted), so the look judges what
   * the router holds now. Without a reconciler the share cannot be confirmed.
   */
  async function routerEvidence(
    launch: LaunchRecord,
    plan: Plan,
  ): Promise<{ evidence?: RouterEvidence; launch: LaunchRecord }> {
    if (plan.router === undefined) return { launch };
    if (options.routers === undefined)
      return {
        launch,
        evidence: { applied: false, reason: 'this server runs no router reconciler' },
      };
    const status = await options.routers.reconcile(launch);
    if (status === undefined) return { launch };
    // The reconciler may have written a router entry: go on from the row as it is now.
    const fresh = (await store.getLaunch(launch.id)) ?? launch;
    return {
      launch: fresh,
      evidence: {
        applied: status.applied,
        ...(status.reason === undefined ? {} : { reason: status.reason }),
        ...(status.since === undefined ? {} : { since: status.since }),
      },
    };
  }

  async function lookAtLaunch(first: LaunchRecord): Promise<LookOutcome> {
    const planned = await stateOf(first);
    const routed = await routerEvidence(first, planned.plan);
    let launch = routed.launch;
    const cached = launch === first ? planned : await stateOf(launch);
    const { plan } = cached;
    const { state } = cached.log;
    const at = now();
    const gathered = await gatherEvidence(store, launch.id, plan, state, at, options.sources);
    // Blocking automated checks are asked at every look, and attestations read: a failing
    // check or a lapsed attestation holds the phase (ADRs 0036, 0042).
    const automated = hasBlockingChecks(plan)
      ? await runReadinessChecks(plan, {
          sources: options.sources ?? new Map(),
          results: () => store.latestCheckResults(launch.planName),
          now: at,
        })
      : [];
    const attested = plan.readiness.some((r) => r.blocking && !isAutomatedCheck(r))
      ? attestedCheckEvidence(
          readinessStatus(plan, await store.listAttestations(launch.planName), at),
        )
      : [];
    const checks = [...automated, ...attested];
    const probed = checks.length === 0 ? {} : { checks };
    const rules = options.timeRules?.(launch.environment);
    const withRules =
      rules === undefined
        ? { ...gathered, ...probed }
        : { ...gathered, ...probed, timeRules: rules };
    const evidence =
      routed.evidence === undefined ? withRules : { ...withRules, router: routed.evidence };
    const { decisions, look } = decide(plan, state, evidence, at);
    options.metrics?.controllerLooks.inc();
    // An alert only: it never changes what decide() decided.
    await integrity
      .check(launch, plan, at)
      .catch((err: unknown) => logger.warn({ err, launch: launch.id }, 'integrity check failed'));
    const warnings = warningsOf(plan, state, cached.log.warnings, look, evidence.units, decisions);
    const last = cached.log.lastLookAt;
    // The look that decided (or raised a warning, or changed what the launch is doing) is
    // always recorded, so the record and the charts end where the decision was taken.
    const record =
      last === null ||
      at - last >= recordEvery ||
      decisions.length > 0 ||
      warnings.length > 0 ||
      changedFrom(cached.log.look, look, evidence.units);
    const outcome: LookOutcome = {
      launchId: launch.id,
      look,
      decisions,
      committed: false,
      recorded: false,
      conflict: false,
    };
    if (decisions.length === 0 && !record) return outcome;
    let result;
    const commit = (row: LaunchRecord) =>
      store.transaction((tx) =>
        commitDecisions(tx, {
          launch: row,
          plan,
          state,
          decisions,
          actor: 'controller',
          warnings,
          ...(record ? { look: lookRecordOf(look, evidence) } : {}),
        }),
      );
    try {
      try {
        result = await commit(launch);
      } catch (err) {
        // Only router entries came in between: they change nothing decide() read, so commit after them.
        if (!(err instanceof StoreConflictError)) throw err;
        const newer = await store.listLaunchEvents(launch.id, launch.seq);
        const fresh = await store.getLaunch(launch.id);
        if (
          fresh === undefined ||
          newer.length === 0 ||
          newer.some((e) => e.type !== ROUTER_EVENT) ||
          fresh.seq !== newer.at(-1)?.seq
        )
          throw err;
        launch = fresh;
        result = await commit(launch);
      }
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
      // Someone acted between our read and our write: decide again at the next look.
      cache.delete(launch.id);
      logger.debug(
        { launch: launch.id },
        'launch changed during the look; deciding again next look',
      );
      return { ...outcome, conflict: true };
    }
    cache.set(launch.id, { ...cached, log: foldLog(cached.log, result.events) });
    options.configChanged?.();
    // A new share goes to the router at once, not at its next pass.
    if (
      options.routers !== undefined &&
      plan.router !== undefined &&
      decisions.some((d) => d.type === 'advance' || d.type === 'rollback')
    )
      void options.routers.kick(launch.id, now());
    let seq = launch.seq;
    for (const decision of decisions) {
      seq++;
      options.metrics?.decisions.inc({ type: decision.type });
      logger.info(
        { launch: launch.id, seq, type: decision.type, rule: decision.rule },
        decision.reason,
      );
      try {
        options.onDecision?.({ launch, plan, decision, seq });
      } catch (err) {
        logger.warn({ err }, 'decision listener failed');
      }
    }
    return { ...outcome, committed: true, recorded: record };
  }

  /** The no-exposures warning of this look, unless raised before in this phase or the look moved the launch. */
  function warningsOf(
    plan: Plan,
    state: LaunchState,
    raised: readonly string[],
    look: Look,
    units: { treatment: number; control: number },
    decisions: readonly Decision[],
  ): LaunchWarning[] {
    if (decisions.some((d) => d.type !== 'notify' && d.type !== 'webhook')) return [];
    const w = noExposureWarning(
      plan,
      state,
      { at: look.at, phaseIndex: look.phaseIndex, units },
      noExposureMs,
    );
    if (w === null) return [];
    const key = `${w.id}:${w.phase}`;
    if (raised.includes(key)) return [];
    return [{ key, id: w.id, phase: w.phase, at: look.at, message: w.message, to: plan.owner }];
  }

  async function lookOnce(): Promise<LookOutcome[]> {
    const launches = await store.listLaunches({ status: ['running', 'paused'] });
    const active = new Set(launches.map((l) => l.id));
    for (const id of cache.keys()) if (!active.has(id)) cache.delete(id);
    const outcomes: LookOutcome[] = [];
    for (const launch of launches) {
      try {
        outcomes.push(await lookAtLaunch(launch));
      } catch (err) {
        // One broken launch must not stop the others.
        cache.delete(launch.id);
        logger.error({ err, launch: launch.id }, 'look failed');
      }
    }
    return outcomes;
  }

  const tick = () => {
    timer = setTimeout(() => {
      running = (async () => {
        if (await lease.acquire()) await lookOnce();
      })()
        .catch((err: unknown) => logger.error({ err }, 'controller loop failed'))
        .finally(() => {
          running = undefined;
          if (!stopped) tick();
        });
    }, every);
    timer.unref?.();
  };

  return {
    lookOnce,
    async lookAt(launchId) {
      const launch = await store.getLaunch(launchId);
      if (launch === undefined || (launch.status !== 'running' && launch.status !== 'paused'))
        return undefined;
      return lookAtLaunch(launch);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
