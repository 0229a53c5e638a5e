/**
 * The outbox worker against a real SQLite store and a real local HTTP receiver:
 * signatures verify, 5xx answers are retried with growing delays under the same
 * Idempotency-Key, 4xx answers stop, notify targets resolve to Slack messages,
 * and after a restart nothing already delivered is sent again.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '@threshold/core';
import {
  createOutboxWorker,
  openStore,
  retryDelay,
  verifyWebhookSignature,
} from '@threshold/server';
import type { LaunchRecord, OutboxWorker, Store } from '@threshold/server';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxMessagesOf } from '../../src/controller/outbox-messages.js';
import { parsePlan } from '@threshold/core';
import { startReceiver } from './receiver.js';
import type { Receiver } from './receiver.js';

const SECRET = 'whsec-test-0123456789';
const PLAN = parsePlan(`launch: pay-v2
owner: payments
phases:
  - { name: canary, traffic: 5% }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: pay_error, guard: { max_increase_abs: 0.01 }, on_breach: rollback }
`);
if (!PLAN.valid) throw new Error('test plan invalid');
const plan = PLAN.plan;

const LAUNCH: LaunchRecord = {
  id: 'pay-v2-abcdefgh',
  planName: 'pay-v2',
  planVersion: 1,
  salt: 's',
  status: 'running',
  phaseIndex: 0,
  phaseStartedAt: '2026-01-01T00:00:00.000Z',
  traffic: 0.05,
  createdBy: 'alice',
  createdBySubject: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  seq: 3,
  lastDecision: null,
  environment: 'production',
  retryOf: null,
};

const base = {
  at: Date.parse('2026-01-01T00:10:00Z'),
  rule: 'guard-breach' as const,
  phase: 'canary',
  phaseIndex: 0,
  planVersion: 1,
  evidence: {},
};

function webhook(url: string, key: string): Decision {
  return {
    ...base,
    type: 'webhook',
    key,
    url,
    reason: 'errors breached its guard: calling the webhook',
  };
}

describe('outbox worker', () => {
  let dir: string;
  let store: Store;
  let receiver: Receiver;
  let clock: number;
  let worker: OutboxWorker;

  const make = (s: Store) =>
    createOutboxWorker({
      store: s,
      logger: pino({ level: 'silent' }),
      now: () => clock,
      secret: SECRET,
      retry: { baseMs: 1000, capMs: 60_000 },
      maxAttempts: 5,
      resolve: (target) =>
        target === 'payments-oncall' ? `${receiver.url}/slack/oncall` : undefined,
      random: () => 0.5,
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'threshold-outbox-'));
    store = await openStore({ dataDir: dir });
    receiver = await startReceiver();
    // Ahead of the store's clock, so messages enqueued now are due.
    clock = Date.now() + 5000;
    worker = make(store);
  });
  afterEach(async () => {
    await receiver.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function enqueue(decision: Decision, seq: number): Promise<void> {
    for (const m of outboxMessagesOf(LAUNCH, plan, decision, seq)) await store.enqueueOutbox(m);
  }

  it('signs webhooks: HMAC-SHA256 over "<t>.<body>" with the secret, verifiable by the receiver', async () => {
    await enqueue(webhook(`${receiver.url}/hook`, 'canary:R1:webhook'), 4);
    const drained = await worker.drain();
    expect(drained.map((d) => d.outcome.result)).toEqual(['delivered']);
    const [req] = receiver.received;
    if (req === undefined) throw new Error('nothing received');
    expect(req.path).toBe('/hook');
    expect(req.headers['idempotency-key']).toBe('pay-v2-abcdefgh:canary:R1:webhook');
    expect(req.headers['x-threshold-event']).toBe('launch.webhook');
    const header = String(req.headers['x-threshold-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const t = match?.[1] ?? '';
    expect(Number(t)).toBe(Math.floor(clock / 1000));
    // Computed here independently of the server's code.
    const expected = createHmac('sha256', SECRET).update(`${t}.${req.body}`).digest('hex');
    expect(match?.[2]).toBe(expected);
    expect(
      verifyWebhookSignature(SECRET, req.body, header, { nowSeconds: clock / 1000 }),
    ).toBeNull();
    expect(verifyWebhookSignature('wrong', req.body, header, { nowSeconds: clock / 1000 })).toBe(
      'signature does not match',
    );
    expect(
      verifyWebhookSignature(SECRET, req.body.replace('pay-v2', 'pay-v3'), header, {
        nowSeconds: clock / 1000,
      }),
    ).toBe('signature does not match');
    expect(
      verifyWebhookSignature(SECRET, req.body, header, { nowSeconds: clock / 1000 + 3600 }),
    ).toBe('timestamp outside the tolerance');
    const body = JSON.parse(req.body) as {
      event: string;
      launch: { id: string };
      decision: { type: string };
    };
    expect(body).toMatchObject({
      event: 'launch.webhook',
      launch: { id: LAUNCH.id, owner: 'payments' },
      seq: 4,
    });
    expect(await store.dueOutbox(new Date(clock + 3_600_000).toISOString(), 10)).toEqual([]);
  });

  it('retries 5xx answers with growing delays under the same Idempotency-Key, then delivers', async () => {
    receiver.script = [500, 503];
    await enqueue(webhook(`${receiver.url}/hook`, 'canary:R1:webhook'), 4);
    expect((await worker.drain()).map((d) => d.outcome.result)).toEqual(['retry']);
    // Not due yet: nothing is sent before its time.
    expect(await worker.drain()).toEqual([]);
    const [first] = await store.dueOutbox(new Date(clock + 3_600_000).toISOString(), 10);
    expect(first).toMatchObject({ attempts: 1, lastError: expect.stringContaining('HTTP 500') });
    const firstDelay = Date.parse(first?.dueAt ?? '') - clock;
    expect(firstDelay).toBe(750); // half of 1 s fixed, plus half of the other half (random 0.5)

    clock += firstDelay;
    expect((await worker.drain()).map((d) => d.outcome.result)).toEqual(['retry']);
    const [second] = await store.dueOutbox(new Date(clock + 3_600_000).toISOString(), 10);
    expect(Date.parse(second?.dueAt ?? '') - clock).toBe(1500);

    clock += 1500;
    expect((await worker.drain()).map((d) => d.outcome.result)).toEqual(['delivered']);
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual([
      'pay-v2-abcdefgh:canary:R1:webhook',
      'pay-v2-abcdefgh:canary:R1:webhook',
      'pay-v2-abcdefgh:canary:R1:webhook',
    ]);
    expect(await store.dueOutbox(new Date(clock + 3_600_000).toISOString(), 10)).toEqual([]);
  });

  it('stops on a 4xx answer and gives up after maxAttempts', async () => {
    receiver.script = [404];
    await enqueue(webhook(`${receiver.url}/gone`, 'canary:a:webhook'), 4);
    expect((await worker.drain()).map((d) => d.outcome.result)).toEqual(['failed']);
    receiver.script = [500, 500, 500, 500, 500, 500];
    await enqueue(webhook(`${receiver.url}/down`, 'canary:b:webhook'), 5);
    for (let i = 0; i < 5; i++) {
      clock += 120_000;
      await worker.drain();
    }
    expect(receiver.received.filter((r) => r.path === '/down')).toHaveLength(5);
    clock += 120_000;
    expect(await worker.drain()).toEqual([]);
  });

  it('sends notify targets and announcements as Slack messages; unknown targets are skipped', async () => {
    await enqueue(
      {
        ...base,
        type: 'notify',
        key: 'canary:R1:payments-oncall',
        to: 'payments-oncall',
        reason: 'errors breached its guard: notifying payments-oncall',
      },
      4,
    );
    await enqueue(
      {
        ...base,
        type: 'notify',
        key: 'canary:R1:nobody',
        to: 'nobody',
        reason: 'notifying nobody',
      },
      5,
    );
    await enqueue(
      {
        ...base,
        type: 'rollback',
        traffic: 0,
        reason: 'errors breached its guard: rolling back to 0%',
      },
      6,
    );
    const drained = await worker.drain();
    expect(drained.map((d) => [d.kind, d.outcome.result])).toEqual([
      ['notify', 'delivered'],
      ['notify', 'skipped'],
      ['announce', 'skipped'],
    ]);
    const [slack] = receiver.received;
    expect(slack?.path).toBe('/slack/oncall');
    const message = JSON.parse(slack?.body ?? '{}') as { text: string; blocks: { type: string }[] };
    expect(message.text).toBe(
      'pay-v2: notification: errors breached its guard: notifying payments-oncall',
    );
    expect(message.blocks.map((b) => b.type)).toEqual(['section', 'context']);
  });

  it('sends the audit head with every webhook and notification, signed in the body and in a header', async () => {
    for (let i = 0; i < 3; i++)
      await store.appendAudit({ actor: 'a', action: 'x', subject: 's', data: { i } });
    const head = await store.auditHead();
    if (head === null) throw new Error('no audit head');
    expect(head.seq).toBe(3);
    await enqueue(webhook(`${receiver.url}/hook`, 'canary:R1:webhook'), 4);
    await enqueue(
      {
        ...base,
        type: 'notify',
        key: 'canary:R1:payments-oncall',
        to: 'payments-oncall',
        reason: 'notifying payments-oncall',
      },
      5,
    );
    const drained = await worker.drain();
    expect(drained.map((d) => d.outcome.result)).toEqual(['delivered', 'delivered']);
    const [hook, slack] = receiver.received;
    for (const req of [hook, slack]) {
      expect(req?.headers['x-threshold-audit-head']).toBe(`3:${head.hash}`);
    }
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({
      event: 'launch.webhook',
      auditHead: head,
    });
    expect(
      verifyWebhookSignature(
        SECRET,
        hook?.body ?? '',
        String(hook?.headers['x-threshold-signature']),
        { nowSeconds: clock / 1000 },
      ),
    ).toBeNull();
    expect(slack?.body).toContain(`audit head 3:${head.hash}`);
  });

  it('after a restart, sends only what was not delivered, under the same keys', async () => {
    await enqueue(webhook(`${receiver.url}/a`, 'canary:a:webhook'), 4);
    await worker.drain();
    receiver.script = [500];
    await enqueue(webhook(`${receiver.url}/b`, 'canary:b:webhook'), 5);
    await worker.drain();
    await store.close();

    store = await openStore({ dataDir: dir });
    worker = make(store);
    clock += 60_000;
    expect((await worker.drain()).map((d) => [d.idempotencyKey, d.outcome.result])).toEqual([
      ['pay-v2-abcdefgh:canary:b:webhook', 'delivered'],
    ]);
    // A re-enqueued message (a look retried after a crash) is stored once and never resent.
    await enqueue(webhook(`${receiver.url}/a`, 'canary:a:webhook'), 4);
    expect(await worker.drain()).toEqual([]);
    expect(receiver.received.map((r) => r.path)).toEqual(['/a', '/b', '/b']);
  });

  it('spreads retry delays exponentially up to the cap', () => {
    const policy = { baseMs: 1000, capMs: 10_000 };
    expect(retryDelay(1, policy, () => 0)).toBe(500);
    expect(retryDelay(1, policy, () => 0.999)).toBe(999);
    expect(retryDelay(3, policy, () => 0)).toBe(2000);
    expect(retryDelay(30, policy, () => 0)).toBe(5000);
    expect(retryDelay(30, policy, () => 0.9999)).toBeLessThanOrEqual(10_000);
  });
});
