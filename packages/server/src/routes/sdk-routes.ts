/**
 * The SDK wire protocol (docs/wire-protocol.md): config with ETag, the config
 * stream, and event ingest that answers 202 only once the batch is durable.
 */
import {
  MAX_BATCH_BYTES,
  SSE_CONFIG_EVENT,
  WIRE_ROUTES,
  configDocumentSchema,
  etagMatches,
  eventBatchSchema,
  eventTimeIssues,
  formatEtag,
  parseEventBatchFast,
} from '@threshold/core';
import type { ConfigDocument } from '@threshold/core';
import { z } from 'zod';
import type { Context } from 'hono';
import type { AppEnv, Principal } from '../http/app-env.js';
import { authorize, bearerToken, principalOf } from '../http/authenticate.js';
import { HttpError } from '../http/http-error.js';
import { parseJsonText, readBodyText, requireMediaType } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { sseResponse } from '../http/sse-stream.js';
import { scopeConfigDocument } from '../config/scope-config-document.js';
import { outOfScopeEvents } from '../auth/token-scope.js';

/** One bad event of a rejected batch. */
export interface BatchError {
  /** Index of the event in `events`, or null for a batch-level field. */
  index: number | null;
  /** Full path of the field, e.g. `events.3.unit`. */
  path: string;
  reason: string;
}

/** Turns wire parse issues into {@link BatchError}s. */
export function batchErrors(issues: readonly { path: string; message: string }[]): BatchError[] {
  return issues.map(({ path, message }) => {
    const match = /^events\.(\d+)(?:\.|$)/.exec(path);
    return { index: match?.[1] === undefined ? null : Number(match[1]), path, reason: message };
  });
}

const acceptedSchema = z.object({
  accepted: z.number().int(),
  duplicate: z.boolean().meta({ description: 'true when this batchId was stored before.' }),
});

