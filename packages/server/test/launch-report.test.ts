/**
 * The launch record over HTTP (issue 18), on SQLite and PostgreSQL: the report's
 * JSON model and its Markdown and HTML renderings, the diff against the previous
 * launch of the same plan, operator actions with reasons, the post-launch review
 * (refused until the launch ends, checked against the risk register, written to
 * the log and the audit chain) and the audit head the report names verifying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchReport } from '@threshold/server';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const yaml = { 'content-type': 'application/yaml' };

const PLAN = `launch: record-demo
owner: web-checkout
unit: userId
phases:
  - { name: canary, traffic: 5%, min_duration: 30m, min_units: 10 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% }, on_breach: rollback }
  user-impact:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 5% }, on_breach: pause }
risks:
  - { id: R1, title: Payment errors under load, likelihood: 3, impact: 4, owner: payments-oncall, watch: [error_rate], contingency: [rollback] }
  - { id: R2, title: Cache stampede, likelihood: 2, impact: 3, owner: sre, watch: [], contingency: [] }
readiness:
  - { check: Load test at 3x peak, owner: sre, blocking: true, evidence: "https://ci.example/load/42" }
  - { check: Runbook reviewed, owner: sre, blocking: false }
`;

const targets: { name: string; postgres: boolean }[] = [{ name: 'SQLite', postgres: false }];
if (TEST_DATABASE_URL !== undefined) targets.push({ name: 'PostgreSQL', postgres: true });
else console.warn('launch report on PostgreSQL SKIPPED: THRESHOLD_TEST_DATABASE_URL is not set');

describe.each(targets)('launch record over HTTP on $name', ({ postgres }) => {
  let t: TestServer;
  let first = '';
  let second = '';
  const report = async (id: string) => {
    const res = await t.json<LaunchReport>('viewer', 'GET', `/api/v1/launches/${id}/report`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestServer({ postgres });
    expect((await t.call('operator', 'POST', '/api/v1/plans', PLAN, yaml)).status).toBe(201);
    // The blocking check's owner attests it (ADR 0036); the report shows who, as at the start.
    const sre = await t.token('sre-sam', ['approver:sre']);
    const attested = await t.call(sre, 'POST', '/api/v1/plans/record-demo/readiness', {
      check: 'Load test at 3x peak',
      note: 'Load test 42 held 3x peak',
    });
    expect(attested.status).toBe(201);
    const a = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'record-demo',
    });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    first = a.body.launch.id;
    const rolled = await t.call('operator', 'POST', `/api/v1/launches/${first}/rollback`, {
      reason: 'checkout errors reported by support',
    });
    expect(rolled.status).toBe(200);
    // Version 2 doubles the canary; the next launch's report shows the change.
    const v2 = PLAN.replace('traffic: 5%', 'traffic: 10%');
    expect((await t.call('operator', 'POST', '/api/v1/plans', v2, yaml)).status).toBe(201);
    const b = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'record-demo',
    });
    second = b.body.launch.id;
  });
  afterAll(async () => t?.close());

  it('refuses a review while the launch runs, and a risk id the plan lacks, writing nothing', async () => {
    const events = async (id: string) =>
      (await t.json<{ events: unknown[] }>('viewer', 'GET', `/api/v1/launches/${id}/events`)).body
        .events.length;
    const before = { second: await events(second), first: await events(first) };
    const running = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${second}/review`,
      {
        outcome: 'too early',
      },
    );
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('INVALID_TRANSITION');
    expect(running.body.error.message).toContain('after the launch ends');
    const unknownRisk = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${first}/review`,
      { outcome: 'x', materialized: ['R9'] },
    );
    expect(unknownRisk.status).toBe(400);
    expect(unknownRisk.body.error.message).toBe(
      "body.materialized.0: 'R9' is not a risk of plan record-demo@1 (its risks: R1, R2)",
    );
    const empty = await t.json<ErrorBody>('operator', 'POST', `/api/v1/launches/${first}/review`, {
      outcome: '  ',
    });
    expect(empty.body.error.message).toBe('body.outcome: must not be empty');
    const viewer = await t.call('viewer', 'POST', `/api/v1/launches/${first}/review`, {
      outcome: 'x',
    });
    expect(viewer.status).toBe(403);
    expect({ second: await events(second), first: await events(first) }).toEqual(before);
  });

  it('records the review in the log and the audit chain; the report compares it with the register', async () => {
    const res = await t.json<{ review: LaunchReport['review'] }>(
      'operator',
      'POST',
      `/api/v1/launches/${first}/review`,
      {
        outcome: 'Support saw checkout errors; rolled back by hand within minutes.',
        materialized: ['R1'],
        followUps: [{ what: 'Load-test the payment path at 5x', owner: 'payments-oncall' }],
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const audit = await t.json<{ entries: { seq: number; action: string; subject: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/audit?action=launch.reviewed&subject=launch:${first}`,
    );
    expect(audit.body.entries.map((e) => e.seq)).toEqual([res.body.review?.auditSeq]);

    const r = await report(first);
    expect(r.format).toBe('threshold.launch-report/1');
    expect(r.standing.state).toBe('rolled-back');
    expect(r.previous).toBeNull();
    expect(r.review?.outcome).toContain('rolled back by hand');
    expect(r.review?.followUps).toEqual([
      { what: 'Load-test the payment path at 5x', owner: 'payments-oncall', due: null },
    ]);
    expect(r.risks.risks.map((x) => [x.id, x.fired, x.materialized])).toEqual([
      ['R1', false, true],
      ['R2', false, false],
    ]);
    expect(r.operatorActions).toEqual([
      expect.objectContaining({
        actor: 'operator',
        action: 'rollback',
        reason: 'rolled back by operator: checkout errors reported by support',
      }),
    ]);
    expect(r.timeline.map((p) => [p.phase, p.outcome])).toEqual([
      ['canary', 'rolled-back'],
      ['full', 'not-reached'],
    ]);
    expect(r.timeline[1]?.plannedStartMs).toBe(30 * 60_000);
    expect(r.traffic.map((x) => x.share)).toEqual([0.05, 0]);
    expect(r.readiness).toEqual([
      {
        check: 'Load test at 3x peak',
        owner: 'sre',
        blocking: true,
        evidence: 'https://ci.example/load/42',
        status: 'attested',
        attestation: expect.objectContaining({
          actor: 'sre-sam',
          role: 'sre',
          note: 'Load test 42 held 3x peak',
        }) as unknown,
      },
      {
        check: 'Runbook reviewed',
        owner: 'sre',
        blocking: false,
        evidence: null,
        status: 'missing',
        attestation: null,
      },
    ]);
    expect(r.rehearsals.list).toEqual([]);
    expect(r.rehearsals.predicted).toBeNull();
    expect(r.audit.entries.map((e) => e.action)).toEqual([
      'launch.created',
      'launch.rolled-back',
      'launch.reviewed',
    ]);
  });

  it("names the previous launch of the plan and diffs the plan's versions", async () => {
    const r = await report(second);
    expect(r.plan.version).toBe(2);
    expect(r.previous).toMatchObject({
      launch: first,
      planVersion: 1,
      status: 'rolled-back',
      changed: true,
    });
    const changed = r.previous?.diff
      .filter((d) => d.kind !== 'same')
      .map((d) => `${d.kind} ${d.text.trim()}`);
    expect(changed).toEqual([
      'removed - { name: canary, traffic: 5%, min_duration: 30m, min_units: 10 }',
      'added - { name: canary, traffic: 10%, min_duration: 30m, min_units: 10 }',
    ]);
    expect(r.timeline[0]?.outcome).toBe('current');
    expect(r.review).toBeNull();
  });

  it('the audit head a report names verifies, and a made-up head does not', async () => {
    const r = await report(first);
    const head = r.audit.head;
    expect(head).not.toBeNull();
    const text = `${head?.seq}:${head?.hash}`;
    expect(r.audit.verify[0]).toContain(`/api/v1/audit/verify?expect_head=${text}`);
    const ok = await t.json<{ ok: boolean }>(
      'viewer',
      'GET',
      `/api/v1/audit/verify?expect_head=${text}`,
    );
    expect(ok.body.ok).toBe(true);
    const forged = await t.json<{ ok: boolean }>(
      'viewer',
      'GET',
      `/api/v1/audit/verify?expect_head=${head?.seq}:${'0'.repeat(64)}`,
    );
    expect(forged.body.ok).toBe(false);
    const bad = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/audit/verify?expect_head=12');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^query\.expect_head: must be SEQ:HASH/);
  });

  it('Markdown and HTML say what the JSON says; the HTML is self-contained', async () => {
    const r = await report(first);
    const md = await t.call('viewer', 'GET', `/api/v1/launches/${first}/report/markdown`);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    const mdText = await md.text();
    const html = await t.call('viewer', 'GET', `/api/v1/launches/${first}/report/html`);
    expect(html.headers.get('content-type')).toContain('text/html');
    const htmlText = await html.text();
    for (const text of [
      `# Launch report: ${first}`,
      r.standing.sentence,
      'rolled back by operator: checkout errors reported by support',
      'Load test at 3x peak',
      'No rehearsal of record-demo version 1 was recorded before the launch started',
      'Outcome: Support saw checkout errors',
      'Load-test the payment path at 5x',
      `${r.audit.head?.seq}:${r.audit.head?.hash}`,
    ]) {
      expect(mdText).toContain(text);
      expect(htmlText).toContain(text.replace('# ', ''));
    }
    expect(htmlText).toContain('<svg');
    expect(htmlText).not.toMatch(/<script|<link |src="http/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const missing = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/launches/nope/report/html');
    expect(missing.status).toBe(404);
  });

  it('the portfolio counts by team and time, and names a bad date', async () => {
    const p = await t.json<{
      overall: { launches: number; ended: number; rolledBack: number; rollbackRate: number | null };
      teams: { team: string; launches: number }[];
      trend: { start: string; launches: number }[];
      launches: { id: string; status: string; timeToRestoreMs: number | null }[];
    }>('viewer', 'GET', '/api/v1/portfolio?bucket=week');
    expect(p.status).toBe(200);
    expect(p.body.overall).toMatchObject({ launches: 2, ended: 1, rolledBack: 1, rollbackRate: 1 });
    expect(p.body.teams).toEqual([expect.objectContaining({ team: 'web-checkout', launches: 2 })]);
    expect(p.body.trend.map((b) => b.launches)).toEqual([2]);
    // A rollback by hand with no sign of a regression has no time to restore.
    expect(p.body.launches.find((l) => l.id === first)?.timeToRestoreMs).toBeNull();
    const none = await t.json<{ overall: { launches: number } }>(
      'viewer',
      'GET',
      '/api/v1/portfolio?team=nobody',
    );
    expect(none.body.overall.launches).toBe(0);
    const future = await t.json<{ overall: { launches: number } }>(
      'viewer',
      'GET',
      '/api/v1/portfolio?since=2999-01-01',
    );
    expect(future.body.overall.launches).toBe(0);
    const bad = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/portfolio?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('query.since: must be a date, e.g. 2026-12-01');
  });

  it("the plan's history reads its ended launches and says what nothing measured", async () => {
    const h = await t.json<{
      version: number;
      launches: { id: string; phase: string | null }[];
      kpis: { kpi: string; baseline: unknown; note: string | null; kind: string; source: string }[];
      profile: unknown;
    }>('viewer', 'GET', '/api/v1/plans/record-demo/history');
    expect(h.status).toBe(200);
    expect(h.body.version).toBe(2);
    // The running launch is not history yet.
    expect(h.body.launches.map((l) => [l.id, l.phase])).toEqual([[first, 'canary']]);
    // In the plan's category order: user-impact before operational-health.
    expect(h.body.kpis.map((k) => [k.kpi, k.kind, k.source, k.baseline, k.note])).toEqual([
      ['latency', 'mean', 'events', null, 'no past launch measured it'],
      ['error_rate', 'occurrence', 'events', null, 'no past launch measured it'],
    ]);
    // No exposures: no traffic, so no profile to default to.
    expect(h.body.profile).toBeNull();
    const missing = await t.json<ErrorBody>('viewer', 'GET', '/api/v1/plans/nope/history');
    expect(missing.status).toBe(404);
    const tooMany = await t.json<ErrorBody>(
      'viewer',
      'GET',
      '/api/v1/plans/record-demo/history?launches=21',
    );
    expect(tooMany.body.error.message).toBe('query.launches: must be at most 20');
  });

  it('a rehearsal profile takes KPI levels (as the history gives them), checked against the plan', async () => {
    const ok = await t.json<{ report: { detectableEffects: unknown[] } }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      {
        plan: { name: 'record-demo' },
        profile: {
          unitsPerMinute: 500,
          baselines: { error_rate: { value: 0.02 }, latency: { value: 120, sd: 40 } },
        },
        runs: 5,
      },
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const unknown = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      plan: { name: 'record-demo' },
      profile: { unitsPerMinute: 500, baselines: { conversion: { value: 0.02 } } },
      runs: 5,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'body.profile.baselines.conversion: the plan has no KPI conversion (it has latency, error_rate)',
    );
    const rate = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      plan: { name: 'record-demo' },
      profile: { unitsPerMinute: 500, baselines: { error_rate: { value: 2 } } },
      runs: 5,
    });
    expect(rate.body.error.message).toMatch(
      /^body\.profile\.baselines\.error_rate: a occurrence baseline is a rate from 0% to 100%/,
    );
  });
});
