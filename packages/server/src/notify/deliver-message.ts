/**
 * One delivery attempt of an outbox message: a POST with the message's
 * idempotency key in `Idempotency-Key` (a receiver that saw it already can
 * ignore the repeat a crash may cause) and, with a secret, the signature.
 */
import type {
  AnnouncePayload,
  NotifyPayload,
  WarningPayload,
  WebhookPayload,
} from '../controller/outbox-messages.js';
import type { IntegrityPayload } from '../controller/integrity-alert.js';
import { AUDIT_GENESIS_HASH } from '../store/audit-hash.js';
import type { AuditHead, OutboxMessage } from '../store/store.js';
import { notifyVariable } from './notify-targets.js';
import type { NotifyResolver } from './notify-targets.js';
import { slackMessage } from './slack-message.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** How an attempt ended. */
export type DeliveryOutcome =
  | { result: 'delivered'; status: number }
  /** Try again later (network error, 408, 425, 429, 5xx); retryAfterMs from the receiver. */
  | { result: 'retry'; error: string; retryAfterMs?: number }
  /** Never going to work (another 4xx, a malformed message): stop trying. */
  | { result: 'failed'; error: string }
  /** Nowhere to send it (no URL configured for the target). */
  | { result: 'skipped'; reason: string };

/** What a delivery needs besides the message. */
export interface DeliveryContext {
  resolve: NotifyResolver;
  /** HMAC secret of the signature header (none: sent unsigned). */
  secret?: string;
  /** Clock in ms (the signature's timestamp). */
  now: () => number;
  fetch?: typeof fetch;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /**
   * The audit chain's head when the message is sent: every message carries it (in
   * the signed body and in a header), so receivers keep an anchor outside the
   * database and `threshold audit verify --expect-head` can detect truncation.
   */
  auditHead?: AuditHead | null;
}

/** Header with the audit head, `SEQ:HASH` (`0:` + genesis hash for an empty log). */
export const AUDIT_HEAD_HEADER = 'X-Threshold-Audit-Head';

/** Where and what to POST for a message, or why not. */
function requestOf(
  message: OutboxMessage,
  ctx: DeliveryContext,
): { url: string; body: string; event: string } | { skip: string } | { fail: string } {
  const payload = message.payload as Partial<NotifyPayload & WebhookPayload & AnnouncePayload>;
  const event = payload?.event;
  if (typeof event !== 'object' || event === null) return { fail: 'payload has no event' };
  if (message.kind === 'webhook') {
    if (typeof payload.url !== 'string') return { fail: 'webhook payload has no url' };
    const body = ctx.auditHead === undefined ? event : { ...event, auditHead: ctx.auditHead };
    return { url: payload.url, body: JSON.stringify(body), event: event.event };
  }
  if (message.kind === 'integrity') {
    const e = (payload as Partial<IntegrityPayload>).event;
    const url = ctx.resolve(undefined);
    if (url === undefined) return { skip: 'no THRESHOLD_NOTIFY_DEFAULT configured' };
    const text = `${e?.launch?.plan ?? ''}: evidence integrity: ${e?.reason ?? ''}`;
    const body =
      ctx.auditHead === undefined
        ? { text, event: e }
        : { text, event: e, auditHead: ctx.auditHead };
    return { url, body: JSON.stringify(body), event: String(e?.event) };
  }
  if (message.kind === 'warning') {
    const w = payload as Partial<WarningPayload>;
    const target = String(w.target);
    const url = ctx.resolve(target);
    if (url === undefined) return { skip: notConfigured(target) };
    const e = w.event;
    const text = `${e?.launch?.plan ?? ''}: ${e?.reason ?? ''}`;
    const body =
      ctx.auditHead === undefined
        ? { text, event: e }
        : { text, event: e, auditHead: ctx.auditHead };
    return { url, body: JSON.stringify(body), event: String(e?.event) };
  }
  if (message.kind === 'notify' || message.kind === 'announce') {
    const target = message.kind === 'notify' ? String(payload.target) : undefined;
    const url = ctx.resolve(target);
    if (url === undefined)
      return {
        skip:
          target === undefined ? 'no THRESHOLD_NOTIFY_DEFAULT configured' : notConfigured(target),
      };
    const body = slackMessage(event, target, ctx.auditHead ?? undefined);
    return { url, body: JSON.stringify(body), event: event.event };
  }
  return { fail: `unknown outbox kind '${message.kind}'` };
}

/** Why a named target got nothing, and how to change that. */
function notConfigured(target: string): string {
  return `no URL for notify target '${target}': set ${notifyVariable(target)} (or THRESHOLD_NOTIFY_DEFAULT) to a Slack-compatible webhook URL`;
}

/** Attempt to deliver one message. Never throws. */
export async function deliverMessage(
  message: OutboxMessage,
  ctx: DeliveryContext,
): Promise<DeliveryOutcome> {
  const req = requestOf(message, ctx);
  if ('skip' in req) return { result: 'skipped', reason: req.skip };
  if ('fail' in req) return { result: 'failed', error: req.fail };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': message.idempotencyKey,
    'x-threshold-event': req.event,
    'user-agent': 'threshold-outbox',
  };
  if (ctx.auditHead !== undefined) {
    headers[AUDIT_HEAD_HEADER.toLowerCase()] =
      ctx.auditHead === null
        ? `0:${AUDIT_GENESIS_HASH}`
        : `${ctx.auditHead.seq}:${ctx.auditHead.hash}`;
  }
  if (ctx.secret !== undefined && ctx.secret !== '')
    headers[SIGNATURE_HEADER.toLowerCase()] = signWebhook(ctx.secret, req.body, ctx.now() / 1000);
  let res: Response;
  try {
    res = await (ctx.fetch ?? fetch)(req.url, {
      method: 'POST',
      headers,
      body: req.body,
      signal: AbortSignal.timeout(ctx.timeoutMs ?? 10_000),
      redirect: 'manual',
    });
    // The body is not used; reading it frees the connection.
    await res.arrayBuffer().catch(() => undefined);
  } catch (err) {
    return { result: 'retry', error: `POST ${redactUrl(req.url)}: ${errorText(err)}` };
  }
  if (res.status >= 200 && res.status < 300) return { result: 'delivered', status: res.status };
  const error = `POST ${redactUrl(req.url)}: HTTP ${res.status}`;
  if (res.status >= 500 || [408, 425, 429].includes(res.status)) {
    const after = Number(res.headers.get('retry-after'));
    return Number.isFinite(after) && after > 0
      ? { result: 'retry', error, retryAfterMs: after * 1000 }
      : { result: 'retry', error };
  }
  return { result: 'failed', error };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/** Webhook URLs often carry secrets in their path: keep only origin and the path's start. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    return `${u.origin}/${first === undefined ? '' : `${first}/…`}`;
  } catch {
    return '(invalid URL)';
  }
}
