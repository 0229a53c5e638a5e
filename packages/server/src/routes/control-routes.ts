/**
 * Operator control beyond pause, resume and rollback: promote (advance now),
 * skip the next phase, amend the plan of a running launch, and retry a
 * rolled-back launch as a new attempt. Each goes through core's decisions and
 * the launch's log (ADR 0033); none moves a launch around them.
 */
import { z } from 'zod';
import {
  launchSummarySchema,
  pathName,
  positiveInt,
  requiredText,
} from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { applyAmendment, applyOperatorAdvance } from '../controller/operator-control.js';
import type { ControlResult } from '../controller/operator-control.js';
import { launchSummary } from '../launches/launch-view.js';
import { lineageOf, startLaunch } from '../launches/start-launch.js';
import { checkPromotion } from '../environments/promotion-check.js';

const idParams = z.object({ id: pathName });

const reasonBody = z.object({
  reason: requiredText(2000).meta({
    description: 'Why; recorded in the launch log and audit log.',
  }),
});

const amendBody = z.object({
  version: positiveInt.meta({
    description: 'The newer version of the launch’s plan to run (upload it first).',
  }),
  reason: requiredText(2000).meta({ description: 'Why; recorded in the launch log.' }),
});

const decisionResponse = z.object({
  launch: launchSummarySchema,
  decision: z.record(z.string(), z.unknown()).meta({ description: 'The decision recorded.' }),
});

/** The lineage of a launch: its attempts, first to last. */
export const lineageSchema = z
  .array(
    z.object({
      id: z.string(),
      attempt: z.number().int(),
      status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
      retryOf: z.string().nullable(),
    }),
  )
  .meta({ title: 'Lineage', description: 'Every attempt of the launch, first to last.' });

/** The routes of promote, skip, amend and retry. */
export function controlRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, hub } = ctx;

  const answer = (id: string, action: string, result: ControlResult) => {
    if (result.ok) return result;
    if (result.notFound) throw notFound('launch', id);
    if (result.blocking.length > 0)
      throw new HttpError('LAUNCH_BLOCKED', result.error, {
        status: result.status,
        action,
        blocking: result.blocking,
      });
    if (result.error.startsWith('version:'))
      throw new HttpError('VALIDATION_FAILED', result.error, {
        errors: [{ path: ['version'], message: result.error.slice('version: '.length) }],
      });
    throw new HttpError('INVALID_TRANSITION', `cannot ${action}: ${result.error}`, {
      status: result.status,
      action,
    });
  };

  const advance = (type: 'promote' | 'skip'): RouteSpec => ({
    method: 'post',
    path: `/api/v1/launches/:id/${type}`,
    access: 'operator',
    tag: 'launches',
    summary:
      type === 'promote'
        ? 'Promote: advance to the next phase now (never past a required sign-off or a blocking breach)'
        : 'Skip the next phase: advance to the one after it (never past a required sign-off or a blocking breach)',
    params: idParams,
    body: { required: true, content: { 'application/json': reasonBody } },
    responses: {
      200: { description: 'The launch after the decision.', schema: decisionResponse },
      409: {
        description:
          'LAUNCH_BLOCKED: details.blocking names each sign-off, breach, hold, ask or time rule in the way.',
      },
    },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'INVALID_TRANSITION', 'LAUNCH_BLOCKED', 'CONFLICT'],
    handler: async (c) => {
      const { id } = validateInput(idParams, c.req.param(), 'path');
      const { reason } = validateInput(reasonBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
      const result = answer(
        id,
        type,
        await applyOperatorAdvance(
          store,
          ctx.sources.sources,
          { launchId: id, type, reason, actor: c.get('principal').name, now: ctx.now() },
          (name) => ctx.environments.find((e) => e.name === name)?.timeRules,
        ),
      );
      hub.changed();
      ctx.trafficChanged?.(id);
      return c.json({
        launch: launchSummary(result.launch, result.plan),
        decision: result.decision as unknown as Record<string, unknown>,
      });
    },
  });

  return [
    advance('promote'),
    advance('skip'),
    {
      method: 'post',
      path: '/api/v1/launches/:id/amend',
      access: 'operator',
      tag: 'launches',
      summary:
        "Amend a running launch's plan: run a newer version (diffed in the record; approvals reset as the sign-off policy says)",
      params: idParams,
      body: { required: true, content: { 'application/json': amendBody } },
      responses: {
        200: { description: 'The launch after the amendment.', schema: decisionResponse },
        409: {
          description:
            "INVALID_TRANSITION (the launch has ended) or PROMOTION_REQUIRED (the new version has not met the environment's promotion policy).",
        },
      },
      errors: [
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'INVALID_TRANSITION',
        'CONFLICT',
        'PROMOTION_REQUIRED',
      ],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const body = validateInput(amendBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const result = answer(
          id,
          'amend',
          await applyAmendment(store, {
            launchId: id,
            version: body.version,
            reason: body.reason,
            actor: c.get('principal').name,
            now: ctx.now(),
            // A new version must meet the environment's promotion policy, as a start must.
            check: async (tx, launch, version) => {
              const env = ctx.environments.find((e) => e.name === launch.environment);
              if (env !== undefined)
                await checkPromotion(tx, env, { name: launch.planName, version }, ctx.now());
            },
          }),
        );
        hub.changed();
        return c.json({
          launch: launchSummary(result.launch, result.plan),
          decision: result.decision as unknown as Record<string, unknown>,
        });
      },
    },
    {
      method: 'post',
      path: '/api/v1/launches/:id/retry',
      access: 'operator',
      tag: 'launches',
      summary:
        'Retry a rolled-back launch: a new attempt of the same plan version, linked to the first',
      params: idParams,
      body: { required: true, content: { 'application/json': reasonBody } },
      responses: {
        201: {
          description: 'The new attempt and its lineage.',
          schema: z.object({
            launch: launchSummarySchema,
            reason: z.string(),
            lineage: lineageSchema,
          }),
        },
        409: {
          description:
            'INVALID_TRANSITION (not rolled back), LAUNCH_ACTIVE, LAUNCH_NOT_READY or PROMOTION_REQUIRED.',
        },
      },
      errors: [
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'INVALID_TRANSITION',
        'LAUNCH_ACTIVE',
        'LAUNCH_NOT_READY',
        'PROMOTION_REQUIRED',
      ],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const { reason } = validateInput(
          reasonBody,
          await readJsonBody(c, ctx.maxBodyBytes),
          'body',
        );
        const prior = await store.getLaunch(id);
        if (prior === undefined) throw notFound('launch', id);
        if (prior.status !== 'rolled-back')
          throw new HttpError(
            'INVALID_TRANSITION',
            `cannot retry: launch ${id} is ${prior.status}; only a rolled-back launch can be retried`,
            { status: prior.status, action: 'retry' },
          );
        const started = await startLaunch(ctx, {
          planName: prior.planName,
          version: prior.planVersion,
          actor: c.get('principal').name,
          actorSubject: c.get('principal').subject,
          environment: prior.environment,
          retry: { of: prior, reason },
        });
        hub.changed();
        c.header('Location', `/api/v1/launches/${started.launch.id}`);
        return c.json(
          {
            launch: launchSummary(started.launch, started.plan),
            reason: started.reason,
            lineage: await lineageOf(store, started.launch),
          },
          201,
        );
      },
    },
  ];
}
