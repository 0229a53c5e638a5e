/**
 * Results CI posts for readiness checks with `ci:` (ADR 0042): a token holding
 * the check owner's role (approver:<owner>) posts passed or failed with a link
 * and the commit; the latest result counts before the start and at every look.
 */
import { z } from 'zod';
import { approverScope } from '../auth/scopes.js';
import { safeText } from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { readChecklist } from '../launches/readiness-status.js';
import { checkResultSchema, nameParams, readinessCheckSchema } from './readiness-routes.js';

const resultBody = z.object({
  check: safeText(2000)
    .min(1, { error: "is required: the check's text as in the plan" })
    .meta({ description: "The check's text, exactly as in the plan's readiness list." }),
  passed: z.boolean({ error: 'is required: true or false' }).meta({
    description: 'Whether the check passed in CI.',
  }),
  link: z
    .url({ error: 'must be a URL (http or https)', protocol: /^https?$/ })
    .max(2000)
    .optional()
    .meta({ description: 'The CI run.' }),
  commit: safeText(200).min(1).optional().meta({ description: 'The commit the result is for.' }),
  note: safeText(4000).min(1).optional().meta({ description: 'Anything else worth saying.' }),
});

/** The route CI posts readiness results to. */
export function checkResultRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'post',
      path: '/api/v1/plans/:name/readiness/results',
      access: 'approver',
      tag: 'readiness',
      summary: "Post CI's result of a readiness check with ci: (scope approver:<owner>)",
      params: nameParams,
      body: { required: true, content: { 'application/json': resultBody } },
      responses: {
        201: {
          description: 'Recorded; the checklist as it now stands.',
          schema: z.object({ result: checkResultSchema, checks: z.array(readinessCheckSchema) }),
        },
        403: { description: "FORBIDDEN: the caller lacks the check owner's role." },
      },
      errors: ['VALIDATION_FAILED', 'MALFORMED_BODY', 'NOT_FOUND'],
      handler: async (c) => {
        const { name } = validateInput(nameParams, c.req.param(), 'path');
        const body = validateInput(resultBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const principal = c.get('principal');
        const version = await store.getPlanVersion(name);
        if (version === undefined) throw notFound('plan', name);
        const item = version.plan.readiness.find((r) => r.check === body.check);
        if (item?.ci === undefined) {
          const posted = version.plan.readiness.filter((r) => r.ci !== undefined);
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.check: '${body.check}' is not a ci: readiness check of ${name}@${version.version}${posted.length === 0 ? ' (it has none)' : ` (ci: checks: ${posted.map((x) => `'${x.check}'`).join(', ')})`}`,
            { errors: [{ path: 'body.check', message: 'is not a ci: check of the plan' }] },
          );
        }
        const needed = approverScope(item.owner);
        if (!principal.scopes.includes(needed))
          throw new HttpError(
            'FORBIDDEN',
            `'${item.check}' is owned by ${item.owner}: posting its result needs scope ${needed}; this caller has ${principal.scopes.join(', ') || 'none'}`,
            { required: needed, granted: principal.scopes },
          );
        const now = ctx.now();
        const result = await store.transaction(async (tx) => {
          const made = await tx.addCheckResult({
            planName: name,
            check: item.check,
            passed: body.passed,
            link: body.link ?? null,
            commit: body.commit ?? null,
            note: body.note ?? null,
            subject: principal.subject,
            actor: principal.name,
            at: new Date(now).toISOString(),
          });
          await tx.appendAudit({
            actor: principal.name,
            action: 'readiness.result',
            subject: `plan:${name}`,
            data: {
              check: item.check,
              passed: body.passed,
              ...(body.link === undefined ? {} : { link: body.link }),
              ...(body.commit === undefined ? {} : { commit: body.commit }),
            },
          });
          return made;
        });
        ctx.hub.changed();
        const { planName: _p, check: _c, ...view } = result;
        return c.json(
          {
            result: view,
            checks: await readChecklist(store, version.plan, name, now),
          },
          201,
        );
      },
    },
  ];
}
