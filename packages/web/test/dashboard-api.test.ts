/**
 * The API the dashboard adds to the server: the launch overview (health and
 * pending sign-offs) and rehearsals run with core's engine, with their errors in
 * the one error shape naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_V1 } from './support/demo-plans.js';
import { api, startFixture } from './support/dashboard-fixture.js';
import type { Fixture } from './support/dashboard-fixture.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('dashboard API', () => {
  let fx: Fixture;
  let viewer = '';
  let operator = '';
  beforeAll(async () => {
    fx = await startFixture();
    viewer = await fx.token('vera', ['viewer']);
    operator = await fx.token('olivia', ['operator']);
    const up = await api(
      fx.url,
      operator,
      'POST',
      '/api/v1/plans',
      CHECKOUT_V1,
      'application/yaml',
    );
    expect(up.status).toBe(201);
  });
  afterAll(async () => fx?.close());

  it('lists a new launch with no health yet and the sign-off it will need', async () => {
    const started = await api<{ launch: { id: string } }>(
      fx.url,
      operator,
      'POST',
      '/api/v1/launches',
      {
        plan: 'checkout-v2',
      },
    );
    expect(started.status).toBe(201);
    const res = await api<{ launches: Record<string, unknown>[] }>(
      fx.url,
      viewer,
      'GET',
      '/api/v1/dashboard/launches',
    );
    expect(res.status).toBe(200);
    expect(res.body.launches).toHaveLength(1);
    expect(res.body.launches[0]).toMatchObject({
      id: started.body.launch.id,
      plan: 'checkout-v2',
      status: 'running',
      phase: 'canary',
      share: 0.2,
      pendingSignoffs: [{ phase: 'full', role: 'product', missing: 1 }],
    });
    await api(fx.url, operator, 'POST', `/api/v1/launches/${started.body.launch.id}/rollback`, {
      reason: 'test done',
    });
  });

  it('rehearses a stored plan on synthetic traffic and answers the report', async () => {
    const res = await api<{
      plan: { name: string; version: number };
      report: Record<string, unknown>;
    }>(fx.url, viewer, 'POST', '/api/v1/rehearsals', {
      plan: { name: 'checkout-v2' },
      profile: { unitsPerMinute: 300 },
      injections: ['error_rate=+0.1'],
      runs: 20,
      seed: 7,
    });
    expect(res.status).toBe(200);
    expect(res.body.plan).toEqual({ name: 'checkout-v2', version: 1 });
    expect(res.body.report).toMatchObject({
      version: 1,
      settings: { runs: 20, seed: 7 },
      injections: [{ label: 'error_rate=+0.1' }],
    });
    expect(Array.isArray(res.body.report.findings)).toBe(true);
  });

  it('rehearses an uploaded plan against a history, and names the line of a bad history row', async () => {
    const bad = await api<ErrorBody>(fx.url, viewer, 'POST', '/api/v1/rehearsals', {
      planSource: CHECKOUT_V1,
      history: 'timestamp,units\nnot-a-time,12\n',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toMatch(/^body\.history: line \d+, column \d+: /);
  });

  it('answers bad requests with the field and the reason', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ profile: { unitsPerMinute: 10 } }, 400, 'VALIDATION_FAILED', /give either plan/],
      [
        {
          plan: { name: 'checkout-v2' },
          profile: { unitsPerMinute: 10 },
          injections: ['nope=+1%'],
        },
        400,
        'VALIDATION_FAILED',
        /^body\.injections\.0: unknown KPI "nope"/,
      ],
      [
        {
          plan: { name: 'checkout-v2' },
          profile: { unitsPerMinute: 10 },
          runs: 6000,
          injections: ['error_rate=+0.1'],
        },
        400,
        'VALIDATION_FAILED',
        /12000 simulated launches; at most 10000/,
      ],
      [
        { plan: { name: 'missing' }, profile: { unitsPerMinute: 10 } },
        404,
        'NOT_FOUND',
        /no plan 'missing'/,
      ],
      [
        { planSource: 'launch: [', profile: { unitsPerMinute: 10 } },
        422,
        'PLAN_INVALID',
        /line \d+, column \d+/,
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await api<ErrorBody>(fx.url, viewer, 'POST', '/api/v1/rehearsals', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
    }
  });
});
