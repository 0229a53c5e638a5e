/**
 * Starting a launch: the one path for a new launch and for a retry of a
 * rolled-back one. Every check comes before the first write, and the writes are
 * one transaction: a start refused for any reason stores nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Decision, Plan, PlanRouter } from '@threshold/core';
import { launchAuthors } from '../auth/person-key.js';
import { commitDecisions } from '../controller/commit-decisions.js';
import { startingState } from '../controller/launch-log.js';
import { HttpError, notFound } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import { checkPlanSources } from '../routes/check-plan-sources.js';
import {
  DEFAULT_ENVIRONMENT,
  StoreActiveLaunchError,
  StoreRouterInUseError,
} from '../store/index.js';
import { blockingReasons, readinessStatus } from './readiness-status.js';
import { runReadinessChecks } from './readiness-checks.js';
import {
  checkPromotion,
  checkTimeRules,
  environmentNamed,
} from '../environments/promotion-check.js';
import type { LaunchRecord, Store } from '../store/store.js';

/** What to start. */
export interface StartInput {
  planName: string;
  /** Default: the latest version. */
  version?: number;
  actor: string;
  /** The verified person behind the actor (self-approval is decided on it); null = nobody named. */
  actorSubject: string | null;
  environment?: string;
  /** A retry: the rolled-back launch this is a new attempt of, and why. */
  retry?: { of: LaunchRecord; reason: string };
  /** A scheduled start (ms, in the future): the launch waits at 0% before its first phase until then. */
  startAt?: number;
}

/** The launch started, its plan and why its traffic is what it is. */
export interface Started {
  launch: LaunchRecord;
  plan: Plan;
  reason: string;
}

