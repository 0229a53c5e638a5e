/**
 * GET /api/v1/portfolio: every launch's outcome and timings, by team, plan and
 * time (issue 18). Each launch's numbers come from its own log
 * (launches/launch-metrics.ts); groups and trends aggregate them.
 */
import { z } from 'zod';
import { safeText } from '../http/common-schemas.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import {
  REHEARSAL_PREDICTION_RULE,
  rehearsalPredicted,
  rehearsalsBefore,
} from '../launches/rehearsal-record.js';
import type { RehearsalRecord } from '../store/store.js';
import { launchMetrics, portfolioStats } from '../launches/launch-metrics.js';
import type { LaunchMetrics } from '../launches/launch-metrics.js';

const DAY = 86_400_000;

const isoDate = safeText(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be a date, e.g. 2026-12-01' })
  .optional();

const portfolioQuery = z.object({
  team: safeText(200).optional().meta({ description: 'Only launches of plans this team owns.' }),
  plan: safeText(200).optional().meta({ description: 'Only launches of this plan.' }),
  since: isoDate.meta({ description: 'Only launches created at or after this time.' }),
  until: isoDate.meta({ description: 'Only launches created before this time.' }),
  bucket: z
    .enum(['day', 'week'])
    .default('day')
    .meta({ description: 'Trend buckets: UTC days or weeks (starting Monday).' }),
});

const nullableMs = z.number().nullable();

const statsSchema = z
  .object({
    launches: z.number().int(),
    ended: z.number().int(),
    rolledBack: z.number().int(),
    rollbackRate: z
      .number()
      .nullable()
      .meta({ description: 'Rolled back / ended (change failure rate).' }),
    medianTimeToRestoreMs: nullableMs.meta({
      description: 'Regression onset (first breach) → 0%.',
    }),
    medianTimeToFullMs: nullableMs,
    medianSignoffWaitMs: nullableMs,
    unitsExposedAtRollback: z.number(),
    rehearsalAccuracy: z.number().nullable().meta({
      description:
        'How often the newest rehearsal before a launch predicted its outcome: predicted ÷ launches where it is known (see `rehearsals`); null when none is known.',
    }),
  })
  .meta({ title: 'PortfolioStats' });

const metricsSchema = z
  .object({
    id: z.string(),
    plan: z.string(),
    planVersion: z.number().int(),
    team: z.string(),
    status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    timeToFullMs: nullableMs,
    timeToRestoreMs: nullableMs,
    unitsAtRollback: z.number().nullable(),
    signoffWaitMs: z.number(),
    rehearsalPredicted: z.boolean().nullable().meta({
      description:
        'Whether the newest rehearsal before it predicted the outcome; null when unknown.',
    }),
  })
  .meta({ title: 'PortfolioLaunch' });

const portfolioSchema = z
  .object({
    overall: statsSchema,
    launches: z.array(metricsSchema).meta({ description: 'Newest first.' }),
    teams: z.array(statsSchema.extend({ team: z.string() })),
    plans: z.array(statsSchema.extend({ plan: z.string(), team: z.string() })),
    trend: z.array(
      statsSchema.extend({ start: z.string().meta({ description: 'Bucket start (UTC).' }) }),
    ),
    rehearsals: z
      .string()
      .meta({ description: 'How "rehearsal predicted the outcome" is decided (ADR 0041).' }),
  })
  .meta({ title: 'Portfolio' });

/** Start of the UTC day or week (Monday) holding `ms`. */
function bucketStart(ms: number, bucket: 'day' | 'week'): number {
  const day = Math.floor(ms / DAY) * DAY;
  if (bucket === 'day') return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY;
}

function groupBy<K>(
  items: readonly LaunchMetrics[],
  key: (l: LaunchMetrics) => K,
): Map<K, LaunchMetrics[]> {
  const out = new Map<K, LaunchMetrics[]>();
  for (const l of items) out.set(key(l), [...(out.get(key(l)) ?? []), l]);
  return out;
}

/** The portfolio routes. */
export function portfolioRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/portfolio',
      access: 'viewer',
      tag: 'launches',
      summary:
        'Launches by team, plan and time: rollback rate, time to restore, units exposed at rollback, time to 100%, sign-off wait, rehearsal predicted',
      query: portfolioQuery,
      responses: { 200: { description: 'The portfolio.', schema: portfolioSchema } },
      errors: ['VALIDATION_FAILED'],
      handler: async (c) => {
        const q = validateInput(portfolioQuery, c.req.query(), 'query');
        const since = q.since === undefined ? -Infinity : Date.parse(q.since);
        const until = q.until === undefined ? Infinity : Date.parse(q.until);
        const now = ctx.now();
        const metrics: LaunchMetrics[] = [];
        const rehearsals = new Map<string, RehearsalRecord[]>();
        for (const launch of await ctx.store.listLaunches()) {
          const at = Date.parse(launch.createdAt);
          if (at < since || at >= until) continue;
          if (q.plan !== undefined && launch.planName !== q.plan) continue;
          const version = await ctx.store.getPlanVersion(launch.planName, launch.planVersion);
          if (version === undefined) continue;
          if (q.team !== undefined && version.plan.owner !== q.team) continue;
          const events = await ctx.store.listLaunchEvents(launch.id);
          let planRehearsals = rehearsals.get(launch.planName);
          if (planRehearsals === undefined) {
            planRehearsals = await ctx.store.listRehearsals(launch.planName);
            rehearsals.set(launch.planName, planRehearsals);
          }
          const predicted = rehearsalPredicted(
            launch,
            events,
            rehearsalsBefore(launch, planRehearsals),
          );
          metrics.push(launchMetrics(launch, version.plan.owner, events, now, predicted));
        }
        metrics.sort((a, b) =>
          a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
        );
        const teams = [...groupBy(metrics, (l) => l.team)].map(([team, ls]) => ({
          team,
          ...portfolioStats(ls),
        }));
        const plans = [...groupBy(metrics, (l) => l.plan)].map(([plan, ls]) => ({
          plan,
          team: ls[0]?.team ?? '',
          ...portfolioStats(ls),
        }));
        const trend = [...groupBy(metrics, (l) => bucketStart(Date.parse(l.createdAt), q.bucket))]
          .sort(([a], [b]) => a - b)
          .map(([start, ls]) => ({ start: new Date(start).toISOString(), ...portfolioStats(ls) }));
        return c.json({
          overall: portfolioStats(metrics),
          launches: metrics,
          teams: teams.sort((a, b) => a.team.localeCompare(b.team)),
          plans: plans.sort((a, b) => a.plan.localeCompare(b.plan)),
          trend,
          rehearsals: REHEARSAL_PREDICTION_RULE,
        });
      },
    },
  ];
}
