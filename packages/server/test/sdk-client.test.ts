/** The real SDK client against the real server, unchanged: config, a stream push, events stored and projected. */
import { bucketOf, parsePlan, shareToBuckets } from '@threshold/core';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

describe('SDK createClient against the server', () => {
  let t: TestServer;
  let client: ThresholdClient;
  let launch: string;

  beforeAll(async () => {
    t = await startTestServer({ projectIntervalMs: 20 });
    await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
      'content-type': 'application/yaml',
    });
    launch = (
      await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
        plan: 'checkout-v2',
      })
    ).body.launch.id;
    client = createClient({
      url: t.url,
      token: t.tokens.sdk,
      events: { flushIntervalMs: 50, batchSize: 500 },
      readyTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  it('loads the config and evaluates locally', async () => {
    await client.ready();
    expect(client.status).toBe('ready');
    expect(client.flagKeys).toEqual(['checkout-v2']);
    const detail = client.evaluate('checkout-v2', { userId: 'u-1' });
    expect(detail.reason).toBe('SPLIT');
    expect(detail.launch).toBe(launch);
  });

  it('receives a pushed change over the stream', async () => {
    const changed = new Promise<{ flagsChanged: string[]; source: string }>((resolve) => {
      const off = client.on('change', (e) => {
        off();
        resolve(e);
      });
    });
    const res = await t.call('operator', 'POST', `/api/v1/launches/${launch}/rollback`, {
      reason: 'sdk test',
    });
    expect(res.status).toBe(200);
    const change = await changed;
    expect(change).toEqual(
      expect.objectContaining({ flagsChanged: ['checkout-v2'], source: 'stream' }),
    );
    expect(client.evaluate('checkout-v2', { userId: 'u-1' }).reason).toBe('ROLLED_BACK');
  });

  it('sends exposures and tracked events; the server stores and projects them', async () => {
    const relaunch = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'checkout-v2',
      },
    );
    const id = relaunch.body.launch.id;
    await new Promise<void>((resolve) => {
      const off = client.on('change', () => {
        off();
        resolve();
      });
    });
    // Exposures of the earlier tests must be out before counting this test's events.
    await client.flush();
    const sentBefore = client.stats.sentEvents;
    const units = Array.from({ length: 300 }, (_, i) => `user-${i}`);
    for (const u of units) client.isOn('checkout-v2', { userId: u });
    for (const u of units.slice(0, 30)) client.track(u, 'checkout_error');
    await client.flush();
    expect(client.stats.sentEvents - sentBefore).toBe(330);
    expect(client.stats).toMatchObject({ droppedEvents: 0, queuedEvents: 0 });

    // Projection runs in the background; drain what is left deterministically.
    while ((await t.server.store.project()) > 0);
    const plan = parsePlan(SIMPLE_PLAN);
    if (!plan.valid) throw new Error('fixture plan invalid');
    const kpis = plan.plan.kpis['operational-health'];
    const aggregates = await t.server.store.readAggregates({
      launchId: id,
      phase: 'canary',
      kpis,
      nowMs: Date.now(),
    });
    expect(aggregates.units.treatment + aggregates.units.control).toBe(300);
    // The salt is random per launch, so the arms are counted with the same bucketing the
    // SDK used (at 1%, 300 units have no treatment unit about one run in twenty).
    const launch = await t.server.store.getLaunch(id);
    if (launch === undefined) throw new Error('launch not stored');
    const inTreatment = units.filter(
      (u) => bucketOf(u, launch.salt) < shareToBuckets(launch.traffic),
    ).length;
    expect(aggregates.units.treatment).toBe(inTreatment);
    // Occurrence: 30 of the 300 exposed units had a checkout_error, across both arms.
    const errors = aggregates.kpis.error_rate;
    const sum = (a: unknown) => (a as { sum?: number } | undefined)?.sum ?? 0;
    expect(sum(errors?.treatment) + sum(errors?.control)).toBe(30);
  });
});
