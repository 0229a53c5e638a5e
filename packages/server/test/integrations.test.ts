/**
 * The Argo Rollouts and Flagger bridges through a real server: requests shaped
 * as their docs say (Argo's web provider GETs a URL with an Authorization
 * header and reads JSON; Flagger POSTs { name, namespace, phase, checksum,
 * metadata } and goes on only on a 2xx), against launches driven by real SDK
 * traffic through the controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import { driveUsers, pause, settle, whenConfig } from './controller/support.js';
import { startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

const PLAN = `launch: bridge-checkout
owner: checkout-team
phases:
  - { name: canary, traffic: 20%, min_duration: 1s, min_units: 40, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h, signoff: [product] }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
    - name: error_rate
      kind: occurrence
      event: checkout_error
      guard: { max_increase_abs: 0.05 }
      on_breach: rollback
signoff:
  roles: { product: 1 }
`;

const FULL_PLAN = `launch: bridge-full
owner: checkout-team
phases:
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max: 500 }, on_breach: pause }
`;

interface Verdict {
  verdict: 'pass' | 'fail' | 'wait';
  reason: string;
  launch: { id: string; status: string; phase: string };
  kpis: { name: string; verdict: string }[];
}

describe('bridges for Argo Rollouts and Flagger', () => {
  let t: TestServer;
  let client: ThresholdClient;
  let id: string;

  beforeAll(async () => {
    t = await startTestServer({
      // Looks by hand, each one recorded (the bridges answer from the latest recorded look).
      controller: { lookIntervalMs: 3_600_000, lookRecordIntervalMs: 10 },
      projectIntervalMs: 3_600_000,
    });
    for (const plan of [PLAN, FULL_PLAN]) {
      const up = await t.call('operator', 'POST', '/api/v1/plans', plan, {
        'content-type': 'application/yaml',
      });
      expect(up.status).toBe(201);
    }
    client = createClient({
      url: t.url,
      token: t.tokens.sdk,
      events: { flushIntervalMs: 50, batchSize: 1000 },
      readyTimeoutMs: 5000,
    });
    await client.ready();
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'bridge-checkout',
      },
    );
    expect(started.status).toBe(201);
    id = started.body.launch.id;
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  /** What Argo's web provider sends: a GET with the headers of the AnalysisTemplate. */
  const argo = (query: string, token: string | null | undefined = t.tokens.viewer) =>
    fetch(`${t.url}/api/v1/integrations/argo-rollouts/verdict?${query}`, {
      headers: token == null ? {} : { authorization: `Bearer ${token}` },
    });
  const verdict = async (): Promise<Verdict> => {
    const res = await argo('plan=bridge-checkout');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return (await res.json()) as Verdict;
  };
  /** What Flagger sends: a POST of its payload, the token in metadata (it sends no headers). */
  const flagger = (gate: string, metadata: Record<string, string> = {}, name = 'bridge-checkout') =>
    fetch(`${t.url}/api/v1/integrations/flagger/${gate}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        namespace: 'shop',
        phase: 'Progressing',
        checksum: '6d6c4b8f',
        metadata: { token: t.tokens.viewer ?? '', ...metadata },
      }),
    });
  const gate = async (name: string) => {
    const res = await flagger(name);
    const body = (await res.json()) as {
      open?: boolean;
      error?: { code: string; message: string };
    };
    return { status: res.status, open: body.open === true, message: body.error?.message ?? '' };
  };
  const look = () => t.server.controller.lookAt(id);

  it('before the start sign-off: Argo waits; Flagger may not roll out, promote or roll back', async () => {
    await look();
    const v = await verdict();
    expect(v).toMatchObject({
      verdict: 'wait',
      launch: { id, status: 'running', phase: '(start)' },
    });
    expect(await gate('confirm-rollout')).toEqual({
      status: 409,
      open: false,
      message:
        'confirm-rollout is closed for shop/bridge-checkout: waiting for the sign-off to start canary',
    });
    expect((await gate('confirm-promotion')).status).toBe(409);
    expect(await gate('rollback')).toMatchObject({
      status: 409,
      message: expect.stringMatching(/is running: no rollback$/),
    });
  });

  it('after the sign-off and on healthy traffic: Flagger may roll out but not yet promote; Argo passes', async () => {
    const approved = await t.call('approver:product', 'POST', `/api/v1/launches/${id}/approvals`, {
      role: 'product',
      decision: 'approve',
    });
    expect(approved.status).toBe(201);
    const advanced = await look();
    expect(advanced?.decisions.map((d) => d.type)).toEqual(['advance']);
    expect(await gate('confirm-rollout')).toMatchObject({ status: 200, open: true });
    expect(await gate('confirm-promotion')).toEqual({
      status: 409,
      open: false,
      message:
        'confirm-promotion is closed for shop/bridge-checkout: in canary (phase 1 of 2): promotion waits for full',
    });

    await whenConfig(
      client,
      (c) => c.config?.flags.some((f) => f.launch === id && f.phase === 'canary') === true,
    );
    driveUsers(client, 'bridge-checkout', { prefix: 'ok', count: 1200 }, (unit, _t, i) => {
      client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
    });
    await settle(client, t.server);
    let v = await verdict();
    for (let i = 0; i < 20 && v.verdict !== 'pass'; i++) {
      await look();
      v = await verdict();
      if (v.verdict !== 'pass') await pause(100);
    }
    expect(v, JSON.stringify(v)).toMatchObject({ verdict: 'pass', launch: { phase: 'canary' } });
    expect(v.reason).toMatch(/^every guard passes in canary/);
    expect(v.kpis).toEqual([
      expect.objectContaining({ name: 'latency', verdict: 'pass' }),
      expect.objectContaining({ name: 'error_rate', verdict: 'pass' }),
    ]);
  });

  it('after a rollback: Argo fails, Flagger rolls back and may not roll out', async () => {
    driveUsers(client, 'bridge-checkout', { prefix: 'bad', count: 1500 }, (unit, treatment, i) => {
      client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      if (treatment ? i % 3 === 0 : i % 100 === 0) client.track(unit, 'checkout_error');
    });
    await settle(client, t.server);
    for (let i = 0; i < 20 && (await t.server.store.getLaunch(id))?.status !== 'rolled-back'; i++)
      await look();
    const v = await verdict();
    expect(v.verdict, JSON.stringify(v)).toBe('fail');
    expect(v.reason).toMatch(/^rolled back: .*error_rate/);
    expect(await gate('rollback')).toMatchObject({ status: 200, open: true });
    expect((await gate('confirm-rollout')).status).toBe(409);
    expect((await gate('confirm-promotion')).status).toBe(409);
  });

  it('promotes at the last phase, and names launches by id or plan', async () => {
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'bridge-full',
      },
    );
    const full = started.body.launch.id;
    await t.server.controller.lookAt(full);
    const open = await flagger('confirm-promotion', { plan: 'bridge-full' }, 'web');
    expect(open.status).toBe(200);
    expect(await open.json()).toMatchObject({
      gate: 'confirm-promotion',
      open: true,
      launch: { id: full, status: 'running', phase: 'full' },
    });
    const byId = await flagger('confirm-rollout', { launch: full }, 'anything');
    expect(byId.status).toBe(200);
    const argoById = await argo(`launch=${full}`);
    expect(((await argoById.json()) as Verdict).launch.id).toBe(full);
  });

  it('checks the token (Authorization, or metadata.token for Flagger) and the payload', async () => {
    expect((await argo('plan=bridge-checkout', null)).status).toBe(401);
    expect((await argo('plan=bridge-checkout', t.tokens.sdk)).status).toBe(403);
    expect((await argo('plan=nope')).status).toBe(404);
    expect((await argo('')).status).toBe(400);
    const noToken = await fetch(`${t.url}/api/v1/integrations/flagger/confirm-rollout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bridge-checkout', namespace: 'shop', phase: 'Progressing' }),
    });
    expect(noToken.status).toBe(401);
    const sdk = await flagger('confirm-rollout', { token: t.tokens.sdk ?? '' });
    expect(sdk.status).toBe(403);
    const header = await fetch(`${t.url}/api/v1/integrations/flagger/confirm-rollout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.viewer}` },
      body: JSON.stringify({ name: 'bridge-full', namespace: 'shop', phase: 'Progressing' }),
    });
    expect(header.status).toBe(200);
    const bad = await fetch(`${t.url}/api/v1/integrations/flagger/confirm-rollout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.tokens.viewer}` },
      body: JSON.stringify({ namespace: 'shop' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /body\.name/,
    );
    const unknownGate = await flagger('pre-rollout');
    expect(unknownGate.status).toBe(400);
  });
});
