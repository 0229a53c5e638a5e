/**
 * The outbox worker: sends due messages, marks them done, and reschedules
 * failures with exponential backoff. Its whole state is the outbox table, so a
 * restart picks up exactly where it stopped: a message sent but not yet marked
 * done is sent again with the same Idempotency-Key (at-least-once delivery;
 * receivers drop repeats by key), and nothing marked done is ever sent again.
 */
import type { Logger } from 'pino';
import type { Lease } from '../controller/lease.js';
import { localLease } from '../controller/lease.js';
import { NOTIFICATION_EVENT } from '../controller/launch-log.js';
import { StoreConflictError } from '../store/store-error.js';
import type { OutboxMessage, Store } from '../store/store.js';
import { deliverMessage, redactUrl } from './deliver-message.js';
import type { DeliveryOutcome } from './deliver-message.js';
import { envNotifyResolver } from './notify-targets.js';
import type { NotifyResolver } from './notify-targets.js';
import { DEFAULT_RETRY, retryDelay } from './retry-delay.js';
import type { RetryPolicy } from './retry-delay.js';

/** Options of {@link createOutboxWorker}. */
export interface OutboxWorkerOptions {
  store: Store;
  logger: Logger;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Only the lease holder sends (default: always held). */
  lease?: Lease;
  /** Time between polls of the outbox (default 500 ms). */
  intervalMs?: number;
  /** Messages per poll (default 20). */
  batchSize?: number;
  retry?: RetryPolicy;
  /** Attempts before a message is given up (default 30: about two hours at the default cap). */
  maxAttempts?: number;
  /** Target → URL (default: THRESHOLD_NOTIFY_* from the environment). */
  resolve?: NotifyResolver;
  /** Signature secret (default: THRESHOLD_WEBHOOK_SECRET). */
  secret?: string;
  fetch?: typeof fetch;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  random?: () => number;
  /** Called once per plan notification (notify, webhook, warning) when its outcome is final. */
  onSettled?: (settled: SettledNotification) => void;
}

/** How a notification ended: sent, refused for good, or nowhere to send it. */
export type NotificationOutcome = 'delivered' | 'failed' | 'not-configured';

/**
 * The final outcome of a notification a launch asked for, as the outbox worker
 * appends it to the launch's log (event type `notification`): the record says
 * what really happened, not only what was decided.
 */
export interface SettledNotification {
  launchId: string;
  /** The plan's name (for people). */
  plan: string;
  /** The outbox idempotency key. */
  key: string;
  kind: 'notify' | 'webhook' | 'warning';
  /** The notify target, or the webhook's URL without its secret-bearing path. */
  target: string;
  /** Seq of the decision or warning in the launch's log that asked for it. */
  about: number;
  state: NotificationOutcome;
  /** Why it was not delivered (failed, not configured). */
  error?: string;
  attempts: number;
  /** The KPI the decision was about, if any. */
  kpi?: string;
}

/** The launch a message belongs to, for the notifications a plan asked for; null for announcements and alerts. */
function notificationOf(
  message: OutboxMessage,
): Omit<SettledNotification, 'state' | 'error' | 'attempts'> | null {
  if (message.kind !== 'notify' && message.kind !== 'webhook' && message.kind !== 'warning')
    return null;
  const p = message.payload as {
    target?: unknown;
    url?: unknown;
    event?: {
      launch?: { id?: unknown; plan?: unknown };
      seq?: unknown;
      decision?: { kpi?: unknown };
    };
  } | null;
  const launchId = p?.event?.launch?.id;
  const about = p?.event?.seq;
  if (typeof launchId !== 'string' || typeof about !== 'number') return null;
  const target =
    message.kind === 'webhook'
      ? typeof p?.url === 'string'
        ? redactUrl(p.url)
        : '(no url)'
      : String(p?.target);
  const kpi = p?.event?.decision?.kpi;
  return {
    launchId,
    plan: typeof p?.event?.launch?.plan === 'string' ? p.event.launch.plan : '',
    key: message.idempotencyKey,
    kind: message.kind,
    target,
    about,
    ...(typeof kpi === 'string' ? { kpi } : {}),
  };
}

/** One message's attempt in a drain. */
export interface DrainedMessage {
  id: number;
  kind: string;
  idempotencyKey: string;
  outcome: DeliveryOutcome;
}

/** The outbox worker. */
export interface OutboxWorker {
  /** Send every message due now, once each; returns what happened. */
  drain(): Promise<DrainedMessage[]>;
  /** Start polling (sends only while the lease is held). */
  start(): void;
  /** Stop polling and wait for a drain in flight. Idempotent. */
  stop(): Promise<void>;
}

