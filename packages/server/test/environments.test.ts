/**
 * Environments through the real server on SQLite and PostgreSQL: a production
 * start refused until the plan version completed (and baked) in staging, with
 * nothing stored; SDK tokens that see only their environment; launches listed
 * per environment; an advance refused in a freeze window while a rollback and a
 * pause go through; the controller judging with the environment's time rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigDocument } from '@threshold/core';
import { SIMPLE_PLAN } from './support/plans.js';
import { startTestServer, TEST_DATABASE_URL } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

interface Summary {
  id: string;
  status: string;
  phase: string;
  share: number;
  environment: string;
}
const yaml = { 'content-type': 'application/yaml' };
const H = 3_600_000;
// A Monday, 10:00 UTC.
const T0 = Date.UTC(2026, 10, 30, 10);

const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '') backends.push('postgres');

describe.each(backends)('environments on %s', (backend) => {
  let t: TestServer;
  const clock = { now: T0 };
  const start = (environment: string | undefined, plan = 'checkout-v2') =>
    t.json<{ launch: Summary } & ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan,
      ...(environment === undefined ? {} : { environment }),
    });
  const act = (id: string, action: string) =>
    t.json<{ launch: Summary } & ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${id}/${action}`,
      {
        reason: `test ${action}`,
      },
    );
  const counts = async () => ({
    launches: (await t.json<{ launches: unknown[] }>('viewer', 'GET', '/api/v1/launches')).body
      .launches.length,
    audit: (await t.json<{ entries: unknown[] }>('viewer', 'GET', '/api/v1/audit?limit=1000')).body
      .entries.length,
  });
  const sdkToken = async (environment?: string) => {
    const res = await t.json<{ token: string; record: { environment: string } }>(
      'admin',
      'POST',
      '/api/v1/tokens',
      {
        name: `sdk-${environment ?? 'default'}`,
        scopes: ['sdk'],
        ...(environment === undefined ? {} : { environment }),
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.record.environment).toBe(environment ?? 'production');
    return { token: res.body.token };
  };
  const config = async (token: { token: string }) =>
    (await t.json<ConfigDocument>(token, 'GET', '/v1/config')).body;

  beforeAll(async () => {
    t = await startTestServer({
      postgres: backend === 'postgres',
      now: () => clock.now,
      controller: false,
      environments: {
        staging: {},
        production: {
          requires: { environment: 'staging', bake: '1h' },
          freezes: [
            { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', reason: 'month-end close' },
          ],
          allowed_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' },
        },
      },
    });
    expect((await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, yaml)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('lists the environments with their rules and whether each is open now', async () => {
    const res = await t.json<{
      environments: { name: string; open: boolean; requires: unknown }[];
    }>('viewer', 'GET', '/api/v1/environments');
    expect(res.body.environments.map((e) => [e.name, e.open])).toEqual([
      ['staging', true],
      ['production', true],
    ]);
    expect(res.body.environments[1]?.requires).toEqual({ environment: 'staging', bakeMs: H });
  });

  it('refuses a production start until staging completed and baked, storing nothing', async () => {
    const before = await counts();
    const refused = await start(undefined);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PROMOTION_REQUIRED');
    expect(refused.body.error.message).toBe(
      'production requires plan checkout-v2@1 to complete in staging first and bake there 1h: it has not completed there',
    );
    expect(refused.body.error.details.missing).toEqual([
      { environment: 'staging', plan: 'checkout-v2', version: 1, completed: false, bakeMs: H },
    ]);
    expect(await counts()).toEqual(before);

    const unknown = await start('qa');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_ENVIRONMENT');

    const staging = await start('staging');
    expect(staging.status, JSON.stringify(staging.body)).toBe(201);
    expect(staging.body.launch.environment).toBe('staging');
    // Running in staging is not enough.
    expect((await start('production')).body.error.code).toBe('PROMOTION_REQUIRED');
    expect((await act(staging.body.launch.id, 'promote')).status).toBe(200);
    expect((await act(staging.body.launch.id, 'promote')).body.launch.status).toBe('completed');

    clock.now = T0 + H / 2;
    const baking = await start('production');
    expect(baking.body.error.code).toBe('PROMOTION_REQUIRED');
    expect(baking.body.error.message).toBe(
      'production requires plan checkout-v2@1 to bake 1h in staging after completing: 30m so far, 30m to go',
    );
    expect(await counts()).toEqual({
      ...before,
      launches: before.launches + 1,
      audit: (await counts()).audit,
    });

    clock.now = T0 + H;
    const prod = await start('production');
    expect(prod.status, JSON.stringify(prod.body)).toBe(201);
    expect(prod.body.launch).toMatchObject({ environment: 'production', phase: 'canary' });

    const listed = await t.json<{ launches: Summary[] }>(
      'viewer',
      'GET',
      '/api/v1/launches?environment=staging',
    );
    expect(listed.body.launches.map((l) => l.id)).toEqual([staging.body.launch.id]);
    expect(
      (await t.json<ErrorBody>('viewer', 'GET', '/api/v1/launches?environment=qa')).body.error.code,
    ).toBe('UNKNOWN_ENVIRONMENT');
  });

  it('an sdk token only ever sees its environment', async () => {
    const prod = (
      await t.json<{ launches: Summary[] }>(
        'viewer',
        'GET',
        '/api/v1/launches?environment=production',
      )
    ).body.launches[0];
    const stag = (
      await t.json<{ launches: Summary[] }>('viewer', 'GET', '/api/v1/launches?environment=staging')
    ).body.launches[0];
    const staging = await config(await sdkToken('staging'));
    const production = await config(await sdkToken());
    expect(staging.flags.map((f) => [f.key, f.launch, f.state])).toEqual([
      ['checkout-v2', stag?.id, 'completed'],
    ]);
    expect(production.flags.map((f) => [f.key, f.launch, f.state])).toEqual([
      ['checkout-v2', prod?.id, 'running'],
    ]);
    // Its exposures of another environment's launch are quarantined, never folded.
    const stagingToken = await sdkToken('staging');
    const posted = await t.call(stagingToken, 'POST', '/v1/events', {
      wireVersion: 1,
      sdk: { name: 'forger', version: '1' },
      sentAt: clock.now,
      events: [
        {
          type: 'exposure',
          flag: 'checkout-v2',
          launch: prod?.id,
          unit: 'u1',
          arm: 'control',
          ts: clock.now,
        },
      ],
    });
    expect(posted.status).toBe(202);
    while ((await t.server.store.project()) > 0);
    const integrity = await t.json<{ integrity: { quarantined: Record<string, number> } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${prod?.id ?? ''}`,
    );
    expect(integrity.body.integrity.quarantined['out-of-scope']).toBe(1);
    const empty = await t.json<ErrorBody>('admin', 'POST', '/api/v1/tokens', {
      name: 'x',
      scopes: ['sdk'],
      environment: 'qa',
    });
    expect(empty.body.error.code).toBe('UNKNOWN_ENVIRONMENT');
    const notSdk = await t.json<ErrorBody>('admin', 'POST', '/api/v1/tokens', {
      name: 'x',
      scopes: ['viewer'],
      environment: 'staging',
    });
    expect(notSdk.status).toBe(400);
  });

  it('in a freeze window an advance is refused while a pause and a rollback go through', async () => {
    const prod = (
      await t.json<{ launches: Summary[] }>(
        'viewer',
        'GET',
        '/api/v1/launches?environment=production&status=running',
      )
    ).body.launches[0];
    if (prod === undefined) throw new Error('no production launch');
    clock.now = Date.UTC(2026, 11, 1, 12);
    const before = await counts();
    const refused = await act(prod.id, 'promote');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LAUNCH_BLOCKED');
    expect(refused.body.error.details.blocking).toEqual([
      'the freeze window of production until 2026-12-02T00:00Z (month-end close)',
    ]);
    expect(await counts()).toEqual(before);
    // The controller judges with the same rules: the look says the window closes the way.
    const look = await t.server.controller.lookAt(prod.id);
    expect(look?.look.conditions).toContainEqual({
      id: 'time-rules',
      met: false,
      reason: 'the freeze window of production until 2026-12-02T00:00Z (month-end close)',
    });
    expect((await act(prod.id, 'pause')).status).toBe(200);
    expect((await act(prod.id, 'resume')).status).toBe(200);
    const back = await act(prod.id, 'rollback');
    expect(back.status).toBe(200);
    expect(back.body.launch.status).toBe('rolled-back');
    // A start (a retry too) is refused in the window, naming it.
    const retry = await act(prod.id, 'retry');
    expect(retry.status).toBe(409);
    expect(retry.body.error.message).toBe(
      'cannot start in production: the freeze window of production until 2026-12-02T00:00Z (month-end close)',
    );
    // Outside the allowed hours (a Saturday) likewise.
    clock.now = Date.UTC(2026, 11, 5, 12);
    const weekend = await act(prod.id, 'retry');
    expect(weekend.body.error.message).toBe(
      'cannot start in production: outside the allowed hours of production (mon, tue, wed, thu, fri 08:00–18:00 UTC); next opening 2026-12-07T08:00Z',
    );
    clock.now = Date.UTC(2026, 11, 7, 9);
    expect((await act(prod.id, 'retry')).status).toBe(201);
  });

  it('refuses to amend a production launch to a version not yet completed in staging, storing nothing', async () => {
    const prod = (
      await t.json<{ launches: (Summary & { planVersion: number })[] }>(
        'viewer',
        'GET',
        '/api/v1/launches?environment=production&status=running',
      )
    ).body.launches[0];
    if (prod === undefined) throw new Error('no production launch');
    const v2 = SIMPLE_PLAN.replace('min_duration: 1h', 'min_duration: 2h');
    const up = await t.json<{ version: number }>('operator', 'POST', '/api/v1/plans', v2, yaml);
    expect(up.status).toBe(201);
    const amend = () =>
      t.json<{ launch: Summary & { planVersion: number } } & ErrorBody>(
        'operator',
        'POST',
        `/api/v1/launches/${prod.id}/amend`,
        { version: up.body.version, reason: 'a longer final phase' },
      );
    const events = async () =>
      (await t.json<{ events: unknown[] }>('viewer', 'GET', `/api/v1/launches/${prod.id}/events`))
        .body.events.length;
    const before = { ...(await counts()), events: await events() };
    const refused = await amend();
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PROMOTION_REQUIRED');
    expect(refused.body.error.message).toBe(
      'production requires plan checkout-v2@2 to complete in staging first and bake there 1h: it has not completed there',
    );
    expect(refused.body.error.details.missing).toEqual([
      { environment: 'staging', plan: 'checkout-v2', version: 2, completed: false, bakeMs: H },
    ]);
    expect({ ...(await counts()), events: await events() }).toEqual(before);
    const still = await t.json<{ launch: { planVersion: number } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${prod.id}`,
    );
    expect(still.body.launch.planVersion).toBe(1);

    // Version 2 completes in staging and bakes: the amendment goes through.
    const staging = await t.json<{ launch: Summary & { planVersion: number } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      { plan: 'checkout-v2', version: up.body.version, environment: 'staging' },
    );
    expect(staging.status, JSON.stringify(staging.body)).toBe(201);
    expect(staging.body.launch.planVersion).toBe(up.body.version);
    expect((await act(staging.body.launch.id, 'promote')).status).toBe(200);
    expect((await act(staging.body.launch.id, 'promote')).body.launch.status).toBe('completed');
    clock.now += H;
    const amended = await amend();
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    expect(amended.body.launch.planVersion).toBe(up.body.version);
  });
});

describe.each(backends)('scheduled starts on %s', (backend) => {
  let t: TestServer;
  const clock = { now: Date.UTC(2026, 11, 7, 9) };
  beforeAll(async () => {
    t = await startTestServer({
      postgres: backend === 'postgres',
      now: () => clock.now,
      environments: {
        production: {
          allowed_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' },
        },
      },
    });
    expect((await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, yaml)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('waits at 0% until the scheduled time and the allowed hours, then starts its first phase', async () => {
    const past = await t.json<ErrorBody>('operator', 'POST', '/api/v1/launches', {
      plan: 'checkout-v2',
      startAt: '2026-12-07T08:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toBe('body.startAt: must be in the future');
    // Scheduled for 19:00, after the allowed hours: it starts the next morning at 08:00.
    const res = await t.json<{ launch: Summary; reason: string }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'checkout-v2',
        startAt: '2026-12-07T19:00:00Z',
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.reason).toBe(
      'scheduled: phase canary starts at 1% at 2026-12-07T19:00:00.000Z',
    );
    expect(res.body.launch.share).toBe(0);
    const id = res.body.launch.id;
    const sdk = await t.token('sdk-prod', ['sdk']);
    const flag = async () =>
      (await t.json<ConfigDocument>(sdk, 'GET', '/v1/config')).body.flags.find(
        (f) => f.launch === id,
      );
    expect((await flag())?.traffic).toBe(0);

    const look = async () => (await t.server.controller.lookAt(id))?.decisions.map((d) => d.type);
    expect(await look()).toEqual([]);
    clock.now = Date.UTC(2026, 11, 7, 19, 30);
    expect(await look()).toEqual([]);
    const detail = await t.json<{ standing: { sentence: string } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(detail.body.standing.sentence).toContain('outside the allowed hours of production');
    clock.now = Date.UTC(2026, 11, 8, 8, 1);
    expect(await look()).toEqual(['advance']);
    const after = await t.json<{ launch: Summary }>('viewer', 'GET', `/api/v1/launches/${id}`);
    expect(after.body.launch).toMatchObject({ phase: 'canary', share: 0.01 });
    expect((await flag())?.traffic).toBeGreaterThan(0);
    const events = (
      await t.json<{ events: { type: string; data: { type?: string } }[] }>(
        'viewer',
        'GET',
        `/api/v1/launches/${id}/events`,
      )
    ).body.events;
    expect(events.filter((e) => e.type === 'decision').map((e) => e.data.type)).toEqual([
      'schedule',
      'advance',
    ]);
  });
});

describe('rehearsal under an environment’s time rules', () => {
  const QUICK = `launch: quick
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 100 }
  - { name: full, traffic: 100%, bake: 30m }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
`;
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      environments: {
        // Synthetic traffic starts 2026-01-05: frozen for its whole first week.
        frozen: { freezes: [{ from: '2026-01-01T00:00:00Z', to: '2026-01-12T00:00:00Z' }] },
      },
    });
  });
  afterAll(async () => t?.close());

  it('a frozen environment ships nothing in rehearsal; without rules it ships', async () => {
    const rehearse = (environment?: string) =>
      t.json<{
        report: { clean: { ends: { shipped: { count: number }; stalled: { count: number } } } };
      }>('viewer', 'POST', '/api/v1/rehearsals', {
        planSource: QUICK,
        profile: { unitsPerMinute: 200, durationMs: 2 * 86_400_000 },
        runs: 20,
        ...(environment === undefined ? {} : { environment }),
      });
    const open = await rehearse();
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    expect(open.body.report.clean.ends.shipped.count).toBeGreaterThan(10);
    const frozen = await rehearse('frozen');
    expect(frozen.status).toBe(200);
    expect(frozen.body.report.clean.ends.shipped.count).toBe(0);
    expect(frozen.body.report.clean.ends.stalled.count).toBe(20);
    const unknown = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      planSource: QUICK,
      profile: { unitsPerMinute: 200 },
      environment: 'qa',
    });
    expect(unknown.body.error.code).toBe('UNKNOWN_ENVIRONMENT');
  });
});

describe.each(backends)('time rules in a time zone on %s', (backend) => {
  let t: TestServer;
  // Monday 2026-03-30, the day after Europe/Berlin moved to CEST (+02:00): 08:30 local.
  const clock = { now: Date.UTC(2026, 2, 30, 6, 30) };
  beforeAll(async () => {
    t = await startTestServer({
      postgres: backend === 'postgres',
      now: () => clock.now,
      controller: false,
      environments: {
        production: {
          timezone: 'Europe/Berlin',
          allowed_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
          freezes: [{ from: '2026-12-24', to: '2026-12-27', reason: 'christmas' }],
        },
      },
    });
    expect((await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, yaml)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('reads allowed hours and offset-less freeze times on the environment’s clock', async () => {
    const envs = await t.json<{
      environments: { name: string; timezone: string; freezes: { from: string; to: string }[] }[];
    }>('viewer', 'GET', '/api/v1/environments');
    expect(envs.body.environments[0]).toMatchObject({
      name: 'production',
      timezone: 'Europe/Berlin',
      freezes: [{ from: '2026-12-23T23:00:00.000Z', to: '2026-12-26T23:00:00.000Z' }],
    });
    const start = () =>
      t.json<{ launch: Summary } & ErrorBody>('operator', 'POST', '/api/v1/launches', {
        plan: 'checkout-v2',
      });
    const early = await start();
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe(
      'cannot start in production: outside the allowed hours of production (mon, tue, wed, thu, fri 09:00–17:00 Europe/Berlin); next opening 2026-03-30T09:00+02:00',
    );
    // 09:00 in Berlin is 07:00 UTC after the change (it was 08:00 the week before).
    clock.now = Date.UTC(2026, 2, 30, 7);
    const open = await start();
    expect(open.status, JSON.stringify(open.body)).toBe(201);
  });
});
