import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@threshold/sdk';
import type { ClientOptions, ThresholdClient } from '@threshold/sdk';
import { doc, flag, TEST_TOKEN, TestServer, waitFor } from './support/test-server.js';

const flags = [
  // Two flags of one launch share its salt (and so its buckets).
  flag({ key: 'a', launch: 'L1', salt: 's1', traffic: 5000, phase: 'p1' }),
  flag({ key: 'a2', launch: 'L1', salt: 's1', traffic: 5000, phase: 'p1' }),
  flag({ key: 'b', launch: 'L2', traffic: 5000 }),
  flag({ key: 'rb', launch: 'L3', state: 'rolled-back' }),
];

let servers: TestServer[] = [];
let clients: ThresholdClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
  clients = [];
  servers = [];
});

async function setup(
  events: ClientOptions['events'] = {},
  o: Partial<ClientOptions> = {},
): Promise<{ server: TestServer; c: ThresholdClient }> {
  const server = await new TestServer(doc('v1', flags)).start();
  servers.push(server);
  const c = createClient({
    url: server.url,
    token: TEST_TOKEN,
    stream: false,
    pollIntervalMs: 60_000,
    events:
      events === false
        ? false
        : { batchSize: 1000, flushIntervalMs: 60_000, retryBaseMs: 5, retryMaxMs: 20, ...events },
    ...o,
  });
  clients.push(c);
  await c.ready();
  return { server, c };
}

