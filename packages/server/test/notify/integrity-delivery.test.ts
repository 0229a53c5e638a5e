/** The dominance alert's outbox message reaches the default channel (a real local receiver). */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { IntegrityPayload } from '../../src/controller/integrity-alert.js';
import { deliverMessage } from '../../src/notify/deliver-message.js';
import type { OutboxMessage } from '../../src/store/store.js';
import { startReceiver } from './receiver.js';
import type { Receiver } from './receiver.js';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const payload: IntegrityPayload = {
  event: {
    event: 'launch.evidence-dominated',
    id: 'L:dominance:canary:tok',
    launch: { id: 'L', plan: 'checkout', planVersion: 1, flag: 'checkout', owner: 'web' },
    phase: 'canary',
    at: '2026-01-01T00:00:00.000Z',
    token: { id: 'tok', name: 'kiosk', units: 900, share: 0.9 },
    units: 1000,
    reason: "token 'kiosk' supplied 90% of the 1000 units of phase canary",
  },
};
const message: OutboxMessage = {
  id: 1,
  idempotencyKey: payload.event.id,
  kind: 'integrity',
  payload,
  attempts: 0,
  dueAt: '2026-01-01T00:00:00.000Z',
  doneAt: null,
  lastError: null,
};

it('posts an integrity alert to the default channel with its idempotency key', async () => {
  const outcome = await deliverMessage(message, {
    resolve: (target) => (target === undefined ? `${receiver.url}/default` : undefined),
    now: () => 0,
  });
  expect(outcome).toEqual({ result: 'delivered', status: 200 });
  const [got] = receiver.received;
  expect(got?.path).toBe('/default');
  expect(got?.headers['idempotency-key']).toBe('L:dominance:canary:tok');
  expect(got?.headers['x-threshold-event']).toBe('launch.evidence-dominated');
  expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
    text: "checkout: evidence integrity: token 'kiosk' supplied 90% of the 1000 units of phase canary",
    event: { token: { name: 'kiosk' } },
  });
});

it('carries the audit head like every other message', async () => {
  const head = { seq: 7, hash: 'a'.repeat(64) };
  await deliverMessage(message, {
    resolve: () => `${receiver.url}/default`,
    now: () => 0,
    auditHead: head,
  });
  const [got] = receiver.received;
  expect(got?.headers['x-threshold-audit-head']).toBe(`7:${'a'.repeat(64)}`);
  expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ auditHead: head });
});

it('is skipped, with the reason, when no default channel is configured', async () => {
  expect(await deliverMessage(message, { resolve: () => undefined, now: () => 0 })).toEqual({
    result: 'skipped',
    reason: 'no THRESHOLD_NOTIFY_DEFAULT configured',
  });
});
