/**
 * Launches that move traffic at a real HAProxy, through a real Threshold server
 * (a real Prometheus answers the KPIs' queries): plans refused before they run,
 * a share applied and confirmed apart from the decision that set it, HAProxy
 * killed and restarted mid-launch and the share re-applied, a rollback retried
 * until HAProxy confirms 0%, and on PostgreSQL a second replica that takes the
 * lease and re-applies what the first could not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, createToken } from '@threshold/server';
import type { RunningServer } from '@threshold/server';
import type { RouterStanding } from '@threshold/core';
import pg from 'pg';
import { TEST_DATABASE_URL, silentLogger, startTestServer } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import {
  HAVE_PROMETHEUS,
  startPrometheus,
  startTestService,
} from '../sources/prometheus-harness.js';
import type { TestPrometheus, TestService } from '../sources/prometheus-harness.js';
import { HAVE_HAPROXY, sendRequests, startHaproxy, startUpstream } from './haproxy-harness.js';
import type { TestHaproxy, Upstream } from './haproxy-harness.js';

const PLAN = `launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - name: errors
      kind: ratio
      source: prometheus
      step: 1s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code=~"5.."}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.05 }
      on_breach: rollback
signoff: { roles: { product: 1 } }
router: { name: edge, service: web, arms: { treatment: web-v2, control: web-v1 } }
`;

interface LogEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: string;
}

const HEALTHY = { rps: 20, errorRate: 0, latency: 0.05 };

let v1: Upstream;
let v2: Upstream;
let haproxy: TestHaproxy;
let service: TestService;
let prom: TestPrometheus;

async function startParts(): Promise<void> {
  v1 = await startUpstream('web-v1');
  v2 = await startUpstream('web-v2');
  haproxy = await startHaproxy(v1, v2);
  service = await startTestService({ treatment: HEALTHY, control: HEALTHY });
  prom = await startPrometheus(service.port);
}

async function stopParts(): Promise<void> {
  await prom?.close();
  await service?.close();
  await haproxy?.close();
  await v1?.close();
  await v2?.close();
}

/** The canary's share as HAProxy itself says (not through Threshold). */
async function heldShare(): Promise<number | null> {
  const out = await haproxy.runtime('get weight web/web-v2; get weight web/web-v1');
  const [t, c] = [...out.matchAll(/(\d+) \(initial/g)].map((m) => Number(m[1]));
  if (t === undefined || c === undefined || t + c === 0) return null;
  return t / (t + c);
}

/** The canary's share of 400 real requests through HAProxy's frontend. */
async function measuredShare(): Promise<number> {
  const counts = await sendRequests(haproxy.url, 400);
  return (counts['web-v2'] ?? 0) / 400;
}

const edge = () => [
  { name: 'edge', kind: 'haproxy' as const, address: haproxy.unixAddress, timeoutMs: 1000 },
];
const promSource = () => [
  { name: 'prometheus', kind: 'prometheus' as const, url: prom.url, timeoutMs: 2000 },
];

const routerEntries = (log: LogEvent[]) => log.filter((e) => e.type === 'router');
const decisionsOf = (log: LogEvent[]) => log.filter((e) => e.type === 'decision');

describe.skipIf(!HAVE_HAPROXY || !HAVE_PROMETHEUS)('launches routed through a real HAProxy', () => {
  let t: TestServer;

  beforeAll(async () => {
    await startParts();
    t = await startTestServer({ sources: promSource(), routers: edge() });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await stopParts();
  }, 60_000);

  const log = async (id: string) =>
    (await t.json<{ events: LogEvent[] }>('viewer', 'GET', `/api/v1/launches/${id}/events`)).body
      .events;
  /** Wait for the reconciliation a commit kicked off (calls for one launch run in order). */
  const settle = async (id: string) => {
    const launch = await t.server.store.getLaunch(id);
    if (launch !== undefined) await t.server.reconciler.reconcile(launch);
  };
  /** The API's router standing: in `state`, and what the log's decided share and router entries say. */
  const expectStanding = async (id: string, state: 'applied' | 'pending' | 'failing') => {
    const detail = await t.json<{
      launch: { share: number; seq: number };
      standing: { router: RouterStanding | null };
    }>('viewer', 'GET', `/api/v1/launches/${id}`);
    const r = detail.body.standing.router;
    const entries = routerEntries(await log(id)).filter((e) => e.seq <= detail.body.launch.seq);
    const applied = entries.filter((e) => e.data.status === 'applied').at(-1);
    expect(r).toMatchObject({
      name: 'edge',
      kind: 'haproxy',
      state,
      desired: detail.body.launch.share,
      applied: { seq: applied?.seq, traffic: applied?.data.traffic },
      reason:
        state === 'failing'
          ? entries.at(-1)?.data.reason
          : state === 'applied'
            ? null
            : expect.any(String),
    });
  };
  const look = async (id: string) => {
    await t.server.controller.lookAt(id);
    await settle(id);
  };

  it('refuses, at validate and at launch start, a router this server lacks, a server HAProxy lacks and a share it cannot set', async () => {
    const broken = PLAN.replace('launch: web-v2', 'launch: web-v3')
      .replace('traffic: 10%', 'traffic: 0.1%')
      .replace('treatment: web-v2', 'treatment: web-v3');
    const validated = await t.json<{
      error: { code: string; message: string; details: { errors: unknown[] } };
    }>('viewer', 'POST', '/api/v1/plans/validate', broken, { 'content-type': 'application/yaml' });
    expect(validated.status).toBe(422);
    expect(validated.body.error.message).toMatch(/2 problems with its traffic router/);
    expect(validated.body.error.details.errors).toEqual([
      {
        path: 'phases[0].traffic',
        line: 4,
        column: 30,
        message:
          'router edge (HAProxy) cannot set 0.1% exactly: its weights are whole numbers up to 256, so a share must be a fraction with a denominator of at most 256; the nearest it can set is 0.4%',
      },
      {
        path: 'router.arms.treatment',
        line: 17,
        column: 56,
        message: expect.stringMatching(
          /^haproxy at unix:\/.*admin\.sock has no server web-v3 in backend web$/,
        ),
      },
    ]);
    const elsewhere = PLAN.replace('launch: web-v2', 'launch: web-v4').replace(
      'name: edge',
      'name: mesh',
    );
    const up = await t.call('operator', 'POST', '/api/v1/plans', elsewhere, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
    const started = await t.json<{ error: { details: { errors: unknown[] } } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan: 'web-v4' },
    );
    expect(started.status).toBe(422);
    expect(started.body.error.details.errors).toEqual([
      {
        path: 'router.name',
        line: 17,
        column: 17,
        message:
          'router mesh is not configured on this server (add it to THRESHOLD_ROUTERS_FILE; configured: edge)',
      },
    ]);
  });

  it('applies each share apart from the decision, re-applies it after HAProxy is killed and restarted, and retries a rollback until HAProxy holds 0%', async () => {
    const up = await t.call('operator', 'POST', '/api/v1/plans', PLAN, {
      'content-type': 'application/yaml',
    });
    expect(up.status).toBe(201);
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'web-v2',
      },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;

    // Before the sign-off: 0%, which the config file's weights already are.
    await look(id);
    expect(routerEntries(await log(id)).map((e) => e.data.reason)).toEqual([
      expect.stringMatching(/already holds 0%$/),
    ]);

    // The sign-off: advance (decided), then 10% at HAProxy (applied), apart in the log.
    const approved = await t.call('approver:product', 'POST', `/api/v1/launches/${id}/approvals`, {
      role: 'product',
      decision: 'approve',
    });
    expect(approved.status).toBe(201);
    await look(id);
    let events = await log(id);
    const advance = decisionsOf(events).find((e) => e.data.type === 'advance');
    const applied = routerEntries(events).at(-1);
    expect(advance).toBeDefined();
    expect(applied?.data).toMatchObject({
      status: 'applied',
      router: 'edge',
      kind: 'haproxy',
      traffic: 0.1,
      decision: advance?.seq,
      weights: { treatment: 25, control: 225 },
      found: 0,
      latencyMs: expect.any(Number),
    });
    expect(applied?.seq).toBeGreaterThan(advance?.seq ?? 0);
    expect(await heldShare()).toBe(0.1);
    expect(Math.abs((await measuredShare()) - 0.1)).toBeLessThanOrEqual(0.02);

    // HAProxy dies: the next look cannot confirm 10% and holds, with the reason.
    await haproxy.kill();
    await look(id);
    await look(id);
    events = await log(id);
    const holds = decisionsOf(events).filter((e) => e.data.type === 'hold');
    expect(holds).toHaveLength(1);
    expect(holds[0]?.data).toMatchObject({ rule: 'router', hold: 'router' });
    expect(holds[0]?.data.reason).toMatch(
      /^the router has not confirmed 10% for the new version: haproxy at unix:\/.* is unreachable \((ECONNREFUSED|ENOENT)\)$/,
    );
    const failures = routerEntries(events).filter((e) => e.data.status === 'failed');
    expect(failures).toHaveLength(1);

    // Restarted, HAProxy serves its config file's weights again (0%): re-applied, then released.
    await haproxy.start();
    expect(await heldShare()).toBe(0);
    await look(id);
    events = await log(id);
    const reapplied = routerEntries(events).at(-1);
    expect(reapplied?.data).toMatchObject({ status: 'applied', traffic: 0.1, found: 0 });
    expect(reapplied?.data.reason).toMatch(
      /^re-applied 10% at haproxy at .*: it held 0% \(restarted, or changed by hand\)$/,
    );
    const release = decisionsOf(events).find((e) => e.data.type === 'release-hold');
    expect(release?.data.rule).toBe('router');
    // The order the log tells: decided, applied, failed, held, re-applied, released.
    const order = [
      advance?.seq,
      applied?.seq,
      failures[0]?.seq,
      holds[0]?.seq,
      reapplied?.seq,
      release?.seq,
    ];
    expect(order).toEqual([...order].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(await heldShare()).toBe(0.1);
    expect(Math.abs((await measuredShare()) - 0.1)).toBeLessThanOrEqual(0.02);
    await expectStanding(id, 'applied');

    // HAProxy stops answering but keeps its weights: failing, then, once it answers
    // again and still holds 10%, an applied entry says so (the log never stays "failing").
    haproxy.freeze();
    await look(id);
    await expectStanding(id, 'failing');
    haproxy.thaw();
    await look(id);
    events = await log(id);
    expect(routerEntries(events).at(-1)?.data).toMatchObject({
      status: 'applied',
      traffic: 0.1,
      reason: expect.stringMatching(/ holds 10% again$/),
    });
    await expectStanding(id, 'applied');
    // A rollback while HAProxy is down: retried at every pass until it holds 0%.
    await haproxy.kill();
    const rolled = await t.call('operator', 'POST', `/api/v1/launches/${id}/rollback`, {
      reason: 'checking the canary by hand',
    });
    expect(rolled.status).toBe(200);
    await t.server.reconciler.pass();
    await t.server.reconciler.pass();
    events = await log(id);
    const rollback = decisionsOf(events).find((e) => e.data.type === 'rollback');
    const rollbackFailures = routerEntries(events).filter(
      (e) => e.data.status === 'failed' && e.data.decision === rollback?.seq,
    );
    expect(rollbackFailures).toHaveLength(1);
    await haproxy.start();
    // As if its config file sent traffic to the canary: only the rollback's 0% may stand.
    await haproxy.runtime('set weight web/web-v2 128');
    await t.server.reconciler.pass();
    events = await log(id);
    expect(routerEntries(events).at(-1)?.data).toMatchObject({
      status: 'applied',
      traffic: 0,
      decision: rollback?.seq,
      weights: { treatment: 0, control: 256 },
    });
    expect(await heldShare()).toBe(0);
    expect(await measuredShare()).toBe(0);
    // Confirmed and finished: the router is the operator's again.
    await haproxy.runtime('set weight web/web-v2 1');
    await t.server.reconciler.pass();
    expect((await log(id)).length).toBe(events.length);
  }, 120_000);

  it('refuses a second live launch that would move the same service at the same router', async () => {
    const first = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'web-v2',
    });
    expect(first.status).toBe(201);
    const twin = PLAN.replace('launch: web-v2', 'launch: web-v5');
    expect(
      (
        await t.call('operator', 'POST', '/api/v1/plans', twin, {
          'content-type': 'application/yaml',
        })
      ).status,
    ).toBe(201);
    const second = await t.json<{ error: { code: string; message: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan: 'web-v5' },
    );
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('LAUNCH_ACTIVE');
    expect(second.body.error.message).toBe(
      `launch '${first.body.launch.id}' is moving web at router edge; roll it back or let it complete first`,
    );
    await t.call('operator', 'POST', `/api/v1/launches/${first.body.launch.id}/rollback`, {
      reason: 'cleanup',
    });
  });
});

