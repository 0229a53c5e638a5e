/**
 * Which side effects a committed decision asks for. Each outbox message carries
 * the event receivers get and an idempotency key built from the launch and the
 * decision, so a message enqueued twice (a retried look) is stored once and a
 * message sent twice (a crash before it was marked done) is recognizable.
 */
import type { Decision, Plan } from '@threshold/core';
import type { LaunchRecord, OutboxMessage } from '../store/store.js';

/** What a receiver is sent about one decision (the generic webhook's body). */
export interface DecisionEvent {
  /** e.g. `launch.advance`, `launch.rollback`, `launch.notify`. */
  event: string;
  /** The idempotency key (also sent as the Idempotency-Key header). */
  id: string;
  launch: { id: string; plan: string; planVersion: number; flag: string; owner: string };
  /** Position of the decision in the launch's log. */
  seq: number;
  /** ISO time of the decision. */
  at: string;
  /** The decision with its full evidence. */
  decision: Decision;
}

/** Payload of a `notify` message: a named target (resolved to a URL at delivery). */
export interface NotifyPayload {
  target: string;
  event: DecisionEvent;
}

/** Payload of a `webhook` message: the plan's URL. */
export interface WebhookPayload {
  url: string;
  event: DecisionEvent;
}

/** Payload of an `announce` message: a change of the launch, for the default channel. */
export interface AnnouncePayload {
  event: DecisionEvent;
}

/** A warning the controller raised about a launch (not a decision: it changes nothing). */
export interface LaunchWarning {
  /** Once-only key within the launch, e.g. `no-exposures:canary`. */
  key: string;
  id: 'no-exposures';
  phase: string;
  /** When it was raised (ms). */
  at: number;
  /** One sentence for people. */
  message: string;
  /** Who is told: the plan's owner. */
  to: string;
}

/** What a receiver is sent about a warning. */
export interface WarningEvent {
  /** e.g. `launch.no-exposures`. */
  event: string;
  /** The idempotency key. */
  id: string;
  launch: DecisionEvent['launch'];
  /** Position of the warning in the launch's log. */
  seq: number;
  phase: string;
  /** ISO time it was raised. */
  at: string;
  reason: string;
}

/** Payload of a `warning` message: a named target (resolved to a URL at delivery). */
export interface WarningPayload {
  target: string;
  event: WarningEvent;
}

/** Outbox kinds the controller enqueues. */
export type OutboxKind = 'notify' | 'webhook' | 'announce' | 'warning';

/** The outbox message of a warning (`seq` is its place in the log). */
export function warningMessageOf(
  launch: LaunchRecord,
  plan: Plan,
  warning: LaunchWarning,
  seq: number,
): Message {
  const key = `${launch.id}:${warning.key}`;
  const payload: WarningPayload = {
    target: warning.to,
    event: {
      event: `launch.${warning.id}`,
      id: key,
      launch: {
        id: launch.id,
        plan: launch.planName,
        planVersion: launch.planVersion,
        flag: plan.flag,
        owner: plan.owner,
      },
      seq,
      phase: warning.phase,
      at: new Date(warning.at).toISOString(),
      reason: warning.message,
    },
  };
  return { idempotencyKey: key, kind: 'warning', payload };
}

/** The outbox key of a notify or webhook decision of a launch (see outboxMessagesOf). */
export function sideEffectKey(launchId: string, decisionKey: string): string {
  return `${launchId}:${decisionKey}`;
}

/** Decisions that change where a launch stands: announced on the default channel. */
const ANNOUNCED: ReadonlySet<Decision['type']> = new Set([
  'advance',
  'complete',
  'rollback',
  'pause',
  'resume',
  'hold',
  'ask',
  'request-signoff',
  'signoff-expired',
]);

type Message = Pick<OutboxMessage, 'idempotencyKey' | 'kind' | 'payload'>;

/** The outbox messages of one committed decision (`seq` is its place in the log). */
export function outboxMessagesOf(
  launch: LaunchRecord,
  plan: Plan,
  decision: Decision,
  seq: number,
): Message[] {
  const event = (id: string): DecisionEvent => ({
    event: `launch.${decision.type}`,
    id,
    launch: {
      id: launch.id,
      plan: launch.planName,
      planVersion: launch.planVersion,
      flag: plan.flag,
      owner: plan.owner,
    },
    seq,
    at: new Date(decision.at).toISOString(),
    decision,
  });
  const out: Message[] = [];
  if (decision.type === 'notify') {
    // decide() keys one-shot effects per launch; the launch id makes them global.
    const key = sideEffectKey(launch.id, decision.key);
    const payload: NotifyPayload = { target: decision.to, event: event(key) };
    out.push({ idempotencyKey: key, kind: 'notify', payload });
  } else if (decision.type === 'webhook') {
    const key = sideEffectKey(launch.id, decision.key);
    const payload: WebhookPayload = { url: decision.url, event: event(key) };
    out.push({ idempotencyKey: key, kind: 'webhook', payload });
  } else if (ANNOUNCED.has(decision.type)) {
    const key = `${launch.id}:${seq}:announce`;
    const payload: AnnouncePayload = { event: event(key) };
    out.push({ idempotencyKey: key, kind: 'announce', payload });
  }
  return out;
}
