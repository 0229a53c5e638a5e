/**
 * Automated readiness checks whose result CI posts (ADR 0042), live through
 * the real server on SQLite and PostgreSQL: with no result, a failed one or
 * one older than max_age, the start is refused naming the check and why; a
 * token holding the owner's role posts passed with its link and commit and
 * the launch starts; a failed result posted mid-launch holds the phase at
 * the controller's next look, and a passing one releases it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];

const CHECK = 'Contract tests green';
const H = 3_600_000;
const T0 = Date.parse('2026-11-02T10:00:00Z');

describe.each(databases)('a blocking ci: check on $name', ({ postgres }) => {
  let t: TestServer;
  let ci: { token: string };
  const clock = { now: T0 };

  beforeAll(async () => {
    t = await startTestServer({ postgres, now: () => clock.now });
    ci = await t.token('ci-payments', ['approver:qa']);
    const plan = `launch: posted
owner: payments
phases:
  - { name: canary, traffic: 5%, min_duration: 30m }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: pay_error, guard: { max_increase_abs: 0.01 }, on_breach: rollback }
readiness:
  - { check: ${CHECK}, owner: qa, ci: { max_age: 2h } }
`;
    const up = await t.call('operator', 'POST', '/api/v1/plans', plan, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const start = () =>
    t.json<ErrorBody & { launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'posted',
    });
  const post = (body: Record<string, unknown>, as: { token: string } = ci) =>
    t.json<ErrorBody & { result: { passed: boolean; commit: string | null } }>(
      as,
      'POST',
      '/api/v1/plans/posted/readiness/results',
      { check: CHECK, ...body },
    );
  const decisions = async (id: string) =>
    (
      await t.json<{
        events: { type: string; data: { rule?: string; type?: string; reason?: string } }[];
      }>('viewer', 'GET', `/api/v1/launches/${id}/events`)
    ).body.events
      .filter((e) => e.type === 'decision' && e.data.rule === 'readiness-check')
      .map((e) => [e.data.type, e.data.reason]);

  it('refuses the start with no result, a failed one or one older than max_age', async () => {
    const none = await start();
    expect(none.status).toBe(409);
    expect(none.body.error.details.blocking).toEqual([
      { check: CHECK, owner: 'qa', reason: 'ci: CI has posted no result' },
    ]);
    const other = await post({ passed: true }, await t.token('ci-web', ['approver:web']));
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain('posting its result needs scope approver:qa');
    const wrong = await post({ check: 'No such check', passed: true });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain(
      `body.check: 'No such check' is not a ci: readiness check of posted@1`,
    );
    const attest = await t.json<ErrorBody>(ci, 'POST', '/api/v1/plans/posted/readiness', {
      check: CHECK,
      note: 'trust me',
    });
    expect(attest.status).toBe(400);
    const failed = await post({
      passed: false,
      commit: 'abc123',
      link: 'https://ci.example/run/1',
    });
    expect(failed.status).toBe(201);
    expect(failed.body.result).toMatchObject({ passed: false, commit: 'abc123' });
    const refused = await start();
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.blocking).toEqual([
      {
        check: CHECK,
        owner: 'qa',
        reason: `ci: CI posted failed for abc123 at ${new Date(T0).toISOString()} (https://ci.example/run/1)`,
      },
    ]);
    expect((await post({ passed: true, commit: 'abc124' })).status).toBe(201);
    clock.now = T0 + 3 * H;
    const stale = await start();
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.blocking).toEqual([
      {
        check: CHECK,
        owner: 'qa',
        reason: `ci: CI posted passed for abc124 at ${new Date(T0).toISOString()}, older than max_age`,
      },
    ]);
  });

  it('starts on a fresh passing result; a failed one mid-launch holds the phase, a passing one releases it', async () => {
    expect((await post({ passed: true, commit: 'abc125' })).status).toBe(201);
    const checklist = await t.json<{ checks: { status: string; ci: unknown; result: unknown }[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/posted/readiness',
    );
    expect(checklist.body.checks).toEqual([
      expect.objectContaining({
        status: 'automated',
        ci: { maxAgeMs: 2 * H },
        result: expect.objectContaining({ passed: true, commit: 'abc125', actor: 'ci-payments' }),
      }),
    ]);
    const started = await start();
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    await t.server.controller.lookOnce();
    expect(await decisions(id)).toEqual([]);
    clock.now += 60_000;
    expect((await post({ passed: false, commit: 'abc126' })).status).toBe(201);
    await t.server.controller.lookOnce();
    const at = new Date(clock.now).toISOString();
    expect(await decisions(id)).toEqual([
      [
        'hold',
        `readiness check "${CHECK}" fails: CI posted failed for abc126 at ${at}; holding canary`,
      ],
    ]);
    clock.now += 60_000;
    expect((await post({ passed: true, commit: 'abc127' })).status).toBe(201);
    await t.server.controller.lookOnce();
    expect((await decisions(id))[1]).toEqual([
      'release-hold',
      `readiness check "${CHECK}" passes again (CI posted passed for abc127 at ${new Date(clock.now).toISOString()}): releasing the hold`,
    ]);
  });
});
