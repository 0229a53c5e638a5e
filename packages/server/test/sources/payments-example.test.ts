/**
 * examples/payments-migration.yaml, the shipped file, launched live (issue 12,
 * item 8): a real server over HTTP whose controller reads a real Prometheus
 * (scraping the ledger service's per-arm metrics every 125 ms) and real
 * PostgreSQL (the reconciliation KPI's warehouse tables), while a real SDK
 * client in the API gateway assigns checkout sessions. Only the plan's durations
 * differ from the file, compressed on the test's clocks (ADR 0023), and the test
 * checks that. Readiness, sign-offs (with their quorums, by people other than the
 * one who started the launch) and every phase go through the API; the test looks
 * at the launch itself, so looks are counted, never timed.
 */
import { randomBytes } from 'node:crypto';
import { plannedSplit } from '@threshold/core';
import type { ThresholdClient } from '@threshold/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differencesBeyondDurations } from '../support/compress-durations.js';
import { startTestServer } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import {
  EVIDENCE_MS,
  EXAMPLE_CLOCKS,
  LaunchDriver,
  SCRAPE_INTERVAL,
  assignUnits,
  loadExample,
  pause,
  settle,
  startExampleService,
  verdictIn,
  whenServing,
} from './example-harness.js';
import type { ArmLoad, ExampleService } from './example-harness.js';
import { driveShippedExample, exampleClient, promSum } from './drive-shipped-example.js';
import { HAVE_PROMETHEUS, startPrometheus, waitForScrapes } from './prometheus-harness.js';
import type { TestPrometheus } from './prometheus-harness.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];
const FLAG = 'ledger-go';
const LAUNCH = 'ledger-go-migration';

/**
 * A healthy ledger: 4,000 requests a second per arm, 0.02% errors, ~50 ms writes,
 * 98.5% of payments go through. Enough requests that most half-second intervals
 * hold an error, so the burn rate's overdispersion estimate has neighbours to
 * compare and trims the level shift of a regression away.
 */
const HEALTHY: ArmLoad = {
  rps: 4000,
  errorRate: 0.0002,
  latency: 0.05,
  cpuPerRequest: 0.002,
  dbConnections: 120,
  paymentsPerSecond: 4000,
  paymentFailureRate: 0.015,
};

/**
 * Sessions per arm the gateway sends through each phase: the phase's min_units,
 * and at least 1,000 so the reconciliation limit (0.005 a session) can be proven.
 */
const SESSIONS: Record<string, number> = {
  canary: 1000,
  small: 5000,
  tenth: 1000,
  half: 1000,
  full: 1000,
};

