/**
 * Automated readiness checks, live: a blocking probe is asked before the start
 * (a failing one refuses it, naming the check and what the probe saw) and at
 * every look of the real controller (a failing one holds the phase with the
 * reason; passing again releases it). The probe target is a real HTTP server on
 * a loopback port whose answer the test switches. SQLite and PostgreSQL.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];

const CHECK = 'Payments API healthy';

describe.each(databases)('a blocking probe on $name', ({ postgres }) => {
  let t: TestServer;
  let target: Server;
  let status = 503;
  let url = '';

  beforeAll(async () => {
    target = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/healthz`;
    t = await startTestServer({ postgres });
    const plan = `launch: probed
owner: payments
phases:
  - { name: canary, traffic: 5%, min_duration: 30m }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: pay_error, guard: { max_increase_abs: 0.01 }, on_breach: rollback }
readiness:
  - { check: ${CHECK}, owner: sre, probe: { url: '${url}' } }
`;
    const up = await t.call('operator', 'POST', '/api/v1/plans', plan, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    target?.closeAllConnections();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  const decisions = async (id: string) =>
    (
      await t.json<{
        events: { type: string; data: { rule?: string; type?: string; reason?: string } }[];
      }>('viewer', 'GET', `/api/v1/launches/${id}/events`)
    ).body.events
      .filter((e) => e.type === 'decision' && e.data.rule === 'readiness-check')
      .map((e) => [e.data.type, e.data.reason]);

  it('refuses the start while the probe fails, naming the check and what it saw', async () => {
    const res = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', { plan: 'probed' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAUNCH_NOT_READY');
    expect(res.body.error.details.blocking).toEqual([
      { check: CHECK, owner: 'sre', reason: `probe: GET ${url} answered 503, expected 200` },
    ]);
    const checklist = await t.json<{ checks: { status: string; probe: unknown }[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/probed/readiness',
    );
    expect(checklist.body.checks).toEqual([
      expect.objectContaining({ status: 'automated', probe: { url, status: 200 } }),
    ]);
    const attest = await t.json<ErrorBody>(
      await t.token('sre', ['approver:sre']),
      'POST',
      '/api/v1/plans/probed/readiness',
      { check: CHECK, note: 'trust me' },
    );
    expect(attest.status).toBe(400);
    expect(attest.body.error.message).toBe(
      `body.check: '${CHECK}' is checked by its probe (GET ${url}), not attested`,
    );
  });

  it('holds the phase with the reason while the probe fails at a look, and releases when it passes', async () => {
    status = 200;
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'probed',
      },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    await t.server.controller.lookOnce();
    expect(await decisions(id)).toEqual([]);
    status = 500;
    await t.server.controller.lookOnce();
    expect(await decisions(id)).toEqual([
      [
        'hold',
        `readiness check "${CHECK}" fails: GET ${url} answered 500, expected 200; holding canary`,
      ],
    ]);
    const view = await t.json<{ launch: { status: string; phase: string } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(view.body.launch).toMatchObject({ status: 'running', phase: 'canary' });
    status = 200;
    await t.server.controller.lookOnce();
    expect((await decisions(id))[1]).toEqual([
      'release-hold',
      `readiness check "${CHECK}" passes again (GET ${url} answered 200): releasing the hold`,
    ]);
  });
});
