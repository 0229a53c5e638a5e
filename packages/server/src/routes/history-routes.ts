/**
 * GET /api/v1/plans/:name/history: what the plan's past launches measured —
 * each KPI's baseline and spread, and the traffic — as the traffic profile
 * `plan explain` and the rehearsal take as their default (issue 18).
 */
import { z } from 'zod';
import { pathName, positiveIntText } from '../http/common-schemas.js';
import { notFound } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { planHistory } from '../launches/plan-history.js';

const nameParams = z.object({ name: pathName });
const historyQuery = z.object({
  launches: positiveIntText
    .max(20, { error: 'must be at most 20' })
    .default(3)
    .meta({ description: 'Read the newest this many ended launches (default 3, max 20).' }),
});

const baselineSchema = z.object({
  value: z.number().meta({ description: 'Rate, mean per unit or ratio in the control arm.' }),
  sd: z.number().optional().meta({ description: 'Spread of the per-unit value (count, mean).' }),
});

const historySchema = z
  .object({
    plan: z.string(),
    version: z.number().int().meta({ description: 'The plan version whose KPIs were matched.' }),
    launches: z.array(
      z.object({
        id: z.string(),
        planVersion: z.number().int(),
        status: z.string(),
        phase: z.string().nullable(),
        unitsPerMinute: z.number().nullable(),
      }),
    ),
    unitsPerMinute: z.number().nullable(),
    kpis: z.array(
      z.object({
        kpi: z.string(),
        kind: z.string(),
        source: z.string(),
        baseline: baselineSchema.nullable(),
        launches: z.number().int(),
        values: z.array(z.number()),
        note: z.string().nullable(),
      }),
    ),
    profile: z
      .object({
        unitsPerMinute: z.number(),
        baselines: z.record(z.string(), baselineSchema),
      })
      .nullable()
      .meta({ description: 'The traffic profile the history makes (null without traffic).' }),
  })
  .meta({ title: 'PlanHistory' });

/** The plan history route. */
export function historyRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/plans/:name/history',
      access: 'viewer',
      tag: 'plans',
      summary:
        "What the plan's past launches measured: each KPI's baseline and spread, and the traffic",
      params: nameParams,
      query: historyQuery,
      responses: { 200: { description: 'The history.', schema: historySchema } },
      errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
      handler: async (c) => {
        const { name } = validateInput(nameParams, c.req.param(), 'path');
        const q = validateInput(historyQuery, c.req.query(), 'query');
        const latest = await ctx.store.getPlanVersion(name);
        if (latest === undefined) throw notFound('plan', name);
        const history = await planHistory(ctx.store, name, latest.plan, q.launches, ctx.now());
        const byName = new Map(
          Object.values(latest.plan.kpis)
            .flat()
            .map((k) => [k.name, k]),
        );
        return c.json({
          ...history,
          version: latest.version,
          kpis: history.kpis.map((k) => ({
            ...k,
            kind: byName.get(k.kpi)?.kind ?? '',
            source: byName.get(k.kpi)?.source ?? '',
          })),
        });
      },
    },
  ];
}
