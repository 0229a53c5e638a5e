/**
 * The Prometheus source under the metric-source contract, against a real
 * Prometheus scraping a real prom-client service, plus what only it does:
 * PromQL parse errors with positions, templating, and the overdispersion factor.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parsePlan } from '@threshold/core';
import type { Kpi } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { overdispersion } from '../../src/sources/overdispersion.js';
import { prometheusSource } from '../../src/sources/prometheus-source.js';
import {
  fillQuery,
  lineColumn,
  originalOffset,
  promDuration,
  promInterval,
} from '../../src/sources/promql-template.js';
import { metricSourceContract } from './metric-source-contract.js';
import {
  HAVE_PROMETHEUS,
  freePort,
  startPrometheus,
  startTestService,
  waitForScrapes,
} from './prometheus-harness.js';
import type { TestPrometheus, TestService } from './prometheus-harness.js';

const KPIS_YAML = `
launch: contract
owner: tests
phases: [{ name: canary, traffic: 1% }, { name: full, traffic: 100% }]
kpis:
  operational-health:
    - name: error_ratio
      kind: ratio
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code="500"}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.01 }
    - name: p95
      kind: quantile
      q: 0.95
      source: prometheus
      step: 2s
      query: histogram_quantile(0.95, sum by (le) (increase(ledger_write_seconds_bucket{arm="{{arm}}"}[{{interval}}])))
      guard: { max_increase: 20% }
    - name: cpu_per_request
      kind: mean
      source: prometheus
      step: 2s
      query: sum(increase(ledger_cpu_seconds_total{arm="{{arm}}"}[{{interval}}])) / sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max: 1 }
    - name: availability
      kind: slo-burn
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code="500"}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { burn_rate: { slo: 99%, windows: [{ long: 10s, short: 4s, factor: 1 }] } }
    - name: nothing
      kind: mean
      source: prometheus
      step: 2s
      query: sum(increase(no_such_metric_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max: 1 }
    - name: broken
      kind: mean
      source: prometheus
      query: sum(rate(ledger_requests_total{arm="{{arm}}"}[{{interval}}])
      guard: { max: 1 }
`;

function kpisOf(yaml: string): Record<string, Kpi> {
  const r = parsePlan(yaml);
  if (!r.valid) throw new Error(JSON.stringify(r.errors));
  return Object.fromEntries(
    Object.values(r.plan.kpis)
      .flatMap((l) => l ?? [])
      .map((k) => [k.name, k]),
  );
}
const K = kpisOf(KPIS_YAML);
const kpi = (name: string): Kpi => K[name] as Kpi;

let prom: TestPrometheus | undefined;
let service: TestService | undefined;
const hanging: { server?: Server; sockets: Socket[] } = { sockets: [] };

if (HAVE_PROMETHEUS)
  metricSourceContract('prometheus', {
    async setup() {
      service = await startTestService({
        treatment: { rps: 200, errorRate: 0.02, latency: 0.1 },
        control: { rps: 200, errorRate: 0.01, latency: 0.05 },
      });
      const started = Date.now();
      prom = await startPrometheus(service.port);
      await waitForScrapes(prom.url, 12);
      return {
        source: prometheusSource({
          name: 'prometheus',
          kind: 'prometheus',
          url: prom.url,
          timeoutMs: 5000,
        }),
        request: {
          launchId: 'L1',
          launch: 'contract',
          phase: 'canary',
          phaseStartedAt: started,
          nowMs: Date.now() - 1000,
        },
        healthy: [
          { kpi: kpi('error_ratio'), expect: { treatment: 0.02, control: 0.01 }, tolerance: 0.25 },
          { kpi: kpi('p95'), expect: { treatment: 0.145, control: 0.0725 }, tolerance: 0.15 },
          { kpi: kpi('cpu_per_request'), expect: { treatment: 0.002, control: 0.002 } },
          { kpi: kpi('availability'), expect: { treatment: 0.02, control: 0.01 }, tolerance: 0.3 },
        ],
        empty: kpi('nothing'),
        broken: kpi('broken'),
      };
    },
    async unreachable() {
      const port = await freePort();
      return prometheusSource({
        name: 'prometheus',
        kind: 'prometheus',
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 2000,
      });
    },
    async hanging() {
      // Accepts connections and never answers: only the timeout ends the query.
      const server = createServer((socket) => hanging.sockets.push(socket));
      hanging.server = server;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      return prometheusSource({
        name: 'prometheus',
        kind: 'prometheus',
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 300,
      });
    },
    async teardown() {
      for (const s of hanging.sockets) s.destroy();
      hanging.server?.close();
      await prom?.close();
      await service?.close();
    },
  });
else describe.skip(`prometheus source (SKIPPED: no Prometheus binary)`, () => {});

describe('prometheus source without the engine', () => {
  it('maps a position in the filled-in query back to the plan field', () => {
    const raw = 'sum(rate(x{arm="{{arm}}"}[{{interval}}])';
    const filled = fillQuery(raw, {
      arm: 'treatment',
      launch: 'l',
      phase: 'p',
      interval: '60s',
      window: '1s',
      phase_range: '1s',
    });
    expect(filled.text).toBe('sum(rate(x{arm="treatment"}[60s])');
    // The end of the filled-in text is the end of the raw text.
    expect(originalOffset(filled, filled.text.length)).toBe(raw.length);
    // Inside a filled-in value: the placeholder's start.
    expect(originalOffset(filled, filled.text.indexOf('treatment') + 3)).toBe(
      raw.indexOf('{{arm}}'),
    );
    expect(lineColumn('a\nbc', 3)).toEqual({ line: 2, column: 2 });
  });

  it('writes an interval exactly as long as its step, and spans in whole seconds', () => {
    expect(promInterval(60_000)).toBe('60s');
    // Rounded to 1s or 2s, neighbouring intervals would overlap and count requests twice.
    expect(promInterval(500)).toBe('500ms');
    expect(promInterval(1500)).toBe('1500ms');
    expect(promDuration(754_321)).toBe('754s');
    expect(promDuration(200)).toBe('1s');
  });

  it('estimates overdispersion: about 1 for independent requests and a level shift, more for clusters', () => {
    // mulberry32: a small seeded generator, so the test is the same every run.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (random() < p) k++;
      return k;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const runs = (make: (i: number) => [number, number]) =>
      median(
        Array.from({ length: 25 }, () =>
          overdispersion(Array.from({ length: 30 }, (_, i) => make(i))),
        ),
      );
    // Independent requests at 1%: φ stays near 1.
    expect(runs(() => [binomial(2000, 0.01), 2000])).toBeLessThan(1.4);
    // The error rate jumps tenfold halfway: a regression, not noise.
    expect(runs((i) => [binomial(2000, i < 15 ? 0.01 : 0.1), 2000])).toBeLessThan(1.4);
    // Errors come in clusters of 10 (retries of one failing session): ten times the variance.
    expect(runs(() => [10 * binomial(200, 0.01), 2000])).toBeGreaterThan(4);
    expect(overdispersion([])).toBe(1);
  });
});
