/**
 * Threshold as an Argo Rollouts analysis source, through Argo's `web` metric
 * provider: a read-only GET answering a launch's verdict as JSON, for an
 * AnalysisTemplate whose `successCondition` / `failureCondition` read it
 * (docs/infra-canaries.md). `pass` when every guard passes at the latest look,
 * `fail` when a guard breaches or the launch rolled back, `wait` otherwise —
 * which an AnalysisTemplate with both conditions turns into an inconclusive
 * measurement, pausing the Rollout rather than passing it.
 */
import { z } from 'zod';
import { pathName } from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { findLaunch, readStanding, verdictOf } from './launch-standing.js';
import type { LaunchRef } from './launch-standing.js';

const verdictQuery = z.object({
  plan: pathName.optional().meta({
    description: 'Plan name: its live launch is judged (else its latest one).',
  }),
  launch: pathName.optional().meta({ description: 'A launch id (instead of plan).' }),
});

const verdictSchema = z
  .object({
    verdict: z.enum(['pass', 'fail', 'wait']).meta({
      description:
        'pass: every guard passes (or the launch completed); fail: a guard breaches or the launch rolled back; wait: not yet known.',
    }),
    reason: z.string(),
    launch: z.object({
      id: z.string(),
      plan: z.string(),
      status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
      phase: z.string(),
      phaseIndex: z.number().int(),
      traffic: z.number(),
    }),
    look: z
      .object({ at: z.string(), state: z.string(), summary: z.string() })
      .nullable()
      .meta({ description: 'The latest recorded look the verdict rests on.' }),
    kpis: z.array(z.object({ name: z.string(), verdict: z.string(), reason: z.string() })),
    at: z.string().meta({ description: 'When this answer was made.' }),
  })
  .meta({ title: 'ArgoVerdict' });

/** The Argo Rollouts route. */
export function argoRolloutsRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/integrations/argo-rollouts/verdict',
      access: 'viewer',
      tag: 'integrations',
      summary:
        "A launch's verdict for Argo Rollouts' web metric provider (read-only): pass, fail or wait, with the KPIs behind it",
      query: verdictQuery,
      responses: { 200: { description: 'The verdict.', schema: verdictSchema } },
      errors: ['VALIDATION_FAILED', 'NOT_FOUND'],
      handler: async (c) => {
        const q = validateInput(verdictQuery, c.req.query(), 'query');
        if ((q.plan === undefined) === (q.launch === undefined))
          throw new HttpError('VALIDATION_FAILED', 'query: name either plan or launch', {
            errors: [{ path: 'query.plan', message: 'name either plan or launch' }],
          });
        const ref: LaunchRef =
          q.launch !== undefined ? { launch: q.launch } : { plan: q.plan ?? '' };
        const launch = await findLaunch(ctx.store, ref);
        if (launch === undefined)
          throw 'launch' in ref
            ? notFound('launch', ref.launch)
            : notFound('launch of plan', ref.plan);
        const standing = await readStanding(ctx.store, launch);
        const { verdict, reason } = verdictOf(standing);
        const look = standing.look;
        return c.json({
          verdict,
          reason,
          launch: {
            id: launch.id,
            plan: launch.planName,
            status: launch.status,
            phase: standing.state.phase,
            phaseIndex: standing.state.phaseIndex,
            traffic: launch.traffic,
          },
          look:
            look === null
              ? null
              : { at: new Date(look.at).toISOString(), state: look.state, summary: look.summary },
          kpis: (look?.kpis ?? []).map((k) => ({
            name: k.kpi,
            verdict: k.verdict,
            reason: k.reason,
          })),
          at: new Date(ctx.now()).toISOString(),
        });
      },
    },
  ];
}
