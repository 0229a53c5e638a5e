/** Tokens: create (the secret is shown once), list, revoke. Admin only. */
import { z } from 'zod';
import { createToken, tokenView } from '../auth/create-token.js';
import { scopeSchema } from '../auth/scopes.js';
import { environmentName, pathName, requiredText } from '../http/common-schemas.js';
import { environmentNamed } from '../environments/promotion-check.js';
import { notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';

const createBody = z
  .object({
    name: requiredText(100).meta({
      description: 'Who or what uses the token; the actor name in the audit log.',
    }),
    scopes: z
      .array(scopeSchema, { error: 'is required: a list such as ["viewer"]' })
      .min(1, { error: 'name at least one scope' })
      .max(20, { error: 'at most 20 scopes' }),
    flags: z
      .array(requiredText(200), { error: 'must be a list of flag keys such as ["checkout-v2"]' })
      .min(1, { error: 'name at least one flag, or leave flags out for every flag' })
      .max(100, { error: 'at most 100 flags' })
      .optional()
      .meta({
        description:
          'sdk tokens only: the flags it may see in the config and post exposures and events for (default: every flag).',
      }),
    ownerSubject: requiredText(1000).optional().meta({
      description:
        "The person the token acts for: their subject at the OpenID provider (the ID token's sub). Self-approval and quorums are decided on it, so the person's other tokens and sessions count as the same approver.",
    }),
    maxUnitsPerMinute: z
      .number({ error: 'must be a whole number from 1 to 1000000000' })
      .int({ error: 'must be a whole number from 1 to 1000000000' })
      .min(1, { error: 'must be a whole number from 1 to 1000000000' })
      .max(1_000_000_000, { error: 'must be a whole number from 1 to 1000000000' })
      .optional()
      .meta({
        description:
          'sdk tokens only: new units it may expose per launch and server minute; more are quarantined (default 10000).',
      }),
    environment: environmentName.optional().meta({
      description:
        'sdk tokens only: the environment whose config and launches it sees (default production).',
    }),
  })
  .superRefine((body, ctx) => {
    // Limits narrow what an sdk token feeds; on any other token they would be accepted and ignored.
    if (body.scopes.includes('sdk')) return;
    for (const key of ['flags', 'maxUnitsPerMinute', 'environment'] as const)
      if (body[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'applies to sdk tokens only: add the sdk scope or leave it out',
        });
  });

const idParams = z.object({ id: pathName });

const tokenViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    flags: z.array(z.string()).nullable(),
    maxUnitsPerMinute: z.number().int().nullable(),
    ownerSubject: z.string().nullable(),
    environment: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ title: 'Token' });

/** The token routes. */
export function tokenRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'post',
      path: '/api/v1/tokens',
      access: 'admin',
      tag: 'tokens',
      summary: 'Create a token; the secret is in this answer only',
      body: { required: true, content: { 'application/json': createBody } },
      responses: {
        201: {
          description: 'The token record and its secret (shown once; only a hash is stored).',
          schema: z.object({ token: z.string(), record: tokenViewSchema }),
        },
      },
      errors: ['VALIDATION_FAILED', 'UNKNOWN_ENVIRONMENT'],
      handler: async (c) => {
        const body = validateInput(createBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        if (body.environment !== undefined) environmentNamed(ctx.environments, body.environment);
        const actor = c.get('principal').name;
        const created = await store.transaction(async (tx) => {
          const made = await createToken(tx, body);
          await tx.appendAudit({
            actor,
            action: 'token.created',
            subject: `token:${made.record.id}`,
            data: {
              name: made.record.name,
              scopes: made.record.scopes,
              ...(made.record.flags !== null && { flags: made.record.flags }),
              ...(body.environment !== undefined && { environment: made.record.environment }),
              ...(made.record.maxUnitsPerMinute !== null && {
                maxUnitsPerMinute: made.record.maxUnitsPerMinute,
              }),
              ...(made.record.ownerSubject !== null && { ownerSubject: made.record.ownerSubject }),
            },
          });
          return made;
        });
        c.header('Cache-Control', 'no-store');
        return c.json({ token: created.token, record: tokenView(created.record) }, 201);
      },
    },
    {
      method: 'get',
      path: '/api/v1/tokens',
      access: 'admin',
      tag: 'tokens',
      summary: 'List tokens (never their secrets or hashes)',
      responses: {
        200: {
          description: 'Every token.',
          schema: z.object({ tokens: z.array(tokenViewSchema) }),
        },
      },
      handler: async (c) => c.json({ tokens: (await store.listTokens()).map(tokenView) }),
    },
    {
      method: 'delete',
      path: '/api/v1/tokens/:id',
      access: 'admin',
      tag: 'tokens',
      summary: 'Revoke a token (effective immediately)',
      params: idParams,
      responses: {
        200: {
          description: 'Revoked.',
          schema: z.object({ revoked: z.literal(true), id: z.string() }),
        },
      },
      errors: ['NOT_FOUND'],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const actor = c.get('principal').name;
        await store.transaction(async (tx) => {
          if (!(await tx.revokeToken(id))) throw notFound('token', id);
          await tx.appendAudit({
            actor,
            action: 'token.revoked',
            subject: `token:${id}`,
            data: {},
          });
        });
        // This replica's streams end now; other replicas' within their revocation poll.
        ctx.tokenStreams.revoke(id);
        return c.json({ revoked: true as const, id });
      },
    },
  ];
}
