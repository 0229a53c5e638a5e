/**
 * `threshold rehearse --history prometheus`: a real Prometheus scrapes a
 * prom-client service (the server tests' harness) for about 35 s; the history
 * pulled from it has one row per step at the levels the service produced, and a
 * rehearsal on it catches an injected regression. Refusals need no Prometheus.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '@threshold/core';
import type { History, Plan, RehearsalReport } from '@threshold/core';
import { readPrometheusHistory } from '@threshold/server';
import {
  HAVE_PROMETHEUS,
  startPrometheus,
  startTestService,
  waitForScrapes,
} from '../../server/test/sources/prometheus-harness.js';
import type { TestPrometheus, TestService } from '../../server/test/sources/prometheus-harness.js';
import { runCli } from './run-cli.js';

const ERRORS = 'sum(increase(ledger_requests_total{arm="{{arm}}",code=~"5.."}[{{interval}}]))';
const REQUESTS = 'sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))';
const PLAN = `
launch: ledger-history
owner: payments-platform
flag: ledger-history
unit: requestId
phases:
  - { name: canary, traffic: 10%, min_duration: 20s, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 20s, min_units: 0 }
kpis:
  operational-health:
    - name: availability_burn
      kind: slo-burn
      source: prometheus
      step: 2s
      numerator: ${ERRORS}
      denominator: ${REQUESTS}
      guard: { burn_rate: { slo: 99%, windows: [{ long: 8s, short: 4s, factor: 5 }] } }
      on_breach: rollback
      on_insufficient: hold
  efficiency:
    - name: cpu_per_request
      kind: mean
      source: prometheus
      step: 2s
      query: sum(increase(ledger_cpu_seconds_total{arm="{{arm}}"}[{{interval}}])) / ${REQUESTS}
      guard: { max: 0.01 }
      on_breach: hold
      on_insufficient: hold
  user-impact:
    - name: payment_errors
      kind: ratio
      source: prometheus
      step: 2s
      numerator: ${ERRORS}
      denominator: ${REQUESTS}
      guard: { max_increase_abs: 0.02 }
      on_breach: rollback
      on_insufficient: hold
`;

function column(h: History, name: string): Float64Array {
  const c = h.columns[name];
  if (c === undefined) throw new Error(`no column ${name}`);
  return c;
}
const total = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

let dir = '';
let planFile = '';
let plan: Plan;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'threshold-rehearse-prom-'));
  planFile = join(dir, 'ledger.yaml');
  writeFileSync(planFile, PLAN);
  const parsed = parsePlan(PLAN, { file: 'ledger.yaml' });
  if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
  plan = parsed.plan;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!HAVE_PROMETHEUS)('rehearse --history prometheus, on a real Prometheus', () => {
  let service: TestService;
  let prom: TestPrometheus;

  beforeAll(async () => {
    // 2 errors a second per arm: a rarer error falls between the two scrapes a 2 s step sees.
    const arm = { rps: 100, errorRate: 0.02, latency: 0.05 };
    service = await startTestService({ treatment: { ...arm }, control: { ...arm } });
    prom = await startPrometheus(service.port);
    // 30 s of history (--from 30s) and a few scrapes before it.
    await waitForScrapes(prom.url, 36);
  }, 120_000);
  afterAll(async () => {
    await prom?.close();
    await service?.close();
  }, 60_000);

  it('pulls one row per step at the levels the service produced (both arms together)', async () => {
    const h = await readPrometheusHistory(plan, {
      url: prom.url,
      fromMs: 30_000,
      unitsQuery: REQUESTS,
    });
    expect(h.intervalMs).toBe(2000);
    expect(h.length).toBe(15);
    expect(h.units).toHaveLength(15);
    // 2 arms × 100 requests/s × 2 s; increase() extrapolates, and a step may miss a scrape.
    const filled = [...h.units].filter((u) => u > 0);
    expect(filled.length).toBeGreaterThanOrEqual(12);
    const perStep = total(h.units) / filled.length;
    expect(perStep).toBeGreaterThan(300);
    expect(perStep).toBeLessThan(500);
    const errorRate =
      total(column(h, 'payment_errors.num')) / total(column(h, 'payment_errors.den'));
    expect(errorRate).toBeGreaterThan(0.01);
    expect(errorRate).toBeLessThan(0.04);
    // Each request is one unit: the denominator is the units, row by row.
    const den = column(h, 'payment_errors.den');
    for (let i = 0; i < h.length; i++) expect(den[i]).toBeCloseTo(h.units[i] as number, 0);
    const bad = column(h, 'availability_burn.bad');
    expect(bad.every((b) => Number.isInteger(b))).toBe(true);
    expect(total(bad) / total(column(h, 'availability_burn.total'))).toBeCloseTo(errorRate, 2);
    const cpu = total(column(h, 'cpu_per_request.sum')) / total(column(h, 'cpu_per_request.units'));
    expect(cpu).toBeGreaterThan(0.0015);
    expect(cpu).toBeLessThan(0.0025);
    // A per-unit spread: Σy² ≥ (Σy)²/n on every row, so the sampler's variance is never negative.
    const sq = column(h, 'payment_errors.num_sq');
    const num = column(h, 'payment_errors.num');
    for (let i = 0; i < h.length; i++)
      if ((h.units[i] as number) > 0)
        expect(sq[i]).toBeGreaterThanOrEqual(
          (num[i] as number) ** 2 / (h.units[i] as number) - 1e-9,
        );
  });

  it('rehearses the plan on it and catches an injected regression (the CLI)', async () => {
    const r = await runCli([
      'rehearse',
      planFile,
      '--history',
      'prometheus',
      '--prometheus',
      prom.url,
      '--from',
      '30s',
      '--units-query',
      REQUESTS,
      '--inject',
      'payment_errors=+0.05',
      '--look-interval',
      '2s',
      '--max-duration',
      '2m',
      '--runs',
      '40',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as RehearsalReport;
    expect(report.history.kind).toBe('history');
    expect(report.history.source).toContain(prom.url);
    expect(report.history.intervalMs).toBe(2000);
    const level = report.history.kpis.find((k) => k.kpi === 'payment_errors');
    expect(level?.value).toBeGreaterThan(0.01);
    expect(level?.value).toBeLessThan(0.04);
    const injected = report.injections[0];
    expect(injected?.label).toBe('payment_errors=+0.05');
    expect(injected?.caught.rate).toBeGreaterThanOrEqual(0.9);
    expect(report.clean.falseRollback.rate).toBeLessThan(0.2);
  }, 120_000);

  it('names the query that failed', async () => {
    const r = await runCli([
      'rehearse',
      planFile,
      '--history',
      'prometheus',
      '--prometheus',
      prom.url,
      '--from',
      '30s',
      '--units-query',
      'sum(rate(x[',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /KPI units: its --units-query failed: prometheus at .* rejected the query/,
    );
  });
});

describe('rehearse --history prometheus, refusals', () => {
  it('refuses an events KPI, naming it, before asking Prometheus', async () => {
    const r = await runCli([
      'rehearse',
      'examples/checkout-web.yaml',
      '--history',
      'prometheus',
      '--prometheus',
      'http://127.0.0.1:1',
      '--from',
      '1h',
      '--traffic',
      '100/min',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /KPI \S+ reads events, and a Prometheus history has only Prometheus KPIs/,
    );
    expect(r.stderr).toContain('✗ cannot rehearse with a Prometheus history');
  });

  it('refuses a quantile KPI and a query that needs a launch, naming each', async () => {
    const variant = PLAN.replace('kind: mean', 'kind: quantile\n      q: 0.99').replace(
      'arm="{{arm}}",code',
      'arm="{{arm}}",phase="{{phase}}",code',
    );
    const parsed = parsePlan(variant, { file: 'variant.yaml' });
    if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
    const pulled = readPrometheusHistory(parsed.plan, {
      url: 'http://127.0.0.1:1',
      fromMs: 3_600_000,
      unitsPerMinute: 100,
    });
    await expect(pulled).rejects.toThrow(/KPI cpu_per_request is a quantile/);
    await expect(pulled).rejects.toThrow(
      /KPI availability_burn: its numerator uses \{\{launch\}\} or \{\{phase\}\}/,
    );
  });

  it('needs --from and the units per step; its options need --history prometheus', async () => {
    const base = ['rehearse', planFile, '--history', 'prometheus'];
    expect((await runCli([...base, '--traffic', '10/s'])).stderr).toMatch(/needs --from DURATION/);
    expect((await runCli([...base, '--from', '1h'])).stderr).toMatch(
      /--units-query PROMQL or --traffic RATE/,
    );
    const stray = await runCli(['rehearse', planFile, '--traffic', '10/s', '--from', '1h']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--from belongs to --history prometheus/);
  });
});