/** Create an outbox worker (not started). */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const lease = options.lease ?? localLease();
  const every = options.intervalMs ?? 500;
  const policy = options.retry ?? DEFAULT_RETRY;
  const maxAttempts = options.maxAttempts ?? 30;
  const secret = options.secret ?? process.env['THRESHOLD_WEBHOOK_SECRET'];
  const ctx = {
    resolve: options.resolve ?? envNotifyResolver(),
    ...(secret === undefined || secret === '' ? {} : { secret }),
    now,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  /**
   * Mark a message done; for a plan's notification, append its outcome to the
   * launch's log in the same transaction (retried when the controller appended
   * first: the delivery is not repeated, only the bookkeeping).
   */
  async function finish(
    message: OutboxMessage,
    state: NotificationOutcome,
    error?: string,
  ): Promise<void> {
    const about = notificationOf(message);
    if (about === null) {
      await store.completeOutbox(message.id);
      return;
    }
    const settled: SettledNotification = {
      ...about,
      state,
      ...(error === undefined ? {} : { error }),
      attempts: message.attempts + 1,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await store.transaction(async (tx) => {
          await tx.completeOutbox(message.id);
          const launch = await tx.getLaunch(about.launchId);
          if (launch === undefined) return;
          const { launchId: _launch, plan: _plan, ...data } = settled;
          await tx.appendLaunchEvent(
            { launchId: launch.id, type: NOTIFICATION_EVENT, actor: 'outbox', data },
            launch.seq,
          );
        });
        break;
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= 5) throw err;
      }
    }
    try {
      options.onSettled?.(settled);
    } catch (err) {
      logger.warn({ err }, 'notification listener failed');
    }
  }

  async function settle(message: OutboxMessage, outcome: DeliveryOutcome): Promise<void> {
    const log = { id: message.id, kind: message.kind, key: message.idempotencyKey };
    switch (outcome.result) {
      case 'delivered':
        await finish(message, 'delivered');
        logger.info({ ...log, status: outcome.status }, 'outbox message delivered');
        return;
      case 'skipped':
        // The launch's log records it (and the demo prints it): a log line at info is enough.
        await finish(message, 'not-configured', outcome.reason);
        logger.info({ ...log, reason: outcome.reason }, 'outbox message not sent');
        return;
      case 'failed':
        await finish(message, 'failed', outcome.error);
        logger.error({ ...log, error: outcome.error }, 'outbox message failed for good');
        return;
      case 'retry': {
        const attempts = message.attempts + 1;
        if (attempts >= maxAttempts) {
          await finish(message, 'failed', `gave up after ${attempts} attempts: ${outcome.error}`);
          logger.error({ ...log, attempts, error: outcome.error }, 'outbox message given up');
          return;
        }
        const wait = Math.max(
          retryDelay(attempts, policy, options.random),
          outcome.retryAfterMs ?? 0,
        );
        const dueAt = new Date(now() + Math.min(wait, policy.capMs)).toISOString();
        await store.retryOutbox(message.id, outcome.error, dueAt);
        logger.warn(
          { ...log, attempts, dueAt, error: outcome.error },
          'outbox message will be retried',
        );
        return;
      }
    }
  }

  async function drain(): Promise<DrainedMessage[]> {
    const due = await store.dueOutbox(new Date(now()).toISOString(), options.batchSize ?? 20);
    const out: DrainedMessage[] = [];
    for (const message of due) {
      // Read per message, so each carries the newest head when it leaves.
      const outcome = await deliverMessage(message, { ...ctx, auditHead: await store.auditHead() });
      await settle(message, outcome);
      out.push({
        id: message.id,
        kind: message.kind,
        idempotencyKey: message.idempotencyKey,
        outcome,
      });
    }
    return out;
  }

  const tick = () => {
    timer = setTimeout(() => {
      running = (async () => {
        if (!(await lease.acquire())) return;
        // Keep going while full batches come back: a backlog drains without waiting a tick each.
        for (let i = 0; i < 50 && !stopped; i++) {
          const done = await drain();
          if (done.length < (options.batchSize ?? 20)) break;
        }
      })()
        .catch((err: unknown) => logger.error({ err }, 'outbox worker failed'))
        .finally(() => {
          running = undefined;
          if (!stopped) tick();
        });
    }, every);
    timer.unref?.();
  };

  return {
    drain,
    start() {
      if (!stopped) return;
      stopped = false;
      if (secret === undefined || secret === '')
        logger.warn('THRESHOLD_WEBHOOK_SECRET is not set: webhooks are sent unsigned');
      tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
