/** Launches over HTTP: readiness, one live launch per flag, operator actions with reasons, atomic logs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDocument } from '@threshold/core';
import { NOT_READY_PLAN, SIGNOFF_PLAN, SIMPLE_PLAN } from './support/plans.js';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

interface Summary {
  id: string;
  status: string;
  share: number;
  phase: string;
  seq: number;
}
interface AuditList {
  entries: { action: string; subject: string; actor: string; data: Record<string, unknown> }[];
}
const yaml = { 'content-type': 'application/yaml' };

describe('launches API', () => {
  let t: TestServer;
  const counts = async (id: string) => ({
    events: (await t.json<{ events: unknown[] }>('viewer', 'GET', `/api/v1/launches/${id}/events`))
      .body.events.length,
    audit: (await t.json<AuditList>('viewer', 'GET', '/api/v1/audit?limit=1000')).body.entries
      .length,
  });
  const start = async (plan: string) => {
    const res = await t.json<{ launch: Summary; reason: string }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestServer();
    for (const plan of [SIMPLE_PLAN, SIGNOFF_PLAN, NOT_READY_PLAN]) {
      expect((await t.call('operator', 'POST', '/api/v1/plans', plan, yaml)).status).toBe(201);
    }
  });
  afterAll(async () => t?.close());

  it('refuses a launch with blocking readiness checks not attested, writing nothing', async () => {
    const before = await t.json<AuditList>('viewer', 'GET', '/api/v1/audit?limit=1000');
    const res = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'not-ready',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAUNCH_NOT_READY');
    expect(res.body.error.details.blocking).toEqual([
      { check: 'Load test at 3x peak passed', owner: 'sre', reason: 'not attested by sre' },
    ]);
    const launches = await t.json<{ launches: Summary[] }>('viewer', 'GET', '/api/v1/launches');
    expect(launches.body.launches.filter((l) => l.id.startsWith('not-ready'))).toEqual([]);
    const after = await t.json<AuditList>('viewer', 'GET', '/api/v1/audit?limit=1000');
    expect(after.body.entries.length).toBe(before.body.entries.length);
  });

  it('names the field of a bad create body and 404s an unknown plan or version', async () => {
    const missing = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('body.plan: is required (a non-empty string)');
    const version = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'checkout-v2',
      version: 0,
    });
    expect(version.body.error.message).toBe('body.version: must be a positive integer');
    const unknown = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'nope',
    });
    expect(unknown.status).toBe(404);
    const noVersion = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'checkout-v2',
      version: 7,
    });
    expect(noVersion.body.error.message).toBe("no plan version 'checkout-v2@7'");
  });

  it('starts at phase 0 share with a random salt, serves it to SDKs, and records why', async () => {
    const { launch, reason } = await start('checkout-v2');
    expect(launch).toMatchObject({ status: 'running', phase: 'canary', share: 0.01, seq: 1 });
    expect(reason).toBe('phase canary starts at 1%');
    const detail = await t.json<{ launch: { salt: string }; pendingSignoffs: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch.id}`,
    );
    expect(detail.body.launch.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(detail.body.pendingSignoffs).toEqual([]);
    const config = await t.json<ConfigDocument>('sdk', 'GET', '/v1/config');
    expect(config.body.flags).toEqual([
      {
        key: 'checkout-v2',
        launch: launch.id,
        salt: detail.body.launch.salt,
        hashVersion: 1,
        unit: 'userId',
        state: 'running',
        traffic: 100,
        audience: [],
        control: 'rest',
        phase: 'canary',
        planVersion: 1,
      },
    ]);
    const audit = await t.json<AuditList>(
      'viewer',
      'GET',
      `/api/v1/audit?subject=launch:${launch.id}`,
    );
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: 'launch.created',
        actor: 'operator',
        data: expect.objectContaining({ plan: 'checkout-v2', version: 1, traffic: 0.01, reason }),
      }),
    ]);
  });

  it('allows one live launch per flag', async () => {
    const res = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'checkout-v2',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAUNCH_ACTIVE');
  });

  it('a phase 0 behind a sign-off starts at 0% and says who must sign', async () => {
    const { launch, reason } = await start('search-ranking');
    expect(launch.share).toBe(0);
    expect(reason).toBe('phase canary needs sign-off from product before any traffic');
    const events = await t.json<{ events: { type: string; seq: number }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch.id}/events`,
    );
    expect(events.body.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'created'],
      [2, 'signoff-requested'],
    ]);
    const detail = await t.json<{ pendingSignoffs: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch.id}`,
    );
    expect(detail.body.pendingSignoffs).toEqual([
      { phase: 'canary', role: 'product', quorum: 1, approvedBy: [], rejectedBy: [], missing: 1 },
    ]);
    const after = await t.json<{ events: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch.id}/events?after=1`,
    );
    expect(after.body.events).toHaveLength(1);
  });

  it('pause, resume and rollback need a reason and follow the state machine; refusals write nothing', async () => {
    const list = await t.json<{ launches: Summary[] }>(
      'viewer',
      'GET',
      '/api/v1/launches?status=running',
    );
    const id = list.body.launches.find((l) => l.id.startsWith('checkout-v2-'))?.id ?? '';
    const url = (a: string) => `/api/v1/launches/${id}/${a}`;

    for (const body of [{}, { reason: '   ' }, { reason: 42 }]) {
      const res = await t.json<ErrorBody>('operator', 'POST', url('pause'), body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^body\.reason: /);
    }
    const before = await counts(id);
    const resume = await t.json<ErrorBody>('operator', 'POST', url('resume'), { reason: 'x' });
    expect(resume.status).toBe(409);
    expect(resume.body.error.code).toBe('INVALID_TRANSITION');
    expect(resume.body.error.message).toMatch(/^cannot resume: /);
    expect(resume.body.error.details).toEqual({ status: 'running', action: 'resume' });
    expect(await counts(id)).toEqual(before);

    const paused = await t.json<{ launch: Summary }>('operator', 'POST', url('pause'), {
      reason: 'error budget',
    });
    expect(paused.body.launch).toMatchObject({ status: 'paused', share: 0.01 });
    expect((await t.json('admin', 'POST', url('resume'), { reason: 'fixed' })).status).toBe(200);
    const rolled = await t.json<{ launch: Summary }>('operator', 'POST', url('rollback'), {
      reason: 'conversion down',
    });
    expect(rolled.body.launch).toMatchObject({ status: 'rolled-back', share: 0 });
    expect((await t.json('operator', 'POST', url('resume'), { reason: 'again' })).status).toBe(409);

    // Operator actions are decisions in the launch's log (the controller's reducer applies them).
    const events = await t.json<{
      events: { type: string; actor: string; data: { type?: string; reason?: string } }[];
    }>('viewer', 'GET', `/api/v1/launches/${id}/events`);
    expect(
      events.body.events.slice(1).map((e) => [e.type, e.data.type, e.actor, e.data.reason]),
    ).toEqual([
      ['decision', 'pause', 'operator', expect.stringContaining('error budget')],
      ['decision', 'resume', 'admin', expect.stringContaining('fixed')],
      ['decision', 'rollback', 'operator', expect.stringContaining('conversion down')],
    ]);
    const audit = await t.json<AuditList>('viewer', 'GET', `/api/v1/audit?subject=launch:${id}`);
    const reasonOf = (data: Record<string, unknown>) =>
      (data.decision as { reason?: string } | undefined)?.reason ?? data.reason;
    expect(audit.body.entries.map((e) => [e.action, e.actor, reasonOf(e.data)])).toEqual([
      ['launch.created', 'operator', 'phase canary starts at 1%'],
      ['launch.paused', 'operator', expect.stringContaining('error budget')],
      ['launch.resumed', 'admin', expect.stringContaining('fixed')],
      ['launch.rolled-back', 'operator', expect.stringContaining('conversion down')],
    ]);
    const config = await t.json<ConfigDocument>('sdk', 'GET', '/v1/config');
    expect(config.body.flags.find((f) => f.key === 'checkout-v2')).toMatchObject({
      state: 'rolled-back',
      traffic: 0,
    });
  });

  it('after a rollback the flag can launch again; the newest launch is what SDKs see', async () => {
    const { launch } = await start('checkout-v2');
    const config = await t.json<ConfigDocument>('sdk', 'GET', '/v1/config');
    expect(config.body.flags.filter((f) => f.key === 'checkout-v2')).toEqual([
      expect.objectContaining({ launch: launch.id, state: 'running' }),
    ]);
  });

  it('two concurrent pauses: exactly one wins', async () => {
    const list = await t.json<{ launches: Summary[] }>(
      'viewer',
      'GET',
      '/api/v1/launches?status=running',
    );
    const id = list.body.launches.find((l) => l.id.startsWith('checkout-v2-'))?.id ?? '';
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        t.json<ErrorBody>('operator', 'POST', `/api/v1/launches/${id}/pause`, { reason: 'race' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const events = await t.json<{ events: { data: { type?: string } | null }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}/events`,
    );
    expect(events.body.events.filter((e) => e.data?.type === 'pause')).toHaveLength(1);
  });

  it('lists by status, 400s an unknown status and 404s an unknown launch', async () => {
    const paused = await t.json<{ launches: Summary[] }>(
      'viewer',
      'GET',
      '/api/v1/launches?status=paused,rolled-back',
    );
    expect(new Set(paused.body.launches.map((l) => l.status))).toEqual(
      new Set(['paused', 'rolled-back']),
    );
    const bad = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/launches?status=running,gone');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^query\.status: unknown status 'gone'/);
    for (const path of ['/api/v1/launches/nope', '/api/v1/launches/nope/events']) {
      expect((await t.json('viewer', 'GET', path)).status).toBe(404);
    }
    expect(
      (await t.json('operator', 'POST', '/api/v1/launches/nope/pause', { reason: 'x' })).status,
    ).toBe(404);
  });
});
