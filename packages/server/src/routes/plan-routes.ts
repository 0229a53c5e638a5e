/** Plans: validate, upload (YAML or JSON, errors with line and column), list, read versions. */
import { planJsonSchema } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { z } from 'zod';
import { pathName, positiveIntText } from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readBodyText, requireMediaType } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import { checkPlanSources } from './check-plan-sources.js';
import type { BodySpec, RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import type { Context } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import { PLAN_INVALID_RESPONSE, validatePlanSource } from './validate-plan-source.js';

/** Media types a plan may be sent as; JSON is read as YAML (a superset) so positions work. */
export const PLAN_MEDIA_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/plain',
  'application/json',
] as const;

const validPlanSchema = z
  .object({
    valid: z.literal(true),
    name: z.string(),
    flag: z.string(),
    phases: z.number().int(),
    plan: z.record(z.string(), z.unknown()).meta({ description: 'The normalized plan.' }),
  })
  .meta({ title: 'PlanValidation' });

const planVersionMetaSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    sourceHash: z.string(),
    format: z.enum(['yaml', 'json']),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ title: 'PlanVersionMeta' });

const uploadedSchema = planVersionMetaSchema.extend({
  created: z.boolean().meta({ description: 'false when identical source was uploaded before.' }),
});

const planVersionSchema = planVersionMetaSchema
  .extend({ source: z.string(), plan: z.record(z.string(), z.unknown()) })
  .meta({ title: 'PlanVersion' });

const nameParams = z.object({ name: pathName });
const versionParams = z.object({ name: pathName, version: positiveIntText });

const planBody = (): BodySpec => ({
  required: true,
  content: Object.fromEntries(
    PLAN_MEDIA_TYPES.map((type) => [
      type,
      type === 'application/json'
        ? { ...planJsonSchema() }
        : { type: 'string', description: 'The plan as YAML.' },
    ]),
  ),
});

const NUL_IN_PLAN = 'the plan contains a NUL character (U+0000); no plan may hold one';

interface ReadPlan {
  source: string;
  format: 'yaml' | 'json';
  plan: Plan;
}

/** Reads and parses a plan body; 422 PLAN_INVALID with every problem and its position. */
async function readPlanBody(c: Context<AppEnv>, ctx: RouteContext): Promise<ReadPlan> {
  const type = requireMediaType(c, PLAN_MEDIA_TYPES);
  const source = await readBodyText(c, ctx.maxBodyBytes);
  const format = type === 'application/json' ? 'json' : 'yaml';
  const nul = source.indexOf('\u0000');
  if (nul >= 0) {
    // YAML takes a raw NUL in a scalar, but the stored source must fit a PostgreSQL text column.
    const before = source.slice(0, nul).split('\n');
    const line = before.length;
    const column = (before[line - 1] ?? '').length + 1;
    throw new HttpError('PLAN_INVALID', `line ${line}, column ${column}: ${NUL_IN_PLAN}`, {
      errors: [{ path: '', line, column, message: NUL_IN_PLAN }],
      omittedErrors: 0,
    });
  }
  const plan = await validatePlanSource(ctx, source, format === 'json' ? 'plan.json' : 'plan.yaml');
  return { source, format, plan };
}