describe.skipIf(!HAVE_HAPROXY || !HAVE_PROMETHEUS || TEST_DATABASE_URL === undefined)(
  'two replicas on PostgreSQL',
  () => {
    const schema = `routers_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    let a: RunningServer;
    let b: RunningServer;
    let freezeOnAdvance = false;

    beforeAll(async () => {
      await startParts();
      const common = {
        port: 0,
        logger: silentLogger(),
        databaseUrl: TEST_DATABASE_URL,
        databaseSchema: schema,
        outbox: false as const,
        sources: promSource(),
        routers: edge(),
      };
      // a's loops stay idle (the test looks by hand); right after it commits an advance,
      // HAProxy freezes, so the request that would apply it is lost.
      a = await startServer({
        ...common,
        controller: {
          lookIntervalMs: 3_600_000,
          onDecision: ({ decision }) => {
            if (decision.type === 'advance' && freezeOnAdvance) haproxy.freeze();
          },
        },
        routerIntervalMs: 3_600_000,
      });
      b = await startServer({ ...common, controller: false });
    }, 120_000);
    afterAll(async () => {
      await a?.close();
      await b?.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      await stopParts();
    }, 60_000);

    it('a replica that takes over the lease applies the share its predecessor decided but could not apply', async () => {
      const operator = (await createToken(a.store, { name: 'op', scopes: ['operator'] })).token;
      const approver = (await createToken(a.store, { name: 'pm', scopes: ['approver:product'] }))
        .token;
      const send = (
        url: string,
        token: string,
        path: string,
        body: unknown,
        type = 'application/json',
      ) =>
        fetch(url + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': type },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
      expect((await send(a.url, operator, '/api/v1/plans', PLAN, 'application/yaml')).status).toBe(
        201,
      );
      const started = await send(b.url, operator, '/api/v1/launches', { plan: 'web-v2' });
      expect(started.status).toBe(201);
      const id = ((await started.json()) as { launch: { id: string } }).launch.id;
      expect(await a.lease.acquire()).toBe(true);
      expect(await b.lease.acquire()).toBe(false);

      // Replica a confirms 0% before the sign-off.
      await a.controller.lookAt(id);
      // Then decides the advance; HAProxy freezes at that moment: the request is lost.
      expect(
        (
          await send(b.url, approver, `/api/v1/launches/${id}/approvals`, {
            role: 'product',
            decision: 'approve',
          })
        ).status,
      ).toBe(201);
      freezeOnAdvance = true;
      await a.controller.lookAt(id);
      const launch = await a.store.getLaunch(id);
      if (launch !== undefined) await a.reconciler.reconcile(launch);
      const events = await a.store.listLaunchEvents(id);
      const advance = events.find(
        (e) => e.type === 'decision' && (e.data as { type: string }).type === 'advance',
      );
      expect(advance).toBeDefined();
      expect(events.filter((e) => e.type === 'router').at(-1)?.data).toMatchObject({
        status: 'failed',
        traffic: 0.1,
        decision: advance?.seq,
        reason: expect.stringMatching(/timed out/),
      });

      // a goes away; HAProxy comes back at its config file's 0%; b takes the lease and applies 10%.
      await a.close();
      await haproxy.kill();
      await haproxy.start();
      let held = false;
      for (let i = 0; i < 50 && !held; i++) {
        held = await b.lease.acquire();
        if (!held) await new Promise((r) => setTimeout(r, 100));
      }
      expect(held).toBe(true);
      await b.reconciler.pass();
      const after = await b.store.listLaunchEvents(id);
      expect(after.filter((e) => e.type === 'router').at(-1)?.data).toMatchObject({
        status: 'applied',
        traffic: 0.1,
        decision: advance?.seq,
        found: 0,
      });
      expect(await heldShare()).toBe(0.1);
      // b's look now sees the share confirmed: no hold.
      await b.controller.lookAt(id);
      const holds = (await b.store.listLaunchEvents(id)).filter(
        (e) => e.type === 'decision' && (e.data as { type: string }).type === 'hold',
      );
      expect(holds).toEqual([]);
    }, 120_000);
  },
);
