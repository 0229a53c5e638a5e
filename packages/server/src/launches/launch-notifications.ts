/**
 * What became of the notifications a launch asked for: each notify or webhook
 * decision and each warning of its log, with the outcome the outbox worker
 * appended (delivered, failed, not configured) or, while none is final, the
 * outbox's attempts and last error (queued).
 */
import { z } from 'zod';
import { NOTIFICATION_EVENT, WARNING_EVENT } from '../controller/launch-log.js';
import { sideEffectKey } from '../controller/outbox-messages.js';
import { redactUrl } from '../notify/deliver-message.js';
import type { LaunchEvent, Store } from '../store/store.js';

/** A notification's delivery as the API reports it. */
export const notificationSchema = z
  .object({
    key: z.string().meta({ description: 'The outbox idempotency key.' }),
    kind: z.enum(['notify', 'webhook', 'warning']),
    target: z.string().meta({
      description: "The notify target (the plan's owner for warnings), or the webhook's origin.",
    }),
    seq: z
      .number()
      .int()
      .meta({ description: 'The decision or warning in the launch log that asked for it.' }),
    at: z.string().meta({ description: 'When it was asked for.' }),
    kpi: z.string().nullable(),
    state: z.enum(['queued', 'delivered', 'failed', 'not-configured', 'unknown']).meta({
      description:
        'queued (not sent yet, or retrying), delivered, failed (for good), not-configured (no URL for the target), unknown (finished before outcomes were recorded).',
    }),
    error: z.string().nullable().meta({
      description: 'Why it was not delivered, or (queued) why the last attempt failed.',
    }),
    attempts: z.number().int(),
    settledAt: z.string().nullable().meta({ description: 'When the outcome became final.' }),
  })
  .meta({ title: 'Notification' });

/** One notification of a launch. */
export type NotificationView = z.infer<typeof notificationSchema>;

interface Asked {
  key: string;
  kind: NotificationView['kind'];
  target: string;
  seq: number;
  at: string;
  kpi: string | null;
}

function askedBy(launchId: string, e: LaunchEvent): Asked | null {
  const data = e.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) return null;
  const kpi = typeof data['kpi'] === 'string' ? data['kpi'] : null;
  if (e.type === WARNING_EVENT && typeof data['key'] === 'string')
    return {
      key: sideEffectKey(launchId, data['key']),
      kind: 'warning',
      target: String(data['to']),
      seq: e.seq,
      at: e.at,
      kpi,
    };
  if (e.type !== 'decision' || typeof data['key'] !== 'string') return null;
  if (data['type'] === 'notify')
    return {
      key: sideEffectKey(launchId, data['key']),
      kind: 'notify',
      target: String(data['to']),
      seq: e.seq,
      at: e.at,
      kpi,
    };
  if (data['type'] === 'webhook')
    return {
      key: sideEffectKey(launchId, data['key']),
      kind: 'webhook',
      target: redactUrl(String(data['url'])),
      seq: e.seq,
      at: e.at,
      kpi,
    };
  return null;
}

/** The notifications of a launch from its whole log, oldest first. */
export async function launchNotifications(
  store: Store,
  launchId: string,
  events: readonly LaunchEvent[],
): Promise<NotificationView[]> {
  const asked: Asked[] = [];
  const outcomes = new Map<
    string,
    { state: string; error: string | null; attempts: number; at: string }
  >();
  for (const e of events) {
    const a = askedBy(launchId, e);
    if (a !== null) asked.push(a);
    else if (e.type === NOTIFICATION_EVENT) {
      const d = e.data as { key?: unknown; state?: unknown; error?: unknown; attempts?: unknown };
      if (typeof d?.key === 'string' && typeof d.state === 'string')
        outcomes.set(d.key, {
          state: d.state,
          error: typeof d.error === 'string' ? d.error : null,
          attempts: typeof d.attempts === 'number' ? d.attempts : 1,
          at: e.at,
        });
    }
  }
  const pending = asked.filter((a) => !outcomes.has(a.key)).map((a) => a.key);
  const rows = new Map((await store.outboxByKeys(pending)).map((m) => [m.idempotencyKey, m]));
  return asked.map((a) => {
    const done = outcomes.get(a.key);
    if (done !== undefined && isFinal(done.state))
      return {
        ...a,
        state: done.state,
        error: done.error,
        attempts: done.attempts,
        settledAt: done.at,
      };
    const row = rows.get(a.key);
    if (row?.doneAt !== null && row?.doneAt !== undefined)
      return {
        ...a,
        state: 'unknown' as const,
        error: 'finished before this server recorded delivery outcomes',
        attempts: row.attempts,
        settledAt: row.doneAt,
      };
    return {
      ...a,
      state: 'queued' as const,
      error: row?.lastError ?? null,
      attempts: row?.attempts ?? 0,
      settledAt: null,
    };
  });
}

function isFinal(s: string): s is 'delivered' | 'failed' | 'not-configured' {
  return s === 'delivered' || s === 'failed' || s === 'not-configured';
}
