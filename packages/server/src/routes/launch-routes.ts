/** Launches: create from a plan version, list, read, its event log, and the operator actions. */
import { z } from 'zod';
import {
  extendLaunchSummary,
  environmentName,
  launchSummarySchema,
  pathName,
  positiveInt,
  positiveIntText,
  requiredText,
  safeText,
} from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { KPI_CATEGORIES } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { sourceNameOf } from '../sources/metric-source.js';
import type { SourceHealth } from '../sources/metric-source.js';
import { launchSummary } from '../launches/launch-view.js';
import { launchNotifications, notificationSchema } from '../launches/launch-notifications.js';
import { standingSchema } from '../launches/standing-schema.js';
import { lookRoutes } from '../controller/look-routes.js';
import type { DecisionSummary } from '../controller/commit-decisions.js';
import { applyOperatorAction } from '../controller/operator-decision.js';
import { OPERATOR_ACTIONS } from '../launches/operator-transition.js';
import type { OperatorAction } from '../launches/operator-transition.js';
import { signoffStatus } from '../launches/signoff-status.js';
import { readChecklist } from '../launches/readiness-status.js';
import { readinessCheckSchema } from './readiness-routes.js';
import { evidenceIntegritySchema, readEvidenceIntegrity } from '../launches/evidence-integrity.js';
import type { LaunchStatus } from '../store/store.js';
import { lineageOf, newLaunchId, startLaunch } from '../launches/start-launch.js';
import { controlRoutes, lineageSchema } from './control-routes.js';
import { environmentNamed } from '../environments/promotion-check.js';

const createBody = z.object({
  plan: requiredText(100).meta({ description: 'Plan name (its `launch` slug).' }),
  version: positiveInt.optional().meta({ description: 'Plan version; default the latest.' }),
  environment: environmentName
    .optional()
    .meta({ description: 'The environment to start in; default production.' }),
  startAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-12-07T09:00:00Z' })
    .optional()
    .meta({
      description:
        'A scheduled start: the launch waits at 0% before its first phase until then (and until the time rules allow).',
    }),
});

const reasonBody = z.object({
  reason: requiredText(2000).meta({
    description: 'Why; recorded in the launch log and audit log.',
  }),
});

const idParams = z.object({ id: pathName });

const STATUSES: readonly LaunchStatus[] = ['running', 'paused', 'rolled-back', 'completed'];

const STATES = [
  'waiting',
  'waiting-for-signoff',
  'asking',
  'holding',
  'baking',
  'no-exposures',
  'paused',
  'rolled-back',
  'completed',
] as const;

const listQuery = z.object({
  environment: environmentName
    .optional()
    .meta({ description: 'Only launches in this environment (default: every environment).' }),
  plan: safeText(200)
    .optional()
    .meta({ description: 'Only launches of this plan (its `launch` name).' }),
  owner: safeText(200)
    .optional()
    .meta({ description: "Only launches whose plan's owner is this." }),
  state: safeText(400)
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === '') return undefined;
      const parts = s.split(',').map((p) => p.trim());
      for (const p of parts) {
        if (!(STATES as readonly string[]).includes(p)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown state '${p}': use ${STATES.join(', ')} (comma-separated)`,
          });
          return z.NEVER;
        }
      }
      return parts;
    })
    .meta({
      description:
        'Comma-separated states of where launches stand (standing.state), e.g. waiting-for-signoff,no-exposures.',
    }),
  status: safeText(200)
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === '') return undefined;
      const parts = s.split(',').map((p) => p.trim());
      for (const p of parts) {
        if (!STATUSES.includes(p as LaunchStatus)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown status '${p}': use ${STATUSES.join(', ')} (comma-separated)`,
          });
          return z.NEVER;
        }
      }
      return parts as LaunchStatus[];
    })
    .meta({ description: 'Comma-separated statuses, e.g. running,paused.' }),
});

const eventsQuery = z.object({
  after: positiveIntText.optional().meta({ description: 'Only events with a larger seq.' }),
});

const signoffSchema = z.object({
  phase: z.string(),
  role: z.string(),
  quorum: z.number().int(),
  approvedBy: z.array(z.string()),
  rejectedBy: z.array(z.string()),
  missing: z.number().int(),
});

/** The short form of a launch's latest decision (commit-decisions' DecisionSummary). */
const lastDecisionSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    rule: z.string(),
    reason: z.string(),
    at: z.string().meta({ description: 'ISO time of the decision.' }),
    phase: z.string(),
    actor: z.string(),
  })
  .nullable()
  .meta({ description: 'The latest decision; null before the first.' });

