/**
 * examples/search-ranking-signoff.yaml, the shipped file, launched live (issue 12,
 * item 8): a real server over HTTP whose controller reads the plan's three kinds
 * of evidence from where they live — the product KPIs from a real SDK client's
 * exposures and track() events (the events endpoint), search latency and
 * availability from a real Prometheus scraping the search service's per-arm
 * metrics every 125 ms, and ranking cost from a real local HTTP server standing
 * in for the FinOps API (the http source). Only the plan's durations differ from
 * the file (ADR 0023). Five departments sign off through the API with their
 * quorums, never the person who started the launch.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { plannedSplit } from '@threshold/core';
import type { ThresholdClient } from '@threshold/sdk';
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

const FLAG = 'search-ltr-ranking';

/**
 * A healthy search service: 4,000 searches a second per arm, 0.02% errors,
 * ~400 ms. Enough requests that most half-second intervals hold an error, so the
 * burn rate's overdispersion estimate has neighbours to compare and trims the
 * level shift of a regression away.
 */
const HEALTHY: ArmLoad = { rps: 4000, errorRate: 0.0002, latency: 0.4 };

/**
 * Users per arm each phase brings (at least its min_units): enough that the
 * zero-result rate's 0.005 margin can be proven with no zero results at all, and,
 * in half, a baseline large enough for the comparisons at 100%.
 */
const USERS: Record<string, number> = {
  internal: 320,
  canary: 3100,
  early: 600,
  half: 1500,
  full: 1500,
};

/** One user's ranking cost as the FinOps API records it. */
interface Cost {
  arm: 'treatment' | 'control';
  at: number;
  cost: number;
}

/** The FinOps API: per-arm sums of the users' ranking cost since a time. */
async function startFinops(costs: Cost[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://finops');
    if (u.pathname !== '/api/search/cost') {
      res.writeHead(404).end();
      return;
    }
    const arm = u.searchParams.get('arm');
    const since = Date.parse(u.searchParams.get('since') ?? '');
    const sums = { units: 0, sum: 0, sum_squares: 0 };
    for (const c of costs)
      if (c.arm === arm && c.at >= since) {
        sums.units++;
        sums.sum += c.cost;
        sums.sum_squares += c.cost * c.cost;
      }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ cost: sums }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, server };
}

