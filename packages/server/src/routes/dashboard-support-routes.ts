/**
 * What the dashboard needs beyond the resource routes: who a token belongs to
 * (so the screen offers only the actions it may take), and the launch list with
 * each launch's health (worst verdict of its latest look) and pending sign-offs
 * in one answer instead of one request per launch; and rehearsals run by the
 * server with core's engine.
 */
import type { Verdict } from '@threshold/core';
import { z } from 'zod';
import { launchSummarySchema } from '../http/common-schemas.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { launchSummary } from '../launches/launch-view.js';
import { signoffStatus } from '../launches/signoff-status.js';
import { rehearsalRoutes } from './rehearsal-routes.js';
import type { LaunchEvent, LaunchRecord, PlanVersion, Store } from '../store/store.js';

/** Event type of a recorded look in a launch's log (written by the controller). */
const LOOK_EVENT = 'look';
/** How far back from the newest event to search for the latest look before reading the whole log. */
const LOOK_SEARCH_WINDOW = 64;

const overviewSchema = launchSummarySchema
  .extend({
    health: z
      .enum(['pass', 'breach', 'insufficient-evidence'])
      .nullable()
      .meta({ description: 'Worst verdict of the latest look; null before the first look.' }),
    verdicts: z.object({ pass: z.number(), breach: z.number(), insufficient: z.number() }),
    notComparable: z
      .number()
      .int()
      .meta({ description: 'KPIs left out of health: no control arm at 100% traffic.' }),
    pendingSignoffs: z.array(
      z.object({ phase: z.string(), role: z.string(), missing: z.number().int() }),
    ),
    summary: z.string().nullable().meta({ description: "The latest look's status line." }),
  })
  .meta({ title: 'LaunchOverview' });

interface LookKpiLike {
  verdict?: unknown;
}

/** The latest recorded look of a launch, searching the tail of its log first. */
async function latestLook(store: Store, launch: LaunchRecord): Promise<LaunchEvent | undefined> {
  const find = (events: LaunchEvent[]): LaunchEvent | undefined => {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e?.type === LOOK_EVENT && typeof e.data === 'object' && e.data !== null) return e;
    }
    return undefined;
  };
  const tail = await store.listLaunchEvents(
    launch.id,
    Math.max(0, launch.seq - LOOK_SEARCH_WINDOW),
  );
  if (launch.seq <= LOOK_SEARCH_WINDOW) return find(tail);
  return find(tail) ?? find(await store.listLaunchEvents(launch.id));
}

/**
 * Health of a look: its worst verdict and the count of each. KPIs the look could
 * not compare for want of a control arm (100% traffic) are left out: core accepts
 * them for completion, judged in the phases before.
 */
export function lookHealth(look: unknown): {
  health: Verdict | null;
  verdicts: { pass: number; breach: number; insufficient: number };
  notComparable: number;
  summary: string | null;
} {
  const record = (look ?? {}) as {
    kpis?: (LookKpiLike & { kpi?: unknown; bad?: unknown; units?: { control?: unknown } })[];
    summary?: unknown;
    traffic?: unknown;
    conditions?: { id?: unknown; notComparable?: unknown }[];
  };
  const guards = Array.isArray(record.conditions)
    ? record.conditions.find((c) => c.id === 'guards')
    : undefined;
  const all = Array.isArray(record.kpis) ? record.kpis : [];
  // Terminal looks list no conditions: a comparison at 100% with no control units is the same case.
  const excluded = Array.isArray(guards?.notComparable)
    ? (guards.notComparable as unknown[])
    : record.traffic === 1
      ? all.filter((k) => k.bad != null && k.units?.control === 0).map((k) => k.kpi)
      : [];
  const kpis = all.filter((k) => !excluded.includes(k.kpi));
  const count = (v: Verdict) => kpis.filter((k) => k.verdict === v).length;
  const verdicts = {
    pass: count('pass'),
    breach: count('breach'),
    insufficient: count('insufficient-evidence'),
  };
  const health: Verdict | null =
    verdicts.breach > 0
      ? 'breach'
      : verdicts.insufficient > 0
        ? 'insufficient-evidence'
        : verdicts.pass > 0
          ? 'pass'
          : null;
  return {
    health,
    verdicts,
    notComparable: all.length - kpis.length,
    summary: typeof record.summary === 'string' ? record.summary : null,
  };
}

