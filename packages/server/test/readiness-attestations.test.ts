/**
 * Attested readiness: a blocking check lets a launch start only with a live
 * attestation by someone holding the owner's role; an expired one blocks the
 * start and the refusal names it. SQLite and PostgreSQL, with the server's clock
 * moved by the test (no waiting).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_READY_PLAN } from './support/plans.js';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];

interface Check {
  check: string;
  owner: string;
  blocking: boolean;
  status: string;
  attestation: { actor: string; note: string; link: string | null; expiresAt: string } | null;
}

const HOUR = 60 * 60 * 1000;
const LOAD_TEST = 'Load test at 3x peak passed';

describe.each(databases)('attested readiness on $name', ({ postgres }) => {
  let t: TestServer;
  let clock = Date.parse('2026-12-01T09:00:00Z');
  let sre: { token: string };
  let product: { token: string };

  const attest = (who: { token: string } | 'viewer', body: Record<string, unknown>) =>
    t.json<ErrorBody & { checks: Check[] }>(who, 'POST', '/api/v1/plans/not-ready/readiness', body);
  const start = () =>
    t.json<ErrorBody & { launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'not-ready',
    });

  beforeAll(async () => {
    t = await startTestServer({ postgres, now: () => clock });
    sre = await t.token('sre-sam', ['approver:sre']);
    product = await t.token('pm-pat', ['approver:product']);
    const up = await t.call('operator', 'POST', '/api/v1/plans', NOT_READY_PLAN, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('refuses a start while a blocking check is not attested, naming it', async () => {
    const res = await start();
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAUNCH_NOT_READY');
    expect(res.body.error.details.blocking).toEqual([
      { check: LOAD_TEST, owner: 'sre', reason: 'not attested by sre' },
    ]);
    const list = await t.json<{ checks: Check[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/not-ready/readiness',
    );
    expect(list.body.checks.map((c) => [c.check, c.status])).toEqual([
      [LOAD_TEST, 'missing'],
      ['Runbook reviewed', 'missing'],
    ]);
  });

  it("only the check owner's role may attest, with a note, and an expiry in the future", async () => {
    const viewer = await attest('viewer', { check: LOAD_TEST, note: 'ok' });
    expect(viewer.status).toBe(403);
    const wrong = await attest(product, { check: LOAD_TEST, note: 'ok' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toBe(
      `'${LOAD_TEST}' is owned by sre: attesting it needs scope approver:sre; this caller has approver:product`,
    );
    const unknown = await attest(sre, { check: 'No such check', note: 'ok' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(
      /^body\.check: 'No such check' is not a readiness check/,
    );
    const noNote = await attest(sre, { check: LOAD_TEST });
    expect(noNote.status).toBe(400);
    const past = await attest(sre, {
      check: LOAD_TEST,
      note: 'ok',
      expiresAt: new Date(clock - HOUR).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toMatch(/^body\.expiresAt:/);
  });

  it('an expired attestation blocks the start, naming who attested and when it lapsed', async () => {
    const made = await attest(sre, {
      check: LOAD_TEST,
      note: 'k6 run 4812: p99 180 ms at 3x',
      link: 'https://ci.example.com/runs/4812',
      expiresAt: new Date(clock + HOUR).toISOString(),
    });
    expect(made.status).toBe(201);
    expect(made.body.checks[0]).toMatchObject({
      status: 'attested',
      attestation: { actor: 'sre-sam', note: 'k6 run 4812: p99 180 ms at 3x' },
    });
    clock += 2 * HOUR;
    const res = await start();
    expect(res.status).toBe(409);
    expect(res.body.error.details.blocking).toEqual([
      {
        check: LOAD_TEST,
        owner: 'sre',
        reason: 'attested by sre-sam on 2026-12-01T09:00:00.000Z, expired 2026-12-01T10:00:00.000Z',
      },
    ]);
    expect(res.body.error.message).toContain('expired 2026-12-01T10:00:00.000Z');
  });

  it('a fresh attestation lets it start; the launch shows the checklist with who attested what', async () => {
    expect((await attest(sre, { check: LOAD_TEST, note: 'k6 run 4901 passed' })).status).toBe(201);
    const res = await start();
    expect(res.status).toBe(201);
    const view = await t.json<{ readiness: Check[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${res.body.launch.id}`,
    );
    expect(view.body.readiness[0]).toMatchObject({
      check: LOAD_TEST,
      status: 'attested',
      attestation: { actor: 'sre-sam', note: 'k6 run 4901 passed', link: null },
    });
    const audit = await t.json<{ entries: { action: string }[] }>(
      'admin',
      'GET',
      '/api/v1/audit?action=readiness.attested',
    );
    expect(audit.body.entries).toHaveLength(2);
  });
});
