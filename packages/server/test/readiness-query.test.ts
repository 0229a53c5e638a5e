/**
 * Automated readiness checks of the query kind (ADR 0042), live: a blocking
 * check's PromQL is asked of a real Prometheus (scraping a test service whose
 * error rate the test switches) before the start — a value outside min/max
 * refuses it, naming the check, the value and the bound — and at every look
 * of the real controller, where it holds the phase with the reason and
 * releases once the value is back within bounds. A plan naming a source the
 * server lacks, or one that cannot answer a value, is refused by validate and at the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';
import {
  HAVE_PROMETHEUS,
  probe,
  startPrometheus,
  startTestService,
  waitForScrapes,
} from './sources/prometheus-harness.js';
import type { TestPrometheus, TestService } from './sources/prometheus-harness.js';

const CHECK = 'Ledger error rate low';
const PROMQL =
  'sum(rate(ledger_requests_total{arm="treatment",code="500"}[3s])) / sum(rate(ledger_requests_total{arm="treatment"}[3s]))';
const HEALTHY = { rps: 200, errorRate: 0, latency: 0.05 };
const FAILING = { rps: 200, errorRate: 0.2, latency: 0.05 };

const plan = (name: string, query: string) => `launch: ${name}
owner: payments
phases:
  - { name: canary, traffic: 5%, min_duration: 30m }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: pay_error, guard: { max_increase_abs: 0.01 }, on_breach: rollback }
readiness:
  - check: ${CHECK}
    owner: sre
    query: ${query}
`;

describe.skipIf(!HAVE_PROMETHEUS)('a blocking readiness query against a real Prometheus', () => {
  let t: TestServer;
  let service: TestService;
  let prom: TestPrometheus;

  /** Wait until Prometheus itself sees the error rate on the side of 0.01 the test wants. */
  async function rateIs(high: boolean): Promise<void> {
    for (;;) {
      const res = await probe(`${prom.url}/api/v1/query?query=${encodeURIComponent(PROMQL)}`);
      const v = Number(
        (JSON.parse(res.body) as { data: { result: { value: [number, string] }[] } }).data.result[0]
          ?.value[1] ?? 'NaN',
      );
      if (high ? v > 0.01 : v <= 0.01) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    service = await startTestService({ treatment: FAILING, control: HEALTHY });
    prom = await startPrometheus(service.port);
    await waitForScrapes(prom.url, 4);
    t = await startTestServer({
      sources: [{ name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 2000 }],
    });
    const up = await t.call(
      'operator',
      'POST',
      '/api/v1/plans',
      plan('queried', `{ promql: '${PROMQL}', max: 0.01 }`),
      { 'content-type': 'application/yaml' },
    );
    expect(up.status).toBe(201);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await prom?.close();
    await service?.close();
  });

  const decisions = async (id: string) =>
    (
      await t.json<{
        events: { type: string; data: { rule?: string; type?: string; reason?: string } }[];
      }>('viewer', 'GET', `/api/v1/launches/${id}/events`)
    ).body.events
      .filter((e) => e.type === 'decision' && e.data.rule === 'readiness-check')
      .map((e) => [e.data.type, e.data.reason]);

  it('refuses a plan whose query names a source the server lacks or one that answers no value', async () => {
    const missing = await t.json<ErrorBody>(
      'operator',
      'POST',
      '/api/v1/plans/validate',
      plan('nosource', `{ source: eu, promql: 'up', min: 1 }`),
      { 'content-type': 'application/yaml' },
    );
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toContain(
      'readiness[0].query.source: source eu is not configured on this server',
    );
    const events = await t.json<ErrorBody>(
      'operator',
      'POST',
      '/api/v1/plans/validate',
      plan('eventsource', `{ source: events, promql: 'up', min: 1 }`),
      { 'content-type': 'application/yaml' },
    );
    expect(events.status).toBe(422);
    expect(events.body.error.message).toContain(
      'source events is a events source; readiness queries ask a prometheus source',
    );
    const unbounded = await t.json<ErrorBody>(
      'operator',
      'POST',
      '/api/v1/plans',
      plan('unbounded', `{ promql: 'up' }`),
      { 'content-type': 'application/yaml' },
    );
    expect(unbounded.status).toBe(422);
    expect(unbounded.body.error.message).toContain(
      'needs min or max: the condition the value must meet',
    );
  });

  it('refuses the start while the value is outside its bound, naming the check and the value', async () => {
    await rateIs(true);
    const res = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'queried',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAUNCH_NOT_READY');
    const blocking = res.body.error.details.blocking as { check: string; reason: string }[];
    expect(blocking).toHaveLength(1);
    expect(blocking[0]?.check).toBe(CHECK);
    expect(blocking[0]?.reason).toMatch(/^query: .+ is 0\.\d+, expected ≤ 0\.01$/);
    const checklist = await t.json<{ checks: { status: string; query: unknown }[] }>(
      'viewer',
      'GET',
      '/api/v1/plans/queried/readiness',
    );
    expect(checklist.body.checks).toEqual([
      expect.objectContaining({
        status: 'automated',
        query: { source: 'prometheus', promql: PROMQL, min: null, max: 0.01 },
      }),
    ]);
    const attest = await t.json<ErrorBody>(
      await t.token('sre', ['approver:sre']),
      'POST',
      '/api/v1/plans/queried/readiness',
      { check: CHECK, note: 'trust me' },
    );
    expect(attest.status).toBe(400);
    expect(attest.body.error.message).toBe(
      `body.check: '${CHECK}' is checked by its query (source prometheus), not attested`,
    );
  });

  it('holds the phase with the value while it is outside its bound at a look, and releases when it is back', async () => {
    service.traffic = { treatment: HEALTHY, control: HEALTHY };
    await rateIs(false);
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'queried',
      },
    );
    expect(started.status).toBe(201);
    const id = started.body.launch.id;
    await t.server.controller.lookOnce();
    expect(await decisions(id)).toEqual([]);
    service.traffic = { treatment: FAILING, control: HEALTHY };
    await rateIs(true);
    await t.server.controller.lookOnce();
    const held = await decisions(id);
    expect(held).toHaveLength(1);
    expect(held[0]?.[0]).toBe('hold');
    expect(held[0]?.[1]).toMatch(
      new RegExp(
        `^readiness check "${CHECK}" fails: .+ is 0\\.\\d+, expected ≤ 0\\.01; holding canary$`,
      ),
    );
    const view = await t.json<{ launch: { status: string; phase: string } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(view.body.launch).toMatchObject({ status: 'running', phase: 'canary' });
    service.traffic = { treatment: HEALTHY, control: HEALTHY };
    await rateIs(false);
    await t.server.controller.lookOnce();
    const released = (await decisions(id))[1];
    expect(released?.[0]).toBe('release-hold');
    expect(released?.[1]).toMatch(
      new RegExp(
        `^readiness check "${CHECK}" passes again \\(.+ is [\\d.e-]+, ≤ 0\\.01\\): releasing the hold$`,
      ),
    );
  }, 60_000);
});
