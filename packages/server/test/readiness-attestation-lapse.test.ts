/**
 * An attestation that expires while a launch runs (ADR 0042): the controller's
 * next look holds the phase naming the check, who attested it and when it
 * lapsed, so the launch does not advance on stale evidence; the owner attests
 * again and the hold is released. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];

const CHECK = 'Support briefed';
const H = 3_600_000;
const T0 = Date.parse('2026-11-02T10:00:00Z');

describe.each(databases)('an attestation lapsing mid-launch on $name', ({ postgres }) => {
  let t: TestServer;
  let support: { token: string };
  const clock = { now: T0 };

  beforeAll(async () => {
    t = await startTestServer({ postgres, now: () => clock.now });
    support = await t.token('sue', ['approver:support']);
    const plan = `launch: lapsing
owner: payments
phases:
  - { name: canary, traffic: 5%, min_duration: 30m }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: pay_error, guard: { max_increase_abs: 0.01 }, on_breach: rollback }
readiness:
  - { check: ${CHECK}, owner: support }
`;
    const up = await t.call('operator', 'POST', '/api/v1/plans', plan, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const attest = (expiresAt: number) =>
    t.json(support, 'POST', '/api/v1/plans/lapsing/readiness', {
      check: CHECK,
      note: 'briefing held',
      expiresAt: new Date(expiresAt).toISOString(),
    });
  const decisions = async (id: string) =>
    (
      await t.json<{
        events: { type: string; data: { rule?: string; type?: string; reason?: string } }[];
      }>('viewer', 'GET', `/api/v1/launches/${id}/events`)
    ).body.events
      .filter((e) => e.type === 'decision' && e.data.rule === 'readiness-check')
      .map((e) => [e.data.type, e.data.reason]);

  it('holds the phase once the attestation lapses and releases when the owner attests again', async () => {
    expect((await attest(T0 + 2 * H)).status).toBe(201);
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'lapsing',
      },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    clock.now = T0 + H;
    await t.server.controller.lookOnce();
    expect(await decisions(id)).toEqual([]);
    clock.now = T0 + 3 * H;
    await t.server.controller.lookOnce();
    const lapsed = new Date(T0 + 2 * H).toISOString();
    expect(await decisions(id)).toEqual([
      [
        'hold',
        `readiness check "${CHECK}" fails: the attestation by sue expired ${lapsed}; support must attest it again; holding canary`,
      ],
    ]);
    const view = await t.json<{ launch: { status: string; phase: string } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(view.body.launch).toMatchObject({ status: 'running', phase: 'canary' });
    expect((await attest(T0 + 30 * H)).status).toBe(201);
    clock.now += 60_000;
    await t.server.controller.lookOnce();
    expect((await decisions(id))[1]).toEqual([
      'release-hold',
      `readiness check "${CHECK}" passes again (attested by sue until ${new Date(T0 + 30 * H).toISOString()}): releasing the hold`,
    ]);
  });
});
