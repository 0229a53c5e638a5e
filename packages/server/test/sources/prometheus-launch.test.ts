/**
 * End to end on real parts: a real Prometheus scrapes a prom-client service with
 * per-arm counters and a histogram; a real Threshold server reads it through the
 * Prometheus source while a launch of a plan like examples/payments-migration.yaml
 * (short phases) runs. The test drives the controller's looks itself (one every
 * 2 s), so "within two looks" is counted, not timed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '@threshold/core';
import { startTestServer } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import {
  HAVE_PROMETHEUS,
  startPrometheus,
  startTestService,
  waitForScrapes,
} from './prometheus-harness.js';
import type { ArmTraffic, TestPrometheus, TestService } from './prometheus-harness.js';

const PLAN = `
launch: ledger-e2e
owner: payments-platform
flag: ledger-e2e
unit: sessionId
phases:
  - { name: canary, traffic: 10%, min_duration: 20s, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 20s, min_units: 0 }
kpis:
  operational-health:
    - name: availability_burn
      kind: slo-burn
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code=~"5.."}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { burn_rate: { slo: 99%, windows: [{ long: 8s, short: 4s, factor: 5 }] } }
      on_breach: rollback
      on_insufficient: hold
    - name: p99_write_latency
      kind: quantile
      q: 0.99
      source: prometheus
      step: 2s
      query: histogram_quantile(0.99, sum by (le) (increase(ledger_write_seconds_bucket{arm="{{arm}}"}[{{interval}}])))
      guard: { max_increase: 50%, max: 0.5 }
      on_breach: pause
      on_insufficient: hold
  efficiency:
    - name: cpu_per_request
      kind: mean
      source: prometheus
      step: 2s
      query: sum(increase(ledger_cpu_seconds_total{arm="{{arm}}"}[{{interval}}])) / sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max: 0.01 }
      on_breach: hold
      on_insufficient: hold
  user-impact:
    - name: payment_errors
      kind: ratio
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code=~"5.."}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.02 }
      on_breach: rollback
      on_insufficient: hold
`;

const HEALTHY: ArmTraffic = { rps: 100, errorRate: 0.005, latency: 0.05 };
const LOOK_EVERY_MS = 2000;

interface LogEvent {
  seq: number;
  type: string;
  data: unknown;
}
interface LookKpiView {
  kpi: string;
  verdict: string;
  reason: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_PROMETHEUS)('a launch judged on a real Prometheus', () => {
  let service: TestService;
  let prom: TestPrometheus;
  let t: TestServer;

  beforeAll(async () => {
    // Looks are recorded every time, so the test can read each look's verdicts.
    process.env['THRESHOLD_LOOK_RECORD_INTERVAL_MS'] = '10';
    service = await startTestService({ treatment: { ...HEALTHY }, control: { ...HEALTHY } });
    prom = await startPrometheus(service.port);
    await waitForScrapes(prom.url, 3);
    t = await startTestServer({
      sources: [{ name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 2000 }],
    });
    const uploaded = await t.call('operator', 'POST', '/api/v1/plans', PLAN, {
      'content-type': 'application/yaml',
    });
    expect(uploaded.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await prom?.close();
    await service?.close();
  }, 60_000);

  async function start(): Promise<string> {
    const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'ledger-e2e',
    });
    expect(res.status).toBe(201);
    return res.body.launch.id;
  }

  async function events(id: string): Promise<LogEvent[]> {
    const res = await t.json<{ events: LogEvent[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}/events`,
    );
    return res.body.events;
  }

  async function decisions(id: string): Promise<Decision[]> {
    return (await events(id)).filter((e) => e.type === 'decision').map((e) => e.data as Decision);
  }

  async function lastLook(id: string): Promise<LookKpiView[]> {
    const res = await t.json<{ looks: { kpis: LookKpiView[] }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}/looks?limit=1`,
    );
    return res.body.looks.at(-1)?.kpis ?? [];
  }

  /** Look every 2 s until `done` says so; returns the number of looks taken. */
  async function lookUntil(
    what: string,
    done: () => Promise<boolean>,
    maxLooks: number,
  ): Promise<number> {
    for (let n = 1; n <= maxLooks; n++) {
      await sleep(LOOK_EVERY_MS);
      await t.server.controller.lookOnce();
      if (await done()) return n;
    }
    const id = (await t.json<{ launches: { id: string }[] }>('viewer', 'GET', '/api/v1/launches'))
      .body.launches[0]?.id;
    const seen = id === undefined ? [] : await decisions(id);
    const kpis = id === undefined ? [] : await lastLook(id);
    throw new Error(
      `not reached after ${maxLooks} looks: ${what}; decisions: ${seen.map((d) => `${d.type}: ${d.reason}`).join(' | ')}; last look: ${kpis.map((k) => `${k.kpi} ${k.verdict}: ${k.reason}`).join(' | ')}`,
    );
  }

  it('advances through its phases on healthy data, holds while Prometheus is down, and goes on when it returns', async () => {
    const id = await start();
    await lookUntil(
      'canary advances to full',
      async () => (await decisions(id)).some((d) => d.type === 'advance'),
      90,
    );
    const advance = (await decisions(id)).find((d) => d.type === 'advance');
    expect(advance?.reason).toMatch(/4 of 4 guards pass/);
    // Each verdict says what one sample was: intervals, or request counts for the burn rate.
    const guards = advance?.evidence.guards ?? [];
    expect(Object.fromEntries(guards.map((g) => [g.kpi, g.source?.basis]))).toEqual({
      availability_burn: 'request-counts',
      cpu_per_request: 'per-interval-limit',
      p99_write_latency: 'per-interval',
      payment_errors: 'per-interval',
    });
    expect(guards.every((g) => g.source?.kind === 'prometheus')).toBe(true);

    await prom.stop();
    await lookUntil(
      'a hold with the reason Prometheus is unreachable',
      async () =>
        (await decisions(id)).some(
          (d) => d.type === 'hold' && /prometheus at http.* is unreachable/.test(d.reason),
        ),
      40,
    );
    const hold = (await decisions(id)).find((d) => d.type === 'hold');
    expect(hold?.rule).toBe('insufficient-evidence');
    expect((await decisions(id)).some((d) => d.type === 'complete')).toBe(false);
    const detail = await t.json<{ sources: { name: string; state: string; lastError?: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(detail.body.sources).toEqual([
      expect.objectContaining({ name: 'prometheus', state: 'failing' }),
    ]);
    const status = await promisify(execFile)(
      process.execPath,
      [CLI, 'launch', 'status', id, '--server', t.url, '--token', t.tokens.viewer ?? ''],
      { encoding: 'utf8' },
    );
    expect(status.stdout).toMatch(
      /^source: {2}prometheus at http:\/\/127\.0\.0\.1:\d+: FAILING, last query .* ago \(prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)\)$/m,
    );
    const metrics = await (await t.call('viewer', 'GET', '/metrics')).text();
    expect(metrics).toMatch(
      /threshold_source_errors_total\{source="prometheus",reason="unreachable"\} [1-9]/,
    );
    expect(metrics).toMatch(/threshold_source_up\{source="prometheus"\} 0/);

    await prom.start();
    await lookUntil(
      'the launch completes',
      async () => (await decisions(id)).some((d) => d.type === 'complete'),
      60,
    );
    const types = (await decisions(id)).map((d) => d.type);
    expect(types).toContain('release-hold');
    expect(types.indexOf('complete')).toBeGreaterThan(types.indexOf('release-hold'));
    expect(types).not.toContain('rollback');
    expect(
      (await t.call('viewer', 'GET', '/metrics').then((r) => r.text())).match(
        /threshold_source_up\{source="prometheus"\} 1/,
      ),
    ).not.toBeNull();
  }, 400_000);

  it('refuses, at validate and at launch start, a plan whose source is missing or whose PromQL does not parse', async () => {
    const lines = BROKEN.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const expected = [
      {
        path: 'kpis.efficiency[0].query',
        line: lineOf('ledger_cpu_seconds_total'),
        column: 14,
        message: expect.stringMatching(
          /^PromQL parse error: .*\(at line 1, column \d+ of the query\)$/,
        ),
      },
      {
        path: 'kpis.user-impact[0].source_name',
        line: lineOf('source_name: prometheus-eu'),
        column: 20,
        message:
          'source prometheus-eu is not configured on this server (add it to THRESHOLD_SOURCES_FILE)',
      },
    ];
    const validated = await t.json<{ error: { code: string; details: { errors: unknown[] } } }>(
      'viewer',
      'POST',
      '/api/v1/plans/validate',
      BROKEN,
      { 'content-type': 'application/yaml' },
    );
    expect(validated.status).toBe(422);
    expect(validated.body.error.code).toBe('PLAN_INVALID');
    expect(validated.body.error.details.errors).toEqual(expected);

    // Uploading keeps working (sources may be configured later); starting does not.
    const uploaded = await t.call('operator', 'POST', '/api/v1/plans', BROKEN, {
      'content-type': 'application/yaml',
    });
    expect(uploaded.status).toBe(201);
    const started = await t.json<{ error: { code: string; details: { errors: unknown[] } } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan: 'ledger-broken' },
    );
    expect(started.status).toBe(422);
    expect(started.body.error.details.errors).toEqual(expected);
    const launches = await t.json<{ launches: { plan: string }[] }>(
      'viewer',
      'GET',
      '/api/v1/launches',
    );
    expect(launches.body.launches.some((l) => l.plan === 'ledger-broken')).toBe(false);

    // The CLI prints the same problems at FILE:LINE:COL.
    const dir = mkdtempSync(join(tmpdir(), 'threshold-validate-'));
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(file, BROKEN);
      const run = await promisify(execFile)(
        process.execPath,
        [CLI, 'validate', file, '--server', t.url, '--token', t.tokens.viewer ?? ''],
        { encoding: 'utf8' },
      ).catch((err: { stdout: string; stderr: string; code: number }) => err);
      expect('code' in run ? run.code : 0).toBe(1);
      expect(run.stdout).toContain(
        `${file}:${lineOf('ledger_cpu_seconds_total')}:14: kpis.efficiency[0].query: PromQL parse error`,
      );
      expect(run.stdout).toContain(
        `${file}:${lineOf('source_name: prometheus-eu')}:20: kpis.user-impact[0].source_name: source prometheus-eu is not configured`,
      );
      const good = join(dir, 'good.yaml');
      writeFileSync(good, PLAN);
      const ok = await promisify(execFile)(
        process.execPath,
        [CLI, 'validate', good, '--server', t.url, '--token', t.tokens.viewer ?? ''],
        { encoding: 'utf8' },
      );
      expect(ok.stderr).toBe('✓ 1 plan valid\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls back within two looks of errors injected into the treatment arm, with the PromQL evidence', async () => {
    service.traffic = { treatment: { ...HEALTHY }, control: { ...HEALTHY } };
    const id = await start();
    await lookUntil(
      'the burn-rate guard passes',
      async () =>
        (await lastLook(id)).some((k) => k.kpi === 'availability_burn' && k.verdict === 'pass'),
      30,
    );
    const before = await promValue(
      prom.url,
      'sum(ledger_requests_total{arm="treatment",code="500"})',
    );
    service.traffic = { ...service.traffic, treatment: { ...HEALTHY, errorRate: 0.5 } };
    // Count looks from the moment Prometheus holds the errors (it scrapes every second).
    const deadline = Date.now() + 20_000;
    while (
      (await promValue(prom.url, 'sum(ledger_requests_total{arm="treatment",code="500"})')) <
      before + 20
    ) {
      if (Date.now() > deadline) throw new Error('prometheus never saw the errors');
      await sleep(200);
    }
    const looks = await lookUntil(
      'a rollback',
      async () => (await decisions(id)).some((d) => d.type === 'rollback'),
      10,
    );
    expect(looks).toBeLessThanOrEqual(2);
    const rollback = (await decisions(id)).find((d) => d.type === 'rollback');
    expect(rollback?.rule).toBe('guard-breach');
    const breached = (rollback?.evidence.guards ?? []).filter((g) => g.verdict === 'breach');
    expect(breached.length).toBeGreaterThan(0);
    for (const g of breached) {
      expect(g.source?.kind).toBe('prometheus');
      expect(Object.values(g.source?.queries ?? {}).join(' ')).toContain(
        'ledger_requests_total{arm="treatment",code=~"5.."}',
      );
    }
  }, 200_000);
});

const BROKEN = PLAN.replace('launch: ledger-e2e', 'launch: ledger-broken')
  .replace('flag: ledger-e2e', 'flag: ledger-broken')
  .replace(
    'query: sum(increase(ledger_cpu_seconds_total{arm="{{arm}}"}[{{interval}}]))',
    'query: sum(increase(ledger_cpu_seconds_total{arm="{{arm}}"}[{{interval}}])))',
  )
  .replace(
    '      kind: ratio\n      source: prometheus\n',
    '      kind: ratio\n      source: prometheus\n      source_name: prometheus-eu\n',
  );

const CLI = fileURLToPath(new URL('../../../cli/bin/threshold.js', import.meta.url));

async function promValue(url: string, query: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}
