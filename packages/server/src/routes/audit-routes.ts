/** The audit log: filtered reads and verification of the hash chain. */
import { z } from 'zod';
import { MAX_SAFE_ID, pathName, positiveIntText, safeText } from '../http/common-schemas.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';

const auditQuery = z.object({
  action: pathName.optional().meta({ description: 'Exact action, e.g. launch.paused.' }),
  subject: safeText(1000)
    .min(1, { error: 'must not be empty' })
    .optional()
    .meta({ description: 'Exact subject, e.g. launch:abc.' }),
  after: z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be a whole number' })
    .max(MAX_SAFE_ID, { error: `must be at most ${MAX_SAFE_ID}` })
    .optional()
    .meta({ description: 'Only entries with a larger seq (for paging).' }),
  limit: positiveIntText
    .max(1000, { error: 'must be at most 1000' })
    .default(100)
    .meta({ description: 'At most this many entries (default 100, max 1000).' }),
});

const HEAD = /^(0|[1-9][0-9]{0,15}):([0-9a-f]{64})$/;

const verifyQuery = z.object({
  expect_head: safeText(200)
    .regex(HEAD, { error: 'must be SEQ:HASH (a number, a colon, 64 hex digits)' })
    .optional()
    .meta({
      description:
        'A head published earlier (e.g. in a launch report): the chain must still hold it (fails on truncation or rewrite).',
    }),
});

const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    subject: z.string(),
    data: z.unknown(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ title: 'AuditEntry' });

const verificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z
      .object({ seq: z.number().int(), hash: z.string() })
      .nullable()
      .meta({ description: 'The last entry verified: publish it to detect truncation later.' }),
    firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  })
  .meta({ title: 'AuditVerification' });

/** The audit routes. */
export function auditRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/audit',
      access: 'viewer',
      tag: 'audit',
      summary: 'Read the audit log, oldest first, filtered by action and subject',
      query: auditQuery,
      responses: {
        200: {
          description: 'Entries and the seq to pass as `after` for the next page.',
          schema: z.object({
            entries: z.array(auditEntrySchema),
            next: z.number().int().nullable(),
          }),
        },
      },
      errors: ['VALIDATION_FAILED'],
      handler: async (c) => {
        const q = validateInput(auditQuery, c.req.query(), 'query');
        const entries = await store.listAudit({
          afterSeq: q.after,
          limit: q.limit,
          action: q.action,
          subject: q.subject,
        });
        const last = entries[entries.length - 1];
        return c.json({
          entries,
          next: entries.length === q.limit && last !== undefined ? last.seq : null,
        });
      },
    },
    {
      method: 'get',
      path: '/api/v1/audit/verify',
      access: 'viewer',
      tag: 'audit',
      summary: 'Verify the hash chain; names the first broken entry',
      query: verifyQuery,
      responses: {
        200: {
          description: 'The verification (ok false when broken).',
          schema: verificationSchema,
        },
      },
      errors: ['VALIDATION_FAILED'],
      handler: async (c) => {
        const q = validateInput(verifyQuery, c.req.query(), 'query');
        const [seq, hash] = q.expect_head?.split(':') ?? [];
        return c.json(
          await store.verifyAudit(
            seq === undefined || hash === undefined
              ? undefined
              : { expectHeads: [{ seq: Number(seq), hash }] },
          ),
        );
      },
    },
  ];
}