const launchDetailSchema = z
  .object({
    launch: extendLaunchSummary({ salt: z.string() }),
    plan: z.object({
      name: z.string(),
      version: z.number().int(),
      plan: z.record(z.string(), z.unknown()),
    }),
    approvals: z.array(
      z.object({
        phase: z.string(),
        role: z.string(),
        decision: z.enum(['approve', 'reject']),
        actor: z.string(),
        comment: z.string(),
        planVersion: z.number().int(),
        at: z.string(),
      }),
    ),
    signoffs: z.array(signoffSchema).meta({ description: 'Sign-off progress of the gated phase.' }),
    pendingSignoffs: z.array(signoffSchema).meta({ description: 'Roles still missing approvals.' }),
    lastDecision: lastDecisionSchema,
    standing: standingSchema,
    notifications: z
      .array(notificationSchema)
      .meta({ description: 'What became of each notification the launch asked for.' }),
    integrity: evidenceIntegritySchema,
    readiness: z.array(readinessCheckSchema).meta({
      description: 'The readiness checklist with who attested what, until when.',
    }),
    lineage: lineageSchema,
    sources: z
      .array(
        z.object({
          name: z.string(),
          kind: z.string(),
          target: z.string(),
          state: z.enum(['ok', 'failing', 'unknown']),
          lastError: z.string().optional(),
          lastQueryAt: z.string().optional(),
        }),
      )
      .meta({
        description:
          "Health of the external metric sources the plan's KPIs read (events excluded).",
      }),
  })
  .meta({ title: 'LaunchDetail' });

/** GET /api/v1/launches/:id, as the server answers it (for clients such as the CLI). */
export type LaunchDetailAnswer = z.output<typeof launchDetailSchema>;

/** A launch in the list: its summary, its plan's owner and where it stands. */
const launchListEntrySchema = extendLaunchSummary({
  owner: z.string(),
  standing: standingSchema,
}).meta({ title: 'LaunchListEntry' });

const launchEventSchema = z.object({
  launchId: z.string(),
  seq: z.number().int(),
  type: z.string(),
  actor: z.string(),
  data: z.unknown(),
  at: z.string(),
});

/** The launch routes. */
export function launchRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, hub } = ctx;
  return [
    {
      method: 'post',
      path: '/api/v1/launches',
      access: 'operator',
      tag: 'launches',
      summary: 'Start a launch of a plan version at its first phase',
      body: { required: true, content: { 'application/json': createBody } },
      responses: {
        201: {
          description: 'The launch, and why its traffic is what it is.',
          schema: z.object({ launch: launchSummarySchema, reason: z.string() }),
        },
        409: {
          description:
            'LAUNCH_NOT_READY (details.blocking), LAUNCH_ACTIVE or PROMOTION_REQUIRED (details.missing).',
        },
      },
      errors: [
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'PLAN_INVALID',
        'LAUNCH_NOT_READY',
        'LAUNCH_ACTIVE',
        'PROMOTION_REQUIRED',
        'UNKNOWN_ENVIRONMENT',
      ],
      handler: async (c) => {
        const body = validateInput(createBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const startAt = body.startAt === undefined ? undefined : Date.parse(body.startAt);
        if (startAt !== undefined && startAt <= ctx.now())
          throw new HttpError('VALIDATION_FAILED', 'body.startAt: must be in the future', {
            errors: [{ path: ['startAt'], message: 'must be in the future' }],
          });
        const created = await startLaunch(ctx, {
          ...(startAt === undefined ? {} : { startAt }),
          planName: body.plan,
          ...(body.version === undefined ? {} : { version: body.version }),
          actor: c.get('principal').name,
          actorSubject: c.get('principal').subject,
          ...(body.environment === undefined ? {} : { environment: body.environment }),
        });
        hub.changed();
        c.header('Location', `/api/v1/launches/${created.launch.id}`);
        return c.json(
          { launch: launchSummary(created.launch, created.plan), reason: created.reason },
          201,
        );
      },
    },
    {
      method: 'get',
      path: '/api/v1/launches',
      access: 'viewer',
      tag: 'launches',
      summary: 'List launches with plan, phase, share, status and where each stands',
      query: listQuery,
      responses: {
        200: {
          description: 'Launches, newest first.',
          schema: z.object({ launches: z.array(launchListEntrySchema) }),
        },
      },
      errors: ['VALIDATION_FAILED', 'UNKNOWN_ENVIRONMENT'],
      handler: async (c) => {
        const query = validateInput(listQuery, c.req.query(), 'query');
        if (query.environment !== undefined) environmentNamed(ctx.environments, query.environment);
        const launches = await store.listLaunches({
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.environment === undefined ? {} : { environment: query.environment }),
        });
        const out = [];
        for (const r of await ctx.launches.readAll(
          query.plan === undefined ? launches : launches.filter((l) => l.planName === query.plan),
        )) {
          const { plan } = r.version;
          if (query.owner !== undefined && plan.owner !== query.owner) continue;
          if (query.state !== undefined && !query.state.includes(r.standing.state)) continue;
          out.push({ ...launchSummary(r.launch, plan), owner: plan.owner, standing: r.standing });
        }
        return c.json({ launches: out });
      },
    },
    {
      method: 'get',
      path: '/api/v1/launches/:id',
      access: 'viewer',
      tag: 'launches',
      summary:
        'A launch with where it stands, its plan version, approvals, pending sign-offs, last decision and notifications',
      params: idParams,
      responses: { 200: { description: 'The launch.', schema: launchDetailSchema } },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const launch = await store.getLaunch(id);
        if (launch === undefined) throw notFound('launch', id);
        // One read of the log: the standing folds it, the notifications are listed from it.
        const events = await store.listLaunchEvents(id);
        const read = await ctx.launches.read(launch, events);
        if (read === undefined) throw new Error(`launch ${id} refers to a missing plan version`);
        const { version } = read;
        const approvals = await store.listApprovals(id);
        const signoffs = signoffStatus(version.plan, launch, approvals);
        return c.json({
          launch: { ...launchSummary(launch, version.plan), salt: launch.salt },
          plan: { name: version.name, version: version.version, plan: version.plan },
          approvals,
          signoffs,
          pendingSignoffs: signoffs.filter((s) => s.missing > 0),
          lastDecision: (launch.lastDecision ?? null) as DecisionSummary | null,
          standing: read.standing,
          notifications: await launchNotifications(store, id, events),
          integrity: await readEvidenceIntegrity(store, launch, version.plan),
          readiness: await readChecklist(store, version.plan, version.name, ctx.now()),
          lineage: await lineageOf(store, launch),
          sources: sourcesOf(ctx, version.plan),
        });
      },
    },
    {
      method: 'get',
      path: '/api/v1/launches/:id/events',
      access: 'viewer',
      tag: 'launches',
      summary: "A launch's append-only event log",
      params: idParams,
      query: eventsQuery,
      responses: {
        200: {
          description: 'Events in order.',
          schema: z.object({ events: z.array(launchEventSchema) }),
        },
      },
      errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const { after } = validateInput(eventsQuery, c.req.query(), 'query');
        if ((await store.getLaunch(id)) === undefined) throw notFound('launch', id);
        return c.json({ events: await store.listLaunchEvents(id, after) });
      },
    },
    ...lookRoutes(ctx),
    ...OPERATOR_ACTIONS.map((action) => operatorRoute(ctx, action)),
    ...controlRoutes(ctx),
  ];
}

