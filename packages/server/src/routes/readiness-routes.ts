/**
 * The readiness checklist of a plan and its attestations (ADR 0036): a person
 * holding the check owner's role (approver:<owner>) attests it with a note or
 * link and an expiry; a launch starts only when every blocking check is
 * attested and not expired.
 */
import { z } from 'zod';
import { approverScope } from '../auth/scopes.js';
import { pathName, safeText } from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { readChecklist } from '../launches/readiness-status.js';

/** How long an attestation holds when the body names no expiry: a week. */
export const DEFAULT_ATTESTATION_MS = 7 * 24 * 60 * 60 * 1000;
/** The longest an attestation may hold: evidence goes stale. */
export const MAX_ATTESTATION_MS = 365 * 24 * 60 * 60 * 1000;

/** The `{name}` path parameter of a plan's readiness routes. */
export const nameParams = z.object({ name: pathName });

const attestBody = z.object({
  check: safeText(2000)
    .min(1, { error: "is required: the check's text as in the plan" })
    .meta({ description: "The check's text, exactly as in the plan's readiness list." }),
  note: safeText(4000)
    .min(1, { error: 'is required: say what shows the check is done' })
    .meta({ description: 'What shows the check is done.' }),
  link: z
    .url({ error: 'must be a URL (http or https)', protocol: /^https?$/ })
    .max(2000)
    .optional()
    .meta({ description: 'Where the evidence lives.' }),
  expiresAt: z.iso
    .datetime({ error: 'must be an ISO-8601 time such as 2026-12-31T00:00:00Z', offset: true })
    .optional()
    .meta({ description: 'Until when the attestation holds (default a week; at most a year).' }),
});

export const attestationSchema = z.object({
  id: z.number().int(),
  role: z.string(),
  subject: z.string().nullable(),
  actor: z.string(),
  note: z.string(),
  link: z.string().nullable(),
  at: z.string(),
  expiresAt: z.string(),
});

/** A result CI posted for a `ci:` check (ADR 0042). */
export const checkResultSchema = z.object({
  id: z.number().int(),
  passed: z.boolean(),
  link: z.string().nullable(),
  commit: z.string().nullable(),
  note: z.string().nullable(),
  subject: z.string().nullable(),
  actor: z.string(),
  at: z.string(),
});

/** One check of a checklist, as the API shows it. */
export const readinessCheckSchema = z
  .object({
    check: z.string(),
    owner: z.string(),
    blocking: z.boolean(),
    evidence: z.string().nullable(),
    status: z.enum(['attested', 'expired', 'missing', 'automated']),
    probe: z.object({ url: z.string(), status: z.number().int() }).nullable(),
    query: z
      .object({
        source: z.string(),
        promql: z.string(),
        min: z.number().nullable(),
        max: z.number().nullable(),
      })
      .nullable(),
    ci: z.object({ maxAgeMs: z.number().nullable() }).nullable(),
    result: checkResultSchema.nullable(),
    attestation: attestationSchema.nullable(),
  })
  .meta({ title: 'ReadinessCheck' });

/** The readiness routes. */
export function readinessRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/plans/:name/readiness',
      access: 'viewer',
      tag: 'readiness',
      summary: "The latest plan version's readiness checklist with who attested what, until when",
      params: nameParams,
      responses: {
        200: {
          description: 'The checklist.',
          schema: z.object({
            plan: z.string(),
            version: z.number().int(),
            checks: z.array(readinessCheckSchema),
          }),
        },
      },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const { name } = validateInput(nameParams, c.req.param(), 'path');
        const version = await store.getPlanVersion(name);
        if (version === undefined) throw notFound('plan', name);
        return c.json({
          plan: name,
          version: version.version,
          checks: await readChecklist(store, version.plan, name, ctx.now()),
        });
      },
    },
    {
      method: 'post',
      path: '/api/v1/plans/:name/readiness',
      access: 'approver',
      tag: 'readiness',
      summary: "Attest a readiness check as its owner's role (scope approver:<owner>)",
      params: nameParams,
      body: { required: true, content: { 'application/json': attestBody } },
      responses: {
        201: {
          description: 'Recorded; the checklist as it now stands.',
          schema: z.object({
            attestation: attestationSchema,
            checks: z.array(readinessCheckSchema),
          }),
        },
        403: { description: "FORBIDDEN: the caller lacks the check owner's role." },
      },
      errors: ['VALIDATION_FAILED', 'MALFORMED_BODY', 'NOT_FOUND'],
      handler: async (c) => {
        const { name } = validateInput(nameParams, c.req.param(), 'path');
        const body = validateInput(attestBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const principal = c.get('principal');
        const version = await store.getPlanVersion(name);
        if (version === undefined) throw notFound('plan', name);
        const item = version.plan.readiness.find((r) => r.check === body.check);
        if (item === undefined) {
          const checks = version.plan.readiness.map((r) => r.check);
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.check: '${body.check}' is not a readiness check of ${name}@${version.version}${checks.length === 0 ? ' (it has none)' : ` (checks: ${checks.map((x) => `'${x}'`).join(', ')})`}`,
            { errors: [{ path: 'body.check', message: 'is not a check of the plan' }] },
          );
        }
        if (item.probe !== undefined)
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.check: '${item.check}' is checked by its probe (GET ${item.probe.url}), not attested`,
            { errors: [{ path: 'body.check', message: 'is an automated check' }] },
          );
        if (item.query !== undefined)
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.check: '${item.check}' is checked by its query (source ${item.query.source}), not attested`,
            { errors: [{ path: 'body.check', message: 'is an automated check' }] },
          );
        if (item.ci !== undefined)
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.check: '${item.check}' is checked by the result CI posts (POST /api/v1/plans/${name}/readiness/results), not attested`,
            { errors: [{ path: 'body.check', message: 'is an automated check' }] },
          );
        const needed = approverScope(item.owner);
        if (!principal.scopes.includes(needed))
          throw new HttpError(
            'FORBIDDEN',
            `'${item.check}' is owned by ${item.owner}: attesting it needs scope ${needed}; this caller has ${principal.scopes.join(', ') || 'none'}`,
            { required: needed, granted: principal.scopes },
          );
        const now = ctx.now();
        const expires =
          body.expiresAt === undefined ? now + DEFAULT_ATTESTATION_MS : Date.parse(body.expiresAt);
        if (expires <= now || expires > now + MAX_ATTESTATION_MS)
          throw new HttpError(
            'VALIDATION_FAILED',
            'body.expiresAt: must be in the future and at most a year ahead',
            {
              errors: [{ path: 'body.expiresAt', message: 'must be in the future, within a year' }],
            },
          );
        const attestation = await store.transaction(async (tx) => {
          const made = await tx.addAttestation({
            planName: name,
            check: item.check,
            role: item.owner,
            subject: principal.subject,
            actor: principal.name,
            note: body.note,
            link: body.link ?? null,
            at: new Date(now).toISOString(),
            expiresAt: new Date(expires).toISOString(),
          });
          await tx.appendAudit({
            actor: principal.name,
            action: 'readiness.attested',
            subject: `plan:${name}`,
            data: {
              check: item.check,
              role: item.owner,
              note: body.note,
              ...(body.link === undefined ? {} : { link: body.link }),
              expiresAt: made.expiresAt,
              ...(principal.subject === null ? {} : { person: principal.subject }),
            },
          });
          return made;
        });
        ctx.hub.changed();
        const { planName: _p, check: _c, ...view } = attestation;
        return c.json(
          {
            attestation: view,
            checks: await readChecklist(store, version.plan, name, now),
          },
          201,
        );
      },
    },
  ];
}