if (!HAVE_PROMETHEUS) {
  describe.skip('examples/search-ranking-signoff.yaml live (needs Prometheus)', () => {
    it('needs /usr/bin/prometheus', () => {});
  });
} else {
  const example = loadExample('search-ranking-signoff');
  const costs: Cost[] = [];
  let service: ExampleService;
  let prom: TestPrometheus;
  let finops: { url: string; server: Server };
  let t: TestServer;
  let client: ThresholdClient;
  const people: Record<string, string> = {};

  beforeAll(async () => {
    service = await startExampleService('search');
    prom = await startPrometheus(service.port, undefined, { scrapeInterval: SCRAPE_INTERVAL });
    await waitForScrapes(prom.url, 3);
    finops = await startFinops(costs);
    t = await startTestServer({
      controller: { lookIntervalMs: 3_600_000, lookRecordIntervalMs: 10 },
      projectIntervalMs: 3_600_000,
      sources: [
        { name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 5000 },
        { name: 'http', kind: 'http', url: finops.url, timeoutMs: 5000 },
      ],
    });
    // The search lead uploads and starts the launch (an engineer too, but not for this launch).
    people['lead'] = (await t.token('search-lead', ['operator', 'approver:engineering'])).token;
    const roles: [string, string][] = [
      ['eng-dana', 'engineering'],
      ['sec-erin', 'security'],
      ['prod-frank', 'product'],
      ['support-gina', 'support'],
      ['sre-hank', 'sre'],
      ['sre-ivy', 'sre'],
    ];
    for (const [name, role] of roles)
      people[name] = (await t.token(name, [`approver:${role}`])).token;
    client = await exampleClient(t, 'search-backend', 2_000_000);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await t?.close();
    await prom?.close();
    await service?.close();
    finops?.server.closeAllConnections();
    await new Promise<void>((r) => (finops === undefined ? r() : finops.server.close(() => r())));
  }, 60_000);

  const lead = () => ({ token: people['lead'] ?? '' });
  const tokenOf = (name: string) => people[name] ?? '';

  /**
   * A phase's users search through the SDK: employees only in internal (the
   * phase's audience), everyone after. Users behave alike in both arms — half of
   * their searches clicked, none without results, four in five ask support about
   * search (a rate the internal phase's 320 users can judge within 15%; see the
   * test's report) — and each costs about 0.4 mUSD to rank.
   */
  async function users(phase: string, perArm: number, counted: boolean): Promise<void> {
    const salt = randomBytes(3).toString('hex');
    const searches = phase === 'internal' ? 4 : 2;
    await assignUnits(
      client,
      FLAG,
      { treatment: perArm, control: counted ? perArm : 0 },
      (i) => ({
        userId: `${phase}-${salt}-${i}`,
        email: phase === 'internal' ? `emp${i}@example.com` : `user${i}@mail.example.org`,
      }),
      (unit, arm, i) => {
        for (let s = 0; s < searches; s++) client.track(unit, 'search_performed');
        for (let s = 0; s < searches / 2; s++) client.track(unit, 'search_result_clicked');
        if (i % 5 !== 0) client.track(unit, 'support_contact_search');
        costs.push({ arm, at: Date.now(), cost: 0.0004 * (0.9 + 0.05 * (i % 5)) });
      },
    );
    await settle(client, t);
  }

  async function start(): Promise<LaunchDriver> {
    // A failed run must not leave its launch active (one active launch per flag).
    for (const l of await t.server.store.listLaunches({ status: ['running', 'paused'] }))
      await t.call('operator', 'POST', `/api/v1/launches/${l.id}/rollback`, { reason: 'cleanup' });
    const res = await t.json<{ launch: { id: string } }>(lead(), 'POST', '/api/v1/launches', {
      plan: FLAG,
    });
    expect(res.status).toBe(201);
    return new LaunchDriver(t, res.body.launch.id, {
      engineering: [tokenOf('eng-dana')],
      security: [tokenOf('sec-erin')],
      product: [tokenOf('prod-frank')],
      support: [tokenOf('support-gina')],
      sre: [tokenOf('sre-hank'), tokenOf('sre-ivy')],
    });
  }

  /** Bring a phase's traffic: the service's arms as the split has them, and the phase's users. */
  async function enterPhase(driver: LaunchDriver, phase: string, traffic: number): Promise<number> {
    await whenServing(client, driver.id, phase);
    const counted = plannedSplit(example.plan, traffic).control > 0;
    await service.setArms({ treatment: HEALTHY, control: counted ? HEALTHY : null });
    await users(phase, USERS[phase] ?? 1000, counted);
    const launch = await t.server.store.getLaunch(driver.id);
    return Date.parse(launch?.phaseStartedAt ?? '');
  }

  describe('examples/search-ranking-signoff.yaml, live on events, Prometheus and http', () => {
    it('is the shipped file with only its durations compressed', () => {
      expect(differencesBeyondDurations(example.shipped, example.plan, EXAMPLE_CLOCKS)).toEqual([]);
      // The default burn-rate windows are compressed too: 1h/5m becomes 30s/2.5s.
      const burn = example.plan.kpis['operational-health']?.[1];
      expect(burn?.guard.burn_rate?.windows[0]).toEqual({
        long: 30_000,
        short: 2500,
        factor: 14.4,
      });
    });

    it('waits for its readiness attestations, then advances through every phase with five departments signing off, and completes', async () => {
      const { driver, seen, moves } = await driveShippedExample({
        t,
        example,
        plan: FLAG,
        starter: lead(),
        attestations: [
          [
            'Offline evaluation beats BM25 on NDCG@10 by 3%',
            'engineering',
            'eng-dana',
            'Offline eval 2026-11: +3.4%',
          ],
          [
            'Load test at 3x peak search traffic passed',
            'sre',
            'sre-hank',
            'Load test ltr-3x passed',
          ],
          [
            'Data protection impact assessment approved',
            'security',
            'sec-erin',
            'DPIA-2026-031 approved',
          ],
          [
            'Runbook for ranking rollback reviewed',
            'sre',
            'sre-ivy',
            'RB-311 reviewed on 2026-11-28',
          ],
        ].map(([check = '', owner = '', who = '', note = '']) => ({
          check,
          owner,
          by: { token: tokenOf(who) },
          note,
        })),
        selfApproval: { role: 'engineering', phase: 'canary' },
        start,
        enterPhase,
        failOn: ['rollback', 'pause', 'hold', 'ask', 'extend', 'signoff-expired'],
      });
      expect(moves.map((d) => (d.type === 'advance' ? d.toPhase : d.type))).toEqual([
        'canary',
        'early',
        'half',
        'full',
        'complete',
      ]);
      for (const d of moves.slice(0, 4)) {
        expect(d.rule).toBe('signoff-quorum');
        expect(d.reason).toMatch(/6 of 6 guards pass/);
      }
      expect(moves.at(-1)?.reason).toMatch(
        /^completed after a .* bake: .*6 of 6 guards pass \(comparisons against the control arm of half\)/,
      );
      const asked = seen.flatMap((d) =>
        d.type === 'request-signoff'
          ? [[d.forPhase, d.roles.map((r) => `${r.role}×${r.quorum}`)]]
          : [],
      );
      expect(asked).toEqual([
        ['canary', ['engineering×1', 'security×1']],
        ['early', ['product×1', 'support×1']],
        ['half', ['product×1', 'sre×2']],
        ['full', ['engineering×1', 'product×1', 'sre×2']],
      ]);
      // Each KPI was judged from its own source.
      const guards = moves[0]?.evidence.guards ?? [];
      expect(
        Object.fromEntries(guards.map((g) => [g.kpi, `${g.source?.kind} ${g.source?.basis}`])),
      ).toEqual({
        search_success: 'events per-unit',
        zero_result_rate: 'events per-unit',
        support_contacts: 'events per-unit',
        search_latency_p99: 'prometheus per-interval',
        search_availability: 'prometheus request-counts',
        ranking_cost_per_query: 'http per-unit',
      });
      expect((await t.server.store.getLaunch(driver.id))?.status).toBe('completed');
    }, 900_000);

    it('rolls back within two looks of errors in the treatment arm, with the PromQL in the decision', async () => {
      const driver = await start();
      await whenServing(client, driver.id, 'internal');
      await service.setArms({ treatment: HEALTHY, control: HEALTHY });
      const launch = await t.server.store.getLaunch(driver.id);
      await pause(Math.max(0, Date.parse(launch?.phaseStartedAt ?? '') + EVIDENCE_MS - Date.now()));
      await driver.lookUntil(
        'the burn-rate guard passes',
        (o) => verdictIn(o.look, 'search_availability') === 'pass',
        { maxLooks: 60, stop: (d) => d.type === 'rollback' },
      );
      // The new ranking starts timing out: half the searches fail, the rest take a second.
      const before = await errors();
      await service.setArms({ treatment: { ...HEALTHY, errorRate: 0.5, latency: 1 } });
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
      const burn = rollback?.evidence.guards?.find((g) => g.kpi === 'search_availability');
      expect(burn?.verdict).toBe('breach');
      expect(burn?.source?.kind).toBe('prometheus');
      expect(Object.values(burn?.source?.queries ?? {}).join('\n')).toContain(
        'sum(increase(search_requests_total{arm="treatment",code=~"5.."}[',
      );
      expect((await t.server.store.getLaunch(driver.id))?.status).toBe('rolled-back');
      console.log(`search example: rolled back ${looks} look(s) after the errors were visible`);
    }, 300_000);
  });

  /** Treatment 5xx responses Prometheus holds so far. */
  function errors(): Promise<number> {
    return promSum(prom.url, 'sum(search_requests_total{arm="treatment",code="500"})');
  }
}
