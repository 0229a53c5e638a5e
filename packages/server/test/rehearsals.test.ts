/**
 * `POST /api/v1/rehearsals` through the real app: rehearsals run on the worker
 * pool, so the server keeps answering while one runs; the size cap; impossible
 * injections refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalReport } from '@threshold/core';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const PLAN = `launch: busy
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 1h, min_units: 100 }
  - { name: full, traffic: 100%, bake: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
    - { name: latency, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% }, on_breach: pause }
  user-impact:
    - { name: conversion, kind: occurrence, event: p, guard: { max_decrease: 10% }, on_insufficient: hold }
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('rehearsals on the worker pool', () => {
  it('keeps answering /healthz while a rehearsal runs, then answers the report', async () => {
    const runs = 400;
    let answered = false;
    const rehearsal = t
      .json<{ report: RehearsalReport }>('viewer', 'POST', '/api/v1/rehearsals', {
        planSource: PLAN,
        profile: { unitsPerMinute: 500, durationMs: 2 * 86_400_000 },
        runs,
        injections: ['errors=+80%'],
      })
      .finally(() => (answered = true));
    // Probe one after another while the rehearsal is running. On the event loop, a
    // rehearsal would hold every probe until it ends: none would answer meanwhile.
    let during = 0;
    while (!answered) {
      const r = await fetch(`${t.url}/healthz`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      if (!answered) during++;
    }
    const { status, body } = await rehearsal;
    expect(status).toBe(200);
    expect(body.report.clean.runs).toBe(runs);
    expect(body.report.clean.ends.total).toBe(runs);
    expect(body.report.injections[0]?.ends.total).toBe(runs);
    expect(during).toBeGreaterThanOrEqual(3);
  });

  it('takes up to 10,000 simulated launches a request, and names runs when asked for more', async () => {
    const r = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      planSource: PLAN,
      profile: { unitsPerMinute: 500 },
      runs: 5001,
      injections: ['errors=+80%'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.message).toContain('10002 simulated launches; at most 10000');
  });

  it('refuses an injection that cannot exist, naming it', async () => {
    const r = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      planSource: PLAN,
      profile: { unitsPerMinute: 500 },
      runs: 5,
      injections: ['errors=+10'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/body\.injections\.0: .*cannot exist: errors is a rate/);
  });
});