/**
 * Health of the external sources a plan reads (the built-in events are left out);
 * a source it names that is not configured shows as failing.
 */
function sourcesOf(ctx: RouteContext, plan: Plan): SourceHealth[] {
  const kinds = new Map(
    KPI_CATEGORIES.flatMap((c) => plan.kpis[c] ?? [])
      .filter((k) => k.source !== 'events')
      .map((k) => [sourceNameOf(k), k.source]),
  );
  const health = ctx.sources.health();
  return [...kinds].map(
    ([name, kind]) =>
      health.find((h) => h.name === name) ?? {
        name,
        kind: kind === 'prometheus' ? kind : 'sql',
        target: name,
        state: 'failing',
        lastError: `source ${name} is not configured on this server`,
      },
  );
}

function operatorRoute(ctx: RouteContext, action: OperatorAction): RouteSpec {
  const { store, hub } = ctx;
  const what = { pause: 'Pause', resume: 'Resume', rollback: 'Roll back' }[action];
  return {
    method: 'post',
    path: `/api/v1/launches/:id/${action}`,
    access: 'operator',
    tag: 'launches',
    summary: `${what} a launch (a reason is required)`,
    params: idParams,
    body: { required: true, content: { 'application/json': reasonBody } },
    responses: {
      200: {
        description: 'The launch after the action.',
        schema: z.object({ launch: launchSummarySchema }),
      },
      409: { description: 'INVALID_TRANSITION: not possible in the current status.' },
    },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND', 'INVALID_TRANSITION', 'CONFLICT'],
    handler: async (c) => {
      const { id } = validateInput(idParams, c.req.param(), 'path');
      const { reason } = validateInput(reasonBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
      const actor = c.get('principal').name;
      // One reducer: the action becomes a decision in the launch's log (controller/operator-decision.ts).
      const result = await applyOperatorAction(store, {
        launchId: id,
        type: action,
        reason,
        actor,
        now: ctx.now(),
      });
      if (!result.ok) {
        if (result.notFound) throw notFound('launch', id);
        throw new HttpError('INVALID_TRANSITION', `cannot ${action}: ${result.error}`, {
          status: result.status,
          action,
        });
      }
      hub.changed();
      if (action === 'rollback') ctx.trafficChanged?.(id);
      return c.json({ launch: launchSummary(result.launch, result.plan) });
    },
  };
}

export { newLaunchId };