if (!HAVE_PROMETHEUS || url === undefined || url === '') {
  if (url === undefined || url === '')
    console.warn(
      'payments example SKIPPED: its reconciliation KPI reads PostgreSQL; set THRESHOLD_TEST_DATABASE_URL=postgres://… to run it',
    );
  describe.skip('examples/payments-migration.yaml live (needs Prometheus and PostgreSQL)', () => {
    it('needs /usr/bin/prometheus and THRESHOLD_TEST_DATABASE_URL', () => {});
  });
} else {
  const schema = `thr_payments_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  const example = loadExample('payments-migration');
  let service: ExampleService;
  let prom: TestPrometheus;
  let t: TestServer;
  let client: ThresholdClient;
  const people: Record<string, string> = {};

  /** The warehouse reads the example's unqualified tables from this run's schema. */
  const warehouseUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(
      `CREATE TABLE ${schema}.ledger_sessions (launch text, session_id text, arm text, started_at timestamptz DEFAULT now())`,
    );
    await admin.query(`CREATE TABLE ${schema}.recon_mismatches (session_id text, entry_id text)`);
    service = await startExampleService('payments');
    prom = await startPrometheus(service.port, undefined, { scrapeInterval: SCRAPE_INTERVAL });
    await waitForScrapes(prom.url, 3);
    t = await startTestServer({
      controller: { lookIntervalMs: 3_600_000, lookRecordIntervalMs: 10 },
      projectIntervalMs: 3_600_000,
      sources: [
        { name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 5000 },
        { name: 'sql', kind: 'sql', url: warehouseUrl, timeoutMs: 5000 },
      ],
    });
    // The payments lead uploads and starts the launch (and could approve as sre, but not this launch).
    people['lead'] = (await t.token('payments-lead', ['operator', 'approver:sre'])).token;
    for (const name of ['sre-alice', 'sre-bob'])
      people[name] = (await t.token(name, ['approver:sre'])).token;
    people['payments-carol'] = (await t.token('payments-carol', ['approver:payments'])).token;
    client = await exampleClient(t, 'ledger-gateway', 100_000);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await t?.close();
    await prom?.close();
    await service?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }, 60_000);

  const lead = () => ({ token: people['lead'] ?? '' });

  /** The gateway's checkout sessions for the current phase: SDK exposures, and a warehouse row each. */
  async function sessions(phase: string, perArm: number, counted: boolean): Promise<void> {
    const rows: { id: string[]; arm: string[] } = { id: [], arm: [] };
    const salt = randomBytes(3).toString('hex');
    await assignUnits(
      client,
      FLAG,
      { treatment: perArm, control: counted ? perArm : 0 },
      // A tenth of the sessions belong to enterprise tenants, outside the canary's audience.
      (i) => ({
        sessionId: `${phase}-${salt}-${i}`,
        tenant_tier: i % 10 === 0 ? 'enterprise' : 'pro',
      }),
      (unit, arm) => {
        rows.id.push(unit);
        rows.arm.push(arm);
      },
    );
    for (let at = 0; at < rows.id.length; at += 10_000)
      await admin.query(
        `INSERT INTO ${schema}.ledger_sessions (launch, session_id, arm) SELECT $1, * FROM unnest($2::text[], $3::text[])`,
        [LAUNCH, rows.id.slice(at, at + 10_000), rows.arm.slice(at, at + 10_000)],
      );
    await settle(client, t);
  }

  /** The lead starts a launch of the uploaded plan; the driver's sign-offs come from the role holders. */
  async function start(): Promise<LaunchDriver> {
    // A failed run must not leave its launch active (one active launch per flag).
    for (const l of await t.server.store.listLaunches({ status: ['running', 'paused'] }))
      await t.call('operator', 'POST', `/api/v1/launches/${l.id}/rollback`, { reason: 'cleanup' });
    const res = await t.json<{ launch: { id: string } }>(lead(), 'POST', '/api/v1/launches', {
      plan: LAUNCH,
    });
    expect(res.status).toBe(201);
    return new LaunchDriver(t, res.body.launch.id, {
      sre: [people['sre-alice'] ?? '', people['sre-bob'] ?? ''],
      payments: [people['payments-carol'] ?? ''],
    });
  }

  /** Bring a phase's traffic: the service's arms as the split has them, and the gateway's sessions. */
  async function enterPhase(driver: LaunchDriver, phase: string, traffic: number): Promise<number> {
    await whenServing(client, driver.id, phase);
    const counted = plannedSplit(example.plan, traffic).control > 0;
    await service.setArms({ treatment: HEALTHY, control: counted ? HEALTHY : null });
    await sessions(phase, SESSIONS[phase] ?? 1000, counted);
    const launch = await t.server.store.getLaunch(driver.id);
    return Date.parse(launch?.phaseStartedAt ?? '');
  }

  describe('examples/payments-migration.yaml, live on Prometheus and PostgreSQL', () => {
    it('is the shipped file with only its durations compressed', () => {
      expect(differencesBeyondDurations(example.shipped, example.plan, EXAMPLE_CLOCKS)).toEqual([]);
      // What the compression gives: a 1-minute step is half a second, the 3-day bake 7.2 s.
      const burn = example.plan.kpis['operational-health']?.[0];
      expect(burn?.step).toBe(500);
      expect(example.plan.phases.map((p) => p.bake ?? p.min_duration)).toEqual([
        100, 400, 1200, 2400, 7200,
      ]);
    });

    it('waits for its readiness attestations, then advances through every phase with its sign-offs and completes', async () => {
      const { driver, seen, moves } = await driveShippedExample({
        t,
        example,
        plan: LAUNCH,
        starter: lead(),
        attestations: [
          {
            check: 'Dual-write reconciliation ran clean for 7 days in staging',
            owner: 'payments',
            by: { token: people['payments-carol'] ?? '' },
            note: 'Recon dashboard clean 2026-11-13..20',
          },
          {
            check: 'Rollback drill done (flag off drains to ledger-java in under 1 minute)',
            owner: 'sre',
            by: { token: people['sre-alice'] ?? '' },
            note: 'Drill 2026-11-12: drained in 38 s, runbook RB-217',
          },
          {
            check: 'Capacity plan for 2x peak on the Go service',
            owner: 'sre',
            by: { token: people['sre-bob'] ?? '' },
            note: 'CAP-88: ledger-go holds 2.4x peak (load test 2026-11-20)',
          },
        ],
        // The lead could approve as sre, but not this launch.
        selfApproval: { role: 'sre', phase: 'tenth' },
        start,
        enterPhase,
        failOn: ['rollback', 'pause', 'hold', 'ask', 'signoff-expired'],
      });
      expect(moves.map((d) => (d.type === 'advance' ? d.toPhase : d.type))).toEqual([
        'small',
        'tenth',
        'half',
        'full',
        'complete',
      ]);
      // Each advance judged every KPI: six guards pass, none of them left without a verdict.
      for (const d of moves.slice(0, 3)) expect(d.reason).toMatch(/6 of 6 guards pass/);
      // At 100% the comparisons are judged against the half phase's control arm, read from Prometheus.
      expect(moves.at(-1)?.reason).toMatch(
        /^completed after a .* bake: .*6 of 6 guards pass \(comparisons against the control arm of half\)/,
      );
      // The sign-offs were asked for and given: two SREs for tenth, two SREs and payments for half.
      const asked = seen.filter((d) => d.type === 'request-signoff');
      expect(
        asked.map((d) =>
          d.type === 'request-signoff'
            ? [d.forPhase, d.roles.map((r) => `${r.role}×${r.quorum}`)]
            : [],
        ),
      ).toEqual([
        ['tenth', ['sre×2']],
        ['half', ['sre×2', 'payments×1']],
      ]);
      expect(moves[1]?.rule).toBe('signoff-quorum');
      // Every guard says where its evidence came from, and how many samples it is.
      const guards = moves[0]?.evidence.guards ?? [];
      expect(
        Object.fromEntries(guards.map((g) => [g.kpi, `${g.source?.kind} ${g.source?.basis}`])),
      ).toEqual({
        availability_burn: 'prometheus request-counts',
        p99_write_latency: 'prometheus per-interval',
        reconciliation_mismatches: 'sql per-unit',
        cpu_per_request: 'prometheus per-interval',
        db_connections: 'prometheus per-interval-limit',
        payment_success: 'prometheus per-interval',
      });
      expect((await t.server.store.getLaunch(driver.id))?.status).toBe('completed');
    }, 600_000);

    it('rolls back within two looks of errors in the treatment arm, with the PromQL in the decision', async () => {
      const driver = await start();
      const phaseStart = await enterPhase(driver, 'canary', 0.001);
      await pause(Math.max(0, phaseStart + EVIDENCE_MS - Date.now()));
      // Healthy first: the burn-rate guard has seen enough requests to clear its factor-1 window.
      await driver.lookUntil(
        'the burn-rate guard passes',
        (o) => verdictIn(o.look, 'availability_burn') === 'pass',
        { maxLooks: 60, stop: (d) => d.type === 'rollback' },
      );
      // The Go service starts failing half of its ledger writes (and the payments behind them).
      const before = await errors();
      await service.setArms({
        treatment: { ...HEALTHY, errorRate: 0.5, paymentFailureRate: 0.5, latency: 0.3 },
      });
      // Count looks from the moment Prometheus holds a second of the errors.
      for (let i = 0; (await errors()) < before + HEALTHY.rps * 0.5; i++) {
        if (i > 300) throw new Error('Prometheus never held the injected errors');
        await pause(100);
      }
      const looks = await driver.lookUntil(
        'a rollback',
        (o) => o.decisions.some((d) => d.type === 'rollback'),
        { maxLooks: 10 },
      );
      expect(looks).toBeLessThanOrEqual(2);
      const rollback = driver.decisions.find((d) => d.type === 'rollback');
      expect(rollback?.rule).toBe('guard-breach');
      const burn = rollback?.evidence.guards?.find((g) => g.kpi === 'availability_burn');
      expect(burn?.verdict).toBe('breach');
      expect(burn?.source?.kind).toBe('prometheus');
      expect(Object.values(burn?.source?.queries ?? {}).join('\n')).toContain(
        'sum(increase(ledger_requests_total{arm="treatment",code=~"5.."}[',
      );
      expect((await t.server.store.getLaunch(driver.id))?.status).toBe('rolled-back');
      console.log(`payments example: rolled back ${looks} look(s) after the errors were visible`);
      await service.setArms({ treatment: HEALTHY });
    }, 300_000);
  });

  /** Treatment 5xx responses Prometheus holds so far. */
  function errors(): Promise<number> {
    return promSum(prom.url, 'sum(ledger_requests_total{arm="treatment",code="500"})');
  }
}