/** A readable, unique launch id: the plan name and 8 random base32 characters. */
export function newLaunchId(planName: string): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(8);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${planName}-${suffix}`;
}

/** Start a launch (or a retry); throws an HttpError naming what refused it. */
export async function startLaunch(ctx: RouteContext, input: StartInput): Promise<Started> {
  const { store } = ctx;
  const environment = input.environment ?? DEFAULT_ENVIRONMENT;
  const { actor } = input;
  const env = environmentNamed(ctx.environments, environment);
  // Checked outside the transaction: a source check is a network round trip.
  const planned = await store.getPlanVersion(input.planName, input.version);
  if (planned !== undefined) await checkPlanSources(ctx, planned.plan, planned.source);
  if (planned?.plan.router !== undefined) await refuseRouterInUse(store, planned.plan.router);
  // Checked before the transaction (a network round trip), like the sources above.
  const probeFailures =
    planned === undefined
      ? []
      : (
          await runReadinessChecks(planned.plan, {
            sources: ctx.sources.sources,
            results: () => store.latestCheckResults(planned.name),
            now: ctx.now(),
          })
        )
          .filter((r) => !r.passed)
          .map((r) => {
            const item = planned.plan.readiness.find((x) => x.check === r.check);
            return {
              check: r.check,
              owner: item?.owner ?? '',
              reason: `${item?.ci !== undefined ? 'ci' : item?.query !== undefined ? 'query' : 'probe'}: ${r.reason}`,
            };
          });
  return store
    .transaction(async (tx) => {
      const version = await tx.getPlanVersion(input.planName, input.version);
      if (version === undefined) {
        throw input.version === undefined
          ? notFound('plan', input.planName)
          : notFound('plan version', `${input.planName}@${input.version}`);
      }
      const { plan } = version;
      await checkPromotion(tx, env, version, ctx.now());
      const scheduled = input.startAt !== undefined && input.startAt > ctx.now();
      checkTimeRules(env, ctx.now(), plan.phases[0]?.signoff === undefined && !scheduled);
      // Only a live attestation by the owner's role counts (ADR 0036): the plan's
      // `evidence` text is where the evidence lives, not a promise it holds.
      const blocking = [
        ...blockingReasons(
          readinessStatus(plan, await tx.listAttestations(version.name), ctx.now()),
        ),
        ...probeFailures,
      ];
      if (blocking.length > 0) {
        throw new HttpError(
          'LAUNCH_NOT_READY',
          `${blocking.length} blocking readiness check${blocking.length === 1 ? ' is' : 's are'} not attested: ${blocking.map((b) => `"${b.check}" (${b.reason})`).join(', ')}`,
          { blocking },
        );
      }
      if (input.retry !== undefined) {
        const prior = await tx.getLaunch(input.retry.of.id);
        if (prior?.status !== 'rolled-back')
          throw new HttpError(
            'INVALID_TRANSITION',
            `cannot retry: launch ${input.retry.of.id} is ${prior?.status ?? 'gone'}; only a rolled-back launch can be retried`,
            { status: prior?.status ?? null, action: 'retry' },
          );
      }
      const active = await activeLaunchOfFlag(tx, plan.flag, environment);
      if (active !== undefined) throw launchActive(active, plan.flag, environment);
      const phase = plan.phases[0];
      if (phase === undefined) throw new Error('a valid plan has at least one phase');
      const waits = phase.signoff !== undefined;
      const traffic = waits || scheduled ? 0 : phase.traffic;
      const at = scheduled ? new Date(input.startAt ?? 0).toISOString() : '';
      const reason = waits
        ? `phase ${phase.name} needs sign-off from ${phase.signoff?.roles.join(', ')} before any traffic${scheduled ? `, and starts no earlier than ${at}` : ''}`
        : scheduled
          ? `scheduled: phase ${phase.name} starts at ${formatShare(phase.traffic)} at ${at}`
          : `phase ${phase.name} starts at ${formatShare(traffic)}`;
      let launch = await tx.createLaunch({
        id: newLaunchId(plan.launch),
        planName: version.name,
        planVersion: version.version,
        salt: randomBytes(16).toString('hex'),
        createdBy: actor,
        createdBySubject: input.actorSubject,
        traffic,
        environment,
        retryOf: input.retry?.of.id ?? null,
      });
      if (input.retry !== undefined) {
        // Both logs say it: the new attempt names the old, the old names the new.
        const { of, reason: why } = input.retry;
        await tx.appendLaunchEvent(
          { launchId: launch.id, type: 'retry', actor, data: { retryOf: of.id, reason: why } },
          launch.seq,
        );
        const prior = await tx.getLaunch(of.id);
        if (prior !== undefined)
          await tx.appendLaunchEvent(
            { launchId: of.id, type: 'retried', actor, data: { attempt: launch.id, reason: why } },
            prior.seq,
          );
        launch = (await tx.getLaunch(launch.id)) ?? launch;
      }
      if (scheduled) {
        // A decision like any other: the reducer holds the launch before its first phase until then.
        const state = startingState(plan, launch, launchAuthors(launch, version));
        const decision: Decision = {
          type: 'schedule',
          at: ctx.now(),
          rule: 'operator',
          phase: state.phase,
          phaseIndex: state.phaseIndex,
          planVersion: version.version,
          evidence: {},
          actor,
          startAt: input.startAt ?? 0,
          reason: `scheduled by ${actor} to start ${phase.name} at ${at}`,
        };
        await commitDecisions(tx, { launch, plan, state, decisions: [decision], actor });
        launch = (await tx.getLaunch(launch.id)) ?? launch;
      }
      if (waits) {
        // The log says why the launch holds 0% (the 'created' event carries the traffic).
        await tx.appendLaunchEvent(
          {
            launchId: launch.id,
            type: 'signoff-requested',
            actor,
            data: { phase: phase.name, roles: phase.signoff?.roles ?? [], reason },
          },
          launch.seq,
        );
        launch = (await tx.getLaunch(launch.id)) ?? launch;
      }
      await tx.appendAudit({
        actor,
        action: input.retry === undefined ? 'launch.created' : 'launch.retried',
        subject: `launch:${launch.id}`,
        data: {
          plan: version.name,
          version: version.version,
          environment,
          phase: phase.name,
          traffic,
          reason,
          ...(scheduled ? { startAt: at } : {}),
          ...(input.retry === undefined
            ? {}
            : { retryOf: input.retry.of.id, because: input.retry.reason }),
        },
      });
      return { launch, plan, reason };
    })
    .catch(async (e: unknown) => {
      // The checks above passed, but a concurrent request (maybe on another
      // replica) committed first: the database's one-live-launch index refused us
      // (per flag and environment, or per router and service).
      if (e instanceof StoreRouterInUseError)
        throw routerInUse(
          await activeLaunchAtRouter(store, e.router, e.service),
          e.router,
          e.service,
        );
      if (!(e instanceof StoreActiveLaunchError)) throw e;
      throw launchActive(await activeLaunchOfFlag(store, e.flag, environment), e.flag, environment);
    });
}

function launchActive(active: string | undefined, flag: string, environment: string): HttpError {
  return new HttpError(
    'LAUNCH_ACTIVE',
    `launch '${active ?? '(just started)'}' of flag '${flag}' is still running or paused in ${environment}; roll it back or let it complete first`,
    { launch: active ?? null, flag, environment },
  );
}

/**
 * Two live launches must not move the same service at the same router: each
 * would keep re-applying its own share over the other's. Checked here first for
 * a clear answer; a race across replicas is decided by the database's router
 * claim (launches_live_router_idx), whose refusal gets the same answer.
 */
async function refuseRouterInUse(store: Store, router: PlanRouter): Promise<void> {
  const active = await activeLaunchAtRouter(store, router.name, router.service);
  if (active !== undefined) throw routerInUse(active, router.name, router.service);
}

function routerInUse(active: string | undefined, router: string, service: string): HttpError {
  return new HttpError(
    'LAUNCH_ACTIVE',
    `launch '${active ?? '(just started)'}' is moving ${service} at router ${router}; roll it back or let it complete first`,
    { launch: active ?? null, router, service },
  );
}

/** Id of a running or paused launch moving `service` at `router`, if any (any environment). */
async function activeLaunchAtRouter(
  store: Store,
  router: string,
  service: string,
): Promise<string | undefined> {
  for (const launch of await store.listLaunches({ status: ['running', 'paused'] })) {
    const other = (await store.getPlanVersion(launch.planName, launch.planVersion))?.plan.router;
    if (other?.name === router && other.service === service) return launch.id;
  }
  return undefined;
}

/** Id of a running or paused launch of `flag` in `environment`, if any. */
async function activeLaunchOfFlag(
  store: Store,
  flag: string,
  environment: string,
): Promise<string | undefined> {
  const active = await store.listLaunches({ status: ['running', 'paused'], environment });
  for (const launch of active) {
    const version = await store.getPlanVersion(launch.planName, launch.planVersion);
    if (version?.plan.flag === flag) return launch.id;
  }
  return undefined;
}

function formatShare(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}

/** The attempts of a launch, first to last: every launch linked to it by retries. */
export async function lineageOf(
  store: Store,
  launch: LaunchRecord,
): Promise<
  { id: string; attempt: number; status: LaunchRecord['status']; retryOf: string | null }[]
> {
  const all = await store.listLaunches();
  const byId = new Map(all.map((l) => [l.id, l]));
  let root = launch;
  const seen = new Set<string>();
  while (root.retryOf !== null && !seen.has(root.id)) {
    seen.add(root.id);
    const prior = byId.get(root.retryOf);
    if (prior === undefined) break;
    root = prior;
  }
  const out = [];
  let at: LaunchRecord | undefined = root;
  let attempt = 1;
  while (at !== undefined && out.length < all.length) {
    out.push({ id: at.id, attempt, status: at.status, retryOf: at.retryOf });
    const id: string = at.id;
    at = all.find((l) => l.retryOf === id);
    attempt++;
  }
  return out;
}