/**
 * An ended launch is described by the decision that ended it, not by its last
 * recorded look (looks are recorded at most every few seconds, so the last one
 * may predate the rollback): health from that decision's guards, and its reason.
 */
async function endingHealth(
  store: Store,
  launch: LaunchRecord,
): Promise<ReturnType<typeof lookHealth> | undefined> {
  if (launch.status !== 'rolled-back' && launch.status !== 'completed') return undefined;
  const last = launch.lastDecision as { seq?: unknown } | null | undefined;
  if (typeof last?.seq !== 'number') return undefined;
  const [event] = await store.listLaunchEvents(launch.id, last.seq - 1);
  if (event?.type !== 'decision' || typeof event.data !== 'object' || event.data === null) {
    return undefined;
  }
  const decision = event.data as {
    type?: unknown;
    reason?: unknown;
    evidence?: { guards?: unknown };
  };
  const guards = Array.isArray(decision.evidence?.guards)
    ? (decision.evidence.guards as { units?: { control?: unknown } }[])
    : [];
  const health = lookHealth({
    kpis: guards.map((g) => ({
      ...g,
      bad: 'comparison' in g ? 'compared' : null,
    })),
    traffic: launch.status === 'completed' ? 1 : 0,
  });
  const what = launch.status === 'rolled-back' ? 'rolled back' : 'completed';
  return {
    ...health,
    summary:
      typeof decision.reason !== 'string'
        ? null
        : decision.reason.startsWith(what)
          ? decision.reason
          : `${what}: ${decision.reason}`,
  };
}

/** The dashboard support routes. */
export function dashboardSupportRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/whoami',
      access: 'viewer',
      tag: 'dashboard',
      summary: "The calling token's name and scopes (the dashboard offers only allowed actions)",
      responses: {
        200: {
          description: 'Who the token belongs to.',
          schema: z.object({ name: z.string(), scopes: z.array(z.string()) }),
        },
      },
      handler: (c) => {
        const principal = c.get('principal');
        c.header('Cache-Control', 'no-store');
        return c.json({ name: principal.name, scopes: principal.scopes });
      },
    },
    {
      method: 'get',
      path: '/api/v1/dashboard/launches',
      access: 'viewer',
      tag: 'dashboard',
      summary:
        'Every launch with its health (worst verdict of the latest look), pending sign-offs and status line',
      responses: {
        200: {
          description: 'Launches, newest first.',
          schema: z.object({ launches: z.array(overviewSchema) }),
        },
      },
      handler: async (c) => {
        const launches = await store.listLaunches();
        const plans = new Map<string, PlanVersion | undefined>();
        const out = [];
        for (const launch of launches) {
          const key = `${launch.planName}@${launch.planVersion}`;
          if (!plans.has(key)) {
            plans.set(key, await store.getPlanVersion(launch.planName, launch.planVersion));
          }
          const version = plans.get(key);
          if (version === undefined) continue;
          const look = await latestLook(store, launch);
          const approvals = await store.listApprovals(launch.id);
          out.push({
            ...launchSummary(launch, version.plan),
            ...((await endingHealth(store, launch)) ?? lookHealth(look?.data)),
            pendingSignoffs: signoffStatus(version.plan, launch, approvals)
              .filter((s) => s.missing > 0)
              .map((s) => ({ phase: s.phase, role: s.role, missing: s.missing })),
          });
        }
        return c.json({ launches: out });
      },
    },
    ...rehearsalRoutes(ctx),
  ];
}