describe('exposures', () => {
  it('are deduplicated per (launch, unit) and carry arm and phase', async () => {
    const { server, c } = await setup();
    for (let round = 0; round < 5; round++) {
      for (let u = 0; u < 20; u++) {
        c.isOn('a', { userId: `u${u}` });
        c.evaluate('a2', { userId: `u${u}` }); // same launch: no new exposure
        c.isOn('b', { userId: `u${u}` });
        c.isOn('rb', { userId: `u${u}` }); // rolled back: no exposure
        c.isOn('a', { country: 'NL' }); // no unit: no exposure
      }
    }
    await c.flush();
    const exposures = server.events.filter((e) => e.type === 'exposure');
    expect(exposures).toHaveLength(40);
    const keys = new Set(exposures.map((e) => `${e.launch}/${e.unit}`));
    expect(keys.size).toBe(40);
    const first = exposures.find((e) => e.launch === 'L1');
    expect(first).toMatchObject({ flag: 'a', phase: 'p1', unit: 'u0' });
    for (const e of exposures) {
      if (e.type !== 'exposure') continue;
      const d = c.evaluate(e.flag, { userId: e.unit });
      expect(e.arm).toBe(d.arm);
    }
  });

  it('a unit is exposed again when its arm or the phase changes', async () => {
    const { server, c } = await setup({}, { stream: false, pollIntervalMs: 10 });
    c.isOn('a', { userId: 'u1' });
    server.setConfig(doc('v2', [flag({ key: 'a', launch: 'L1', traffic: 10_000, phase: 'p2' })]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'v2');
    c.isOn('a', { userId: 'u1' });
    c.isOn('a', { userId: 'u1' });
    await c.flush();
    const ex = server.events.filter((e) => e.type === 'exposure');
    expect(ex).toHaveLength(2);
    expect(ex[1]).toMatchObject({ phase: 'p2', arm: 'treatment' });
  });

  it('holdout: treatment and control are exposed, excluded units are not', async () => {
    const { server, c } = await setup({}, { stream: false, pollIntervalMs: 10 });
    server.setConfig(
      doc('v2', [flag({ key: 'h', launch: 'LH', traffic: 1000, control: 'holdout' })]),
    );
    await waitFor(() => c.config?.version === 'v2', 5000, 'v2');
    const arms = { treatment: 0, control: 0, excluded: 0 };
    for (let u = 0; u < 400; u++) {
      const arm = c.evaluate('h', { userId: `h${u}` }).arm;
      if (arm) arms[arm]++;
    }
    await c.flush();
    const ex = server.events.filter((e) => e.type === 'exposure');
    expect(arms.excluded).toBeGreaterThan(0);
    expect(ex).toHaveLength(arms.treatment + arms.control);
    expect(ex.some((e) => e.type === 'exposure' && e.arm === 'excluded')).toBe(false);
  });

  it('are not recorded when events are off', async () => {
    const { server, c } = await setup(false);
    c.isOn('a', { userId: 'u1' });
    c.track('u1', 'purchase', 3);
    await c.flush();
    await c.close();
    expect(server.batches).toHaveLength(0);
    expect(c.stats.queuedEvents).toBe(0);
  });
});

describe('batching', () => {
  it('sends a batch as soon as batchSize events wait', async () => {
    const { server, c } = await setup({ batchSize: 10 });
    for (let i = 0; i < 25; i++) c.track(`u${i}`, 'purchase', i);
    await waitFor(() => c.sentEvents === 20, 5000, 'two full batches');
    expect(server.batches.map((b) => b.batch.events.length)).toEqual([10, 10]);
    expect(c.stats.queuedEvents).toBe(5);
    const b = server.batches[0]?.batch;
    expect(b?.sdk.name).toBe('@threshold/sdk');
    expect(b?.events[0]).toMatchObject({ type: 'track', unit: 'u0', event: 'purchase', value: 0 });
  });

  it('sends what waits every flushIntervalMs', async () => {
    const { server, c } = await setup({ flushIntervalMs: 20 });
    c.track('u1', 'signup');
    await waitFor(() => c.sentEvents === 1, 5000, 'interval flush');
    expect(server.events).toEqual([expect.objectContaining({ unit: 'u1', event: 'signup' })]);
    expect(server.events[0]).not.toHaveProperty('value');
  });

  it('retries after 500s with the same batch: no loss, no duplicates', async () => {
    const { server, c } = await setup({ batchSize: 5 });
    server.eventsFailures = [500, 503, 500];
    for (let i = 0; i < 12; i++) c.track(`u${i}`, 'e', i);
    await waitFor(() => server.batches.length >= 2, 5000, 'retried batches');
    await c.flush();
    const values = server.events.map((e) => (e.type === 'track' ? e.value : -1));
    expect(values).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(c.stats.eventRetries).toBe(3);
    expect(c.droppedEvents).toBe(0);
    const ids = server.batches.map((b) => b.batch.batchId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a retried batch keeps its batchId (idempotency key)', async () => {
    const { server, c } = await setup({ batchSize: 1000 });
    server.eventsFailures = [500];
    const sentIds: string[] = [];
    const realFetch = globalThis.fetch;
    const c2 = createClient({
      url: server.url,
      token: TEST_TOKEN,
      stream: false,
      events: { batchSize: 3, flushIntervalMs: 60_000, retryBaseMs: 5, retryMaxMs: 10 },
      fetch: async (input, init) => {
        if (typeof init?.body === 'string') sentIds.push(JSON.parse(init.body).batchId as string);
        return realFetch(input, init);
      },
    });
    clients.push(c2);
    await c2.ready();
    for (let i = 0; i < 3; i++) c2.track('u', 'e', i);
    await waitFor(() => server.batches.length === 1, 5000, 'accepted');
    expect(sentIds).toHaveLength(2);
    expect(sentIds[0]).toBe(sentIds[1]);
    void c;
  });

  it('a 400 drops the batch (counted) instead of retrying forever', async () => {
    const { server, c } = await setup({ batchSize: 2 });
    server.eventsFailures = [400];
    c.track('u1', 'e');
    c.track('u2', 'e');
    await waitFor(() => c.droppedEvents === 2, 5000, 'drop');
    c.track('u3', 'e');
    await c.flush();
    expect(server.events.map((e) => e.unit)).toEqual(['u3']);
  });

  it('the buffer is bounded: overflow is dropped and counted', async () => {
    const { server, c } = await setup({ batchSize: 1000, maxBuffer: 50 });
    for (let i = 0; i < 80; i++) c.track(`u${i}`, 'e');
    expect(c.droppedEvents).toBe(30);
    expect(c.stats.queuedEvents).toBe(50);
    await c.flush();
    expect(server.events).toHaveLength(50);
    expect(server.events.at(-1)?.unit).toBe('u49');
  });

  it('keeps events while the server fails and sends them later, within the bound', async () => {
    const { server, c } = await setup({ batchSize: 5, maxBuffer: 20 });
    server.eventsFailures = Array.from({ length: 1000 }, () => 500);
    for (let i = 0; i < 30; i++) c.track(`u${i}`, 'e');
    await waitFor(() => c.stats.eventRetries >= 3, 5000, 'retries');
    expect(c.stats.queuedEvents).toBe(20);
    expect(c.droppedEvents).toBe(10);
    server.eventsFailures = [];
    await waitFor(() => server.events.length === 20, 5000, 'delivery');
  });

  it('close() while the server fails counts what could not be sent as dropped', async () => {
    const { server, c } = await setup();
    server.eventsFailures = [500, 500, 500];
    c.track('u1', 'e');
    c.track('u2', 'e');
    await c.close();
    expect(server.events).toHaveLength(0);
    expect(c.droppedEvents).toBe(2);
    expect(c.stats.queuedEvents).toBe(0);
  });

  it('close() flushes what waits and stops', async () => {
    const { server, c } = await setup();
    c.track('u1', 'e', 1);
    c.isOn('a', { userId: 'u1' });
    await c.close();
    expect(server.events).toHaveLength(2);
    expect(c.status).toBe('closed');
    c.track('u2', 'e');
    expect(c.droppedEvents).toBe(1);
    await c.close();
  });
});