/** The plan routes. */
export function planRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'post',
      path: '/api/v1/plans/validate',
      access: 'viewer',
      tag: 'plans',
      summary: 'Validate a plan without storing it',
      body: planBody(),
      responses: {
        200: { description: 'The plan is valid.', schema: validPlanSchema },
        422: PLAN_INVALID_RESPONSE,
      },
      errors: [
        'PLAN_INVALID',
        'UNSUPPORTED_MEDIA_TYPE',
        'PAYLOAD_TOO_LARGE',
        'MALFORMED_BODY',
        'RATE_LIMITED',
      ],
      handler: async (c) => {
        const { plan, source } = await readPlanBody(c, ctx);
        await checkPlanSources(ctx, plan, source);
        return c.json({
          valid: true,
          name: plan.launch,
          flag: plan.flag,
          phases: plan.phases.length,
          plan,
        });
      },
    },
    {
      method: 'post',
      path: '/api/v1/plans',
      access: 'operator',
      tag: 'plans',
      summary: 'Upload a plan version (identical source returns the existing version)',
      body: planBody(),
      responses: {
        201: { description: 'A new version was stored.', schema: uploadedSchema },
        200: { description: 'Identical source was stored before.', schema: uploadedSchema },
        422: PLAN_INVALID_RESPONSE,
      },
      errors: [
        'PLAN_INVALID',
        'UNSUPPORTED_MEDIA_TYPE',
        'PAYLOAD_TOO_LARGE',
        'MALFORMED_BODY',
        'RATE_LIMITED',
      ],
      handler: async (c) => {
        const { source, format, plan } = await readPlanBody(c, ctx);
        const { name: actor, subject: actorSubject } = c.get('principal');
        const { version, created } = await store.transaction(async (tx) => {
          // putPlan decides "new or identical to an earlier version" under the
          // plan's lock, which holds until this transaction (with its audit entry) ends.
          const stored = await tx.putPlan(
            {
              name: plan.launch,
              source,
              format,
              plan,
              createdBy: actor,
              createdBySubject: actorSubject,
            },
            { reuse: 'any' },
          );
          if (!stored.created) return { version: stored, created: false };
          await tx.appendAudit({
            actor,
            action: 'plan.uploaded',
            subject: `plan:${stored.name}@${stored.version}`,
            data: {
              name: stored.name,
              version: stored.version,
              sourceHash: stored.sourceHash,
              format,
            },
          });
          return { version: stored, created: true };
        });
        c.header('Location', `/api/v1/plans/${version.name}/versions/${version.version}`);
        return c.json({ ...planVersionMeta(version), created }, created ? 201 : 200);
      },
    },
    {
      method: 'get',
      path: '/api/v1/plans',
      access: 'viewer',
      tag: 'plans',
      summary: 'List plans with their latest version',
      responses: {
        200: {
          description: 'Every plan.',
          schema: z.object({
            plans: z.array(
              z.object({
                name: z.string(),
                latestVersion: z.number().int(),
                versions: z.number().int(),
                updatedAt: z.string(),
              }),
            ),
          }),
        },
      },
      handler: async (c) => c.json({ plans: await store.listPlans() }),
    },
    {
      method: 'get',
      path: '/api/v1/plans/:name/versions',
      access: 'viewer',
      tag: 'plans',
      summary: "List a plan's versions",
      params: nameParams,
      responses: {
        200: {
          description: 'Versions, oldest first.',
          schema: z.object({ name: z.string(), versions: z.array(planVersionMetaSchema) }),
        },
      },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const { name } = validateInput(nameParams, c.req.param(), 'path');
        const versions = await store.listPlanVersions(name);
        if (versions.length === 0) throw notFound('plan', name);
        return c.json({ name, versions: versions.map(planVersionMeta) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/plans/:name/versions/:version',
      access: 'viewer',
      tag: 'plans',
      summary: 'Read one plan version: source and normalized plan',
      params: versionParams,
      responses: { 200: { description: 'The version.', schema: planVersionSchema } },
      errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
      handler: async (c) => {
        const { name, version } = validateInput(versionParams, c.req.param(), 'path');
        const stored = await store.getPlanVersion(name, version);
        if (stored === undefined) throw notFound('plan version', `${name}@${version}`);
        return c.json({ ...planVersionMeta(stored), source: stored.source, plan: stored.plan });
      },
    },
  ];
}

function planVersionMeta(v: {
  name: string;
  version: number;
  sourceHash: string;
  format: 'yaml' | 'json';
  createdBy: string;
  createdAt: string;
}): z.infer<typeof planVersionMetaSchema> {
  return {
    name: v.name,
    version: v.version,
    sourceHash: v.sourceHash,
    format: v.format,
    createdBy: v.createdBy,
    createdAt: v.createdAt,
  };
}