/** The SDK routes. */
export function sdkRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, hub, metrics } = ctx;

  const configResponse = (c: Context<AppEnv>, doc: ConfigDocument): Response => {
    c.header('ETag', formatEtag(doc.version));
    c.header('Cache-Control', 'no-cache');
    if (etagMatches(c.req.header('if-none-match'), doc.version)) return c.body(null, 304);
    return c.json(doc);
  };

  const rejectBatch = (reason: string, events: number) => {
    metrics.rejectedBatches.inc({ reason });
    if (events > 0) metrics.rejectedEvents.inc({ reason }, events);
  };

  return [
    {
      method: 'get',
      path: WIRE_ROUTES.config,
      access: 'sdk',
      tag: 'sdk',
      summary: 'The flag configuration (ETag; If-None-Match answers 304)',
      responses: {
        200: { description: 'The ConfigDocument.', schema: configDocumentSchema as z.ZodType },
        304: { description: 'Not modified: If-None-Match matches the current version.' },
      },
      handler: async (c) =>
        configResponse(
          c,
          scopeConfigDocument(
            await hub.refreshFor(c.get('principal').environment),
            c.get('principal').flags,
          ),
        ),
    },
    {
      method: 'get',
      path: WIRE_ROUTES.stream,
      access: 'sdk',
      tag: 'sdk',
      summary:
        'Server-sent events: `config` on connect (unless Last-Event-ID is current) and on change',
      responses: {
        200: {
          description:
            'event: config / id: <version> / data: <ConfigDocument>, and `: ping` every 15 s.',
          contentType: 'text/event-stream',
        },
      },
      handler: async (c) => {
        const { flags, environment } = c.get('principal');
        const doc = scopeConfigDocument(await hub.refreshFor(environment), flags);
        const lastId = c.req.header('last-event-id');
        const { tokenId } = c.get('principal');
        let unsubscribe = () => {};
        let untrack = () => {};
        metrics.sseClients.inc({ stream: 'sdk' });
        return sseResponse({
          pingIntervalMs: ctx.ssePingIntervalMs,
          signal: c.req.raw.signal,
          start(writer) {
            let sent = lastId === doc.version ? doc.version : undefined;
            // Any environment's change is announced: send only when this one's document changed.
            const push = () => {
              const next = scopeConfigDocument(hub.documentFor(environment), flags);
              if (next.version === sent) return;
              sent = next.version;
              writer.send(SSE_CONFIG_EVENT, JSON.stringify(next), next.version);
            };
            unsubscribe = hub.onConfig(push);
            untrack = ctx.tokenStreams.add(tokenId, writer);
            // A change between the refresh above and the subscription is not lost.
            push();
          },
          onClose() {
            unsubscribe();
            untrack();
            metrics.sseClients.dec({ stream: 'sdk' });
          },
        });
      },
    },
    {
      method: 'post',
      path: WIRE_ROUTES.events,
      access: 'sdk',
      tag: 'sdk',
      summary:
        'Ingest an event batch; 202 once durable. Beacons: text/plain with the token in the body',
      body: {
        required: true,
        content: {
          'application/json': eventBatchSchema as z.ZodType,
          'text/plain': eventBatchSchema as z.ZodType,
        },
      },
      responses: {
        202: { description: 'Stored durably.', schema: acceptedSchema },
        400: { description: 'BATCH_INVALID: details.errors lists { index, path, reason }.' },
        403: {
          description:
            'FORBIDDEN: the token lacks the sdk scope, or is limited to flags and the batch has exposures of others (details.errors lists { index, path, reason }).',
        },
        413: { description: `PAYLOAD_TOO_LARGE: over ${MAX_BATCH_BYTES} bytes.` },
        429: { description: 'RATE_LIMITED: see Retry-After.' },
      },
      errors: ['BATCH_INVALID', 'FORBIDDEN', 'MALFORMED_BODY', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED'],
      authInHandler: true,
      handler: async (c) => {
        const header = bearerToken(c);
        let principal: Principal | undefined;
        // With a header, refuse strangers before reading a megabyte of body.
        if (header !== undefined) {
          principal = await principalOf(store, header);
          authorize(principal, 'sdk');
        }
        requireMediaType(c, ['application/json', 'text/plain']);
        let text: string;
        try {
          text = await readBodyText(c, MAX_BATCH_BYTES);
        } catch (err) {
          if (err instanceof HttpError && err.value.code === 'PAYLOAD_TOO_LARGE') {
            rejectBatch('too_large', 0);
          }
          throw err;
        }
        let json: unknown;
        try {
          json = parseJsonText(text);
        } catch (err) {
          rejectBatch('invalid', 0);
          throw err;
        }
        if (principal === undefined) {
          // sendBeacon cannot set headers: the token travels in the body (never logged).
          const bodyToken =
            typeof json === 'object' && json !== null && 'token' in json
              ? (json as { token: unknown }).token
              : undefined;
          principal = await principalOf(
            store,
            typeof bodyToken === 'string' ? bodyToken : undefined,
          );
          authorize(principal, 'sdk');
        }
        c.set('principal', principal);
        const parsed = parseEventBatchFast(json);
        // Times are checked against this server's clock once the shape is right.
        const issues = parsed.ok
          ? eventTimeIssues(parsed.value.events, ctx.now(), ctx.eventTimeWindow)
          : parsed.errors;
        if (!parsed.ok || issues.length > 0) {
          const errors = batchErrors(issues);
          const events =
            typeof json === 'object' && json !== null ? (json as { events?: unknown }).events : [];
          rejectBatch('invalid', Array.isArray(events) ? events.length : 0);
          const first = errors[0];
          throw new HttpError(
            'BATCH_INVALID',
            `the batch was rejected whole: ${errors.length} problem${errors.length === 1 ? '' : 's'}; first: ${first?.path ?? ''}: ${first?.reason ?? ''}`,
            { errors },
          );
        }
        const batch = parsed.value;
        const refused = outOfScopeEvents(batch.events, principal.flags);
        if (refused.length > 0) {
          rejectBatch('out_of_scope', batch.events.length);
          const first = refused[0];
          throw new HttpError(
            'FORBIDDEN',
            `this token is limited to flags ${principal.flags?.join(', ') ?? ''}: the batch was rejected whole: ${refused.length} event${refused.length === 1 ? '' : 's'} for other flags; first: ${first?.path ?? ''}: ${first?.reason ?? ''}`,
            { errors: refused },
          );
        }
        const take = ctx.buckets.take(principal.tokenId, batch.events.length);
        if (!take.ok) {
          rejectBatch('rate_limited', batch.events.length);
          const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
          throw new HttpError(
            'RATE_LIMITED',
            `ingest rate limit of this token reached; retry in ${seconds} s`,
            { retryAfterSeconds: seconds },
            { 'Retry-After': String(seconds) },
          );
        }
        const result = await store.ingest(principal.tokenId, batch.batchId, batch.events);
        if (result.duplicate) metrics.duplicateBatches.inc();
        else metrics.ingestedEvents.inc(result.accepted);
        return c.json({ accepted: result.accepted, duplicate: result.duplicate }, 202);
      },
    },
  ];
}
