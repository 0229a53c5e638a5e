/**
 * The bake at 100% has no control arm; a Prometheus comparison there is judged
 * against the control arm of the canary (the baseline), read again from
 * Prometheus over the canary's span. Real parts: a prom-client service, a real
 * Prometheus, a real Threshold server. Two launches run side by side on the same
 * service: one judged on the error ratio (which regresses only once at 100%), one
 * on the share of slow writes (which stays as it was).
 */
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

const planOf = (name: string, kpi: string) => `
launch: ${name}
owner: payments-platform
flag: ${name}
unit: sessionId
phases:
  - { name: canary, traffic: 50%, min_duration: 10s, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 10s, bake: 10s, min_units: 0 }
kpis:
  user-impact:
${kpi}`;

const ERRORS = planOf(
  'baseline-errors',
  `    - name: payment_errors
      kind: ratio
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code=~"5.."}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.02 }
      on_breach: rollback
      on_insufficient: hold
`,
);

const SLOW = planOf(
  'baseline-slow',
  `    - name: slow_writes
      kind: ratio
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_write_seconds_count{arm="{{arm}}"}[{{interval}}])) - sum(increase(ledger_write_seconds_bucket{arm="{{arm}}",le="0.05"}[{{interval}}]))
      denominator: sum(increase(ledger_write_seconds_count{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.2 }
      on_breach: rollback
      on_insufficient: hold
`,
);

const HEALTHY: ArmTraffic = { rps: 100, errorRate: 0.005, latency: 0.05 };
const LOOK_EVERY_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_PROMETHEUS)('the bake of a Prometheus KPI against the baseline', () => {
  let service: TestService;
  let prom: TestPrometheus;
  let t: TestServer;
  const started: string[] = [];

  beforeAll(async () => {
    // Looks are recorded every time, so a failure can show each look's verdicts.
    process.env['THRESHOLD_LOOK_RECORD_INTERVAL_MS'] = '10';
    service = await startTestService({ treatment: { ...HEALTHY }, control: { ...HEALTHY } });
    prom = await startPrometheus(service.port);
    await waitForScrapes(prom.url, 3);
    t = await startTestServer({
      sources: [{ name: 'prometheus', kind: 'prometheus', url: prom.url, timeoutMs: 2000 }],
    });
    for (const plan of [ERRORS, SLOW]) {
      const uploaded = await t.call('operator', 'POST', '/api/v1/plans', plan, {
        'content-type': 'application/yaml',
      });
      expect(uploaded.status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await prom?.close();
    await service?.close();
  }, 60_000);

  async function start(plan: string): Promise<string> {
    const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan,
    });
    expect(res.status).toBe(201);
    started.push(res.body.launch.id);
    return res.body.launch.id;
  }

  async function decisions(id: string): Promise<Decision[]> {
    const res = await t.json<{ events: { type: string; data: unknown }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}/events`,
    );
    return res.body.events.filter((e) => e.type === 'decision').map((e) => e.data as Decision);
  }

  async function lookUntil(what: string, done: () => Promise<boolean>, maxLooks: number) {
    for (let n = 1; n <= maxLooks; n++) {
      await sleep(LOOK_EVERY_MS);
      await t.server.controller.lookOnce();
      if (await done()) return;
    }
    const seen: string[] = [];
    for (const id of [...started]) {
      const looks = await t.json<{
        looks: { kpis: { kpi: string; verdict: string; reason: string }[] }[];
      }>('viewer', 'GET', `/api/v1/launches/${id}/looks?limit=1`);
      const last = (looks.body.looks.at(-1)?.kpis ?? []).map(
        (k) => `${k.kpi} ${k.verdict}: ${k.reason}`,
      );
      seen.push(
        `${id}: ${(await decisions(id)).map((d) => `${d.type}: ${d.reason}`).join(' | ')}; last look: ${last.join(' | ')}`,
      );
    }
    throw new Error(`not reached after ${maxLooks} looks: ${what}; ${seen.join('; ')}`);
  }

  it('rolls back a treatment that regresses only at 100% and completes a healthy one, both against the canary', async () => {
    const errors = await start('baseline-errors');
    const slow = await start('baseline-slow');
    const advanced = async (id: string) => (await decisions(id)).some((d) => d.type === 'advance');
    await lookUntil(
      'both canaries advance to full',
      async () => (await advanced(errors)) && (await advanced(slow)),
      90,
    );
    for (const id of [errors, slow])
      expect((await decisions(id)).find((d) => d.type === 'advance')?.reason).toMatch(
        /1 of 1 guards pass/,
      );

    // At 100% nobody is in control any more, and the treatment's errors rise from 0.5% to 10%.
    service.traffic = {
      treatment: { ...HEALTHY, errorRate: 0.1 },
      control: { ...HEALTHY, rps: 0 },
    };
    await lookUntil(
      'the error launch rolls back and the healthy one completes',
      async () =>
        (await decisions(errors)).some((d) => d.type === 'rollback') &&
        (await decisions(slow)).some((d) => d.type === 'complete'),
      75,
    );

    const rollback = (await decisions(errors)).find((d) => d.type === 'rollback');
    expect(rollback).toMatchObject({ rule: 'guard-breach', phase: 'full' });
    const breach = rollback?.evidence.guards?.find((g) => g.kpi === 'payment_errors');
    expect(breach?.verdict).toBe('breach');
    expect(breach?.comparison?.baseline).toBe('canary');
    expect(breach?.source?.kind).toBe('prometheus');
    expect(breach?.reason).toMatch(/control units of canary, the baseline/);

    const complete = (await decisions(slow)).find((d) => d.type === 'complete');
    expect(complete?.reason).toMatch(
      /1 of 1 guards pass \(comparisons against the control arm of canary\)/,
    );
    const pass = complete?.evidence.guards?.find((g) => g.kpi === 'slow_writes');
    expect(pass?.verdict).toBe('pass');
    expect(pass?.comparison?.baseline).toBe('canary');
    expect(pass?.units.control).toBeGreaterThanOrEqual(20);
  }, 400_000);
});
