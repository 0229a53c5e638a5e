/**
 * Recorded rehearsals over HTTP (ADR 0041), on SQLite and PostgreSQL: a
 * rehearsal of a stored plan version is kept (compact: each scenario's ends
 * with intervals) with a `rehearsal.recorded` audit entry, one of a plan sent
 * as text is not; a launch's report lists the rehearsals of its version made
 * before it started and says whether the newest predicted the outcome; the
 * portfolio's rate counts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchReport, RehearsalRecord } from '@threshold/server';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

const yaml = { 'content-type': 'application/yaml' };

const PLAN = `launch: rehearsed
owner: web-checkout
unit: userId
phases:
  - { name: canary, traffic: 5%, min_duration: 30m, min_units: 10 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% }, on_breach: rollback }
`;

const REHEARSAL = {
  plan: { name: 'rehearsed' },
  profile: { unitsPerMinute: 200, durationMs: 86_400_000 },
  runs: 20,
  injections: ['error_rate=+200%'],
};

const targets: { name: string; postgres: boolean }[] = [{ name: 'SQLite', postgres: false }];
if (TEST_DATABASE_URL !== undefined) targets.push({ name: 'PostgreSQL', postgres: true });
else
  console.warn('rehearsal records on PostgreSQL SKIPPED: THRESHOLD_TEST_DATABASE_URL is not set');

describe.each(targets)('recorded rehearsals over HTTP on $name', ({ postgres }) => {
  let t: TestServer;
  let rehearsed = '';
  let unrehearsed = '';
  let recorded = 0;

  beforeAll(async () => {
    t = await startTestServer({ postgres });
    expect((await t.call('operator', 'POST', '/api/v1/plans', PLAN, yaml)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('records a rehearsal of a stored version with its audit entry; a plan sent as text is not recorded', async () => {
    const res = await t.json<{ recorded: number | null; plan: { version: number } }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      REHEARSAL,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.recorded).toEqual(expect.any(Number));
    recorded = res.body.recorded ?? 0;
    const inline = await t.json<{ recorded: number | null }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      {
        ...REHEARSAL,
        plan: undefined,
        planSource: PLAN,
      },
    );
    expect(inline.status).toBe(200);
    expect(inline.body.recorded).toBeNull();

    const list = await t.json<{ rehearsals: RehearsalRecord[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/rehearsed/rehearsals',
    );
    expect(list.status).toBe(200);
    expect(list.body.rehearsals).toHaveLength(1);
    const r = list.body.rehearsals[0];
    expect(r).toMatchObject({
      id: recorded,
      planName: 'rehearsed',
      planVersion: 1,
      actor: 'viewer',
      settings: { source: 'synthetic', runs: 20, unitsPerMinute: 200, via: 'api' },
    });
    expect(r?.scenarios.map((s) => [s.label, s.runs])).toEqual([
      ['clean', 20],
      ['error_rate=+200%', 20],
    ]);
    for (const s of r?.scenarios ?? []) {
      const sum = s.caught.rate + s.stoppedForNothing.rate + s.shipped.rate + s.stalled.rate;
      expect(sum).toBeCloseTo(1, 6);
      expect(s.shipped.low).toBeLessThanOrEqual(s.shipped.rate);
      expect(s.shipped.high).toBeGreaterThanOrEqual(s.shipped.rate);
    }
    expect(r?.scenarios[1]?.effects).toEqual([
      { kpi: 'error_rate', size: 2, relative: true, fromPhase: null },
    ]);
    const audit = await t.json<{ entries: { seq: number; actor: string; subject: string }[] }>(
      'viewer',
      'GET',
      '/api/v1/audit?action=rehearsal.recorded',
    );
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ seq: r?.auditSeq, actor: 'viewer', subject: 'plan:rehearsed' }),
    ]);
    const other = await t.json<{ rehearsals: unknown[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/rehearsed/rehearsals?version=2',
    );
    expect(other.body.rehearsals).toEqual([]);
    expect((await t.call('viewer', 'GET', '/api/v1/plans/nope/rehearsals')).status).toBe(404);
  });

  it('a launch report lists the rehearsals of its version made before it, and scores the newest', async () => {
    const a = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'rehearsed',
    });
    rehearsed = a.body.launch.id;
    // Made after the launch started: not part of its record.
    const late = await t.json<{ recorded: number }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      REHEARSAL,
    );
    expect(late.status).toBe(200);
    const running = (
      await t.json<LaunchReport>('viewer', 'GET', `/api/v1/launches/${rehearsed}/report`)
    ).body;
    expect(running.rehearsals.list.map((x) => x.id)).toEqual([recorded]);
    expect(running.rehearsals.predicted).toBeNull();
    expect(running.rehearsals.note).toContain('cannot be scored yet');

    // Rolled back by hand, not on a KPI breach: the rehearsal did not predict it.
    expect(
      (
        await t.call('operator', 'POST', `/api/v1/launches/${rehearsed}/rollback`, {
          reason: 'support saw errors',
        })
      ).status,
    ).toBe(200);
    const r = (await t.json<LaunchReport>('viewer', 'GET', `/api/v1/launches/${rehearsed}/report`))
      .body;
    expect(r.rehearsals.predicted).toBe(false);
    expect(r.rehearsals.rule).toContain('caught with probability at least 50%');
    expect(r.rehearsals.list[0]?.scenarios.map((s) => s.label)).toEqual([
      'clean',
      'error_rate=+200%',
    ]);
    expect(r.rehearsals.list[0]?.settings).toBe(
      '20 runs, seed 1, synthetic traffic at 200 units/min (via api)',
    );
    const md = await (
      await t.call('viewer', 'GET', `/api/v1/launches/${rehearsed}/report/markdown`)
    ).text();
    expect(md).toContain('did not predict the outcome');
    expect(md).toContain('error_rate=+200% (20 runs)');

    // Version 2 was never rehearsed: unknown.
    const v2 = PLAN.replace('traffic: 5%', 'traffic: 10%');
    expect((await t.call('operator', 'POST', '/api/v1/plans', v2, yaml)).status).toBe(201);
    const b = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'rehearsed',
    });
    unrehearsed = b.body.launch.id;
    await t.call('operator', 'POST', `/api/v1/launches/${unrehearsed}/rollback`, { reason: 'x' });
    const u = (
      await t.json<LaunchReport>('viewer', 'GET', `/api/v1/launches/${unrehearsed}/report`)
    ).body;
    expect(u.rehearsals.list).toEqual([]);
    expect(u.rehearsals.predicted).toBeNull();
    expect(u.rehearsals.note).toContain('No rehearsal of rehearsed version 2');
  });

  it('the portfolio scores the launches whose prediction is known', async () => {
    const p = await t.json<{
      overall: { rehearsalAccuracy: number | null };
      launches: { id: string; rehearsalPredicted: boolean | null }[];
      rehearsals: string;
    }>('viewer', 'GET', '/api/v1/portfolio');
    expect(p.status).toBe(200);
    expect(p.body.launches.find((l) => l.id === rehearsed)?.rehearsalPredicted).toBe(false);
    expect(p.body.launches.find((l) => l.id === unrehearsed)?.rehearsalPredicted).toBeNull();
    expect(p.body.overall.rehearsalAccuracy).toBe(0);
    expect(p.body.rehearsals).toContain('newest rehearsal of the launched plan version');
  });
});
