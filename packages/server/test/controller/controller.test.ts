/**
 * The controller against a real server (real HTTP, real store, a real SDK
 * client on the stream): evidence from ingested events, decide(), one
 * transaction per look, traffic pushed to SDKs, operator actions through the
 * same reducer, recorded looks. Looks are driven by hand (lookOnce) so each
 * step is deterministic; the loop itself is exercised by the demo and restart tests.
 */
import type { ThresholdClient } from '@threshold/sdk';
import { StoreConflictError } from '@threshold/server';
import type { LaunchEvent, LookOutcome } from '@threshold/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commitDecisions } from '../../src/controller/commit-decisions.js';
import { readLaunchState } from '../../src/controller/operator-decision.js';
import { SIGNOFF_PLAN } from '../support/plans.js';
import { TEST_DATABASE_URL } from '../support/test-server.js';
import type { TestServer } from '../support/test-server.js';
import {
  ASK_PLAN,
  FAST_PLAN,
  driveUsers,
  pause,
  settle,
  startIdleController,
  whenConfig,
} from './support.js';

const FLAG = 'fast-checkout';

const dialects = [
  { name: 'sqlite', postgres: false, skip: false },
  { name: 'postgres', postgres: true, skip: TEST_DATABASE_URL === undefined },
];
if (TEST_DATABASE_URL === undefined)
  console.warn(
    'controller tests on PostgreSQL SKIPPED: set THRESHOLD_TEST_DATABASE_URL to run them',
  );

describe.each(dialects)('controller on $name', ({ postgres, skip }) => {
  describe.skipIf(skip)('looks', () => {
    let t: TestServer;
    let client: ThresholdClient;

    beforeAll(async () => {
      ({ t, client } = await startIdleController({ postgres, plan: FAST_PLAN }));
    });
    afterEach(async () => {
      // A failed test must not leave its launch active (one active launch per flag).
      for (const l of await t.server.store.listLaunches({ status: ['running', 'paused'] }))
        await t.call('operator', 'POST', `/api/v1/launches/${l.id}/rollback`, {
          reason: 'cleanup',
        });
    });
    afterAll(async () => {
      await client?.close();
      await t?.close();
    });

    async function startLaunch(): Promise<string> {
      const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
        plan: 'fast-checkout',
      });
      expect(res.status).toBe(201);
      const id = res.body.launch.id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);
      return id;
    }

    async function lookUntil(
      id: string,
      done: (o: LookOutcome) => boolean,
      tries = 20,
    ): Promise<LookOutcome> {
      let last: LookOutcome | undefined;
      for (let i = 0; i < tries; i++) {
        last = await t.server.controller.lookAt(id);
        if (last === undefined) throw new Error(`launch ${id} is not active`);
        if (done(last)) return last;
        await pause(250);
      }
      throw new Error(
        `no such look after ${tries} tries; the last: ${last?.look.summary} ${JSON.stringify(last?.look.conditions)}`,
      );
    }

    async function events(id: string): Promise<LaunchEvent[]> {
      return t.server.store.listLaunchEvents(id);
    }

    function expectContiguous(log: LaunchEvent[]): void {
      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    }

    it('advances on passing guards, pushes the new traffic to a connected SDK, and completes', async () => {
      const id = await startLaunch();
      const seen = driveUsers(client, FLAG, { prefix: `ok-${id}`, count: 1200 }, (unit, _t, i) => {
        client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      });
      expect(seen.treatment).toBeGreaterThan(150);
      await settle(client, t.server);
      await pause(1100); // the canary's min_duration of 1s

      const traffic = whenConfig(
        client,
        (c) => c.config?.flags.find((f) => f.key === FLAG)?.traffic === 10_000,
      );
      const advanced = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'advance'));
      const advance = advanced.decisions.find((d) => d.type === 'advance');
      expect(advance).toMatchObject({
        from: 0,
        to: 1,
        toPhase: 'full',
        traffic: 1,
        rule: 'phase-ready',
      });
      expect(advance?.evidence.guards?.map((g) => g.verdict)).toEqual(['pass', 'pass']);
      // The SDK learns the new share from the stream; no poll, no reconnect.
      await traffic;
      expect(client.evaluate(FLAG, { userId: 'anyone' }).arm).toBe('treatment');

      const row = await t.server.store.getLaunch(id);
      expect(row).toMatchObject({ status: 'running', phaseIndex: 1, traffic: 1 });
      expect(row?.lastDecision).toMatchObject({ type: 'advance', rule: 'phase-ready' });

      // At 100% every unit is in treatment; the full phase needs its own units, enough to
      // show against the canary's control arm (the baseline) that errors rose by less than 5
      // points (150 error-free units cannot: their upper bound is above 5%).
      const full = driveUsers(client, FLAG, { prefix: `full-${id}`, count: 400 }, (unit) => {
        client.track(unit, 'latency_ms', 101);
      });
      expect(full).toEqual({ treatment: 400, control: 0 });
      await settle(client, t.server);
      await pause(1100);
      const completed = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'complete'));
      expect(completed.look.status).toBe('completed');
      expect((await t.server.store.getLaunch(id))?.status).toBe('completed');

      const log = await events(id);
      expectContiguous(log);
      expect(
        log.filter((e) => e.type === 'decision').map((e) => (e.data as { type: string }).type),
      ).toEqual(['advance', 'complete']);
      const audit = await t.server.store.listAudit({
        subject: `launch:${id}`,
        action: 'controller.decision',
      });
      expect(audit.map((a) => (a.data as { seq: number }).seq)).toEqual(
        log.filter((e) => e.type === 'decision').map((e) => e.seq),
      );
      // The controller is done with it: no more looks.
      expect(await t.server.controller.lookAt(id)).toBeUndefined();
    });

    it('rolls back on an operational breach, with the evidence, audit and outbox entries', async () => {
      const id = await startLaunch();
      driveUsers(client, FLAG, { prefix: `bad-${id}`, count: 1500 }, (unit, treatment, i) => {
        client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
        if (treatment ? i % 3 === 0 : i % 100 === 0) client.track(unit, 'checkout_error');
      });
      await settle(client, t.server);
      const rolled = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'rollback'));
      const [rollback, ...effects] = rolled.decisions;
      expect(rollback).toMatchObject({ type: 'rollback', rule: 'guard-breach', traffic: 0 });
      expect(rollback?.reason).toContain('error_rate');
      expect(rollback?.evidence.guards?.[0]).toMatchObject({
        kpi: 'error_rate',
        verdict: 'breach',
      });
      expect(effects.map((d) => d.type).sort()).toEqual(['notify', 'webhook']);

      const row = await t.server.store.getLaunch(id);
      expect(row).toMatchObject({ status: 'rolled-back', traffic: 0 });
      expect(row?.lastDecision).toMatchObject({ type: 'rollback', reason: rollback?.reason });
      await whenConfig(
        client,
        (c) => c.config?.flags.find((f) => f.key === FLAG)?.state === 'rolled-back',
      );

      const log = await events(id);
      expectContiguous(log);
      const audit = await t.server.store.listAudit({
        subject: `launch:${id}`,
        action: 'controller.decision',
      });
      expect(audit).toHaveLength(3);
      expect(audit[0]?.data).toMatchObject({
        decision: { type: 'rollback', evidence: { guards: [{ kpi: 'error_rate' }] } },
      });

      const due = await t.server.store.dueOutbox(new Date(Date.now() + 1000).toISOString(), 100);
      const mine = due.filter((m) => m.idempotencyKey.startsWith(`${id}:`));
      expect(mine.map((m) => m.kind).sort()).toEqual(['announce', 'notify', 'webhook']);
      const notify = mine.find((m) => m.kind === 'notify');
      expect(notify?.payload).toMatchObject({
        target: 'checkout-oncall',
        event: { event: 'launch.notify' },
      });
      expect(mine.find((m) => m.kind === 'webhook')?.payload).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
      });
    });

    it('records at most one look per interval, served by GET /looks', async () => {
      const id = await startLaunch();
      for (let i = 0; i < 3; i++) await t.server.controller.lookAt(id);
      const res = await t.json<{ looks: Record<string, unknown>[] }>(
        'viewer',
        'GET',
        `/api/v1/launches/${id}/looks`,
      );
      expect(res.status).toBe(200);
      expect(res.body.looks).toHaveLength(1);
      expect(res.body.looks[0]).toMatchObject({
        phase: 'canary',
        state: 'waiting',
        units: { treatment: 0, control: 0 },
        srm: { healthy: true },
        kpis: [
          { kpi: 'latency', verdict: 'insufficient-evidence' },
          { kpi: 'error_rate', verdict: 'insufficient-evidence' },
        ],
      });
      expect(typeof res.body.looks[0]?.['summary']).toBe('string');
      const missing = await t.json('viewer', 'GET', '/api/v1/launches/nope/looks');
      expect(missing.status).toBe(404);
      const bad = await t.json('viewer', 'GET', `/api/v1/launches/${id}/looks?limit=zero`);
      expect(bad.status).toBe(400);
    });

    it('puts operator actions through the same reducer: a paused launch does not advance until resumed', async () => {
      const id = await startLaunch();
      driveUsers(client, FLAG, { prefix: `op-${id}`, count: 1200 }, (unit, _t, i) => {
        client.track(unit, 'latency_ms', 100 + (i % 7) * 3);
      });
      await settle(client, t.server);
      const paused = await t.json<{ launch: { status: string } }>(
        'operator',
        'POST',
        `/api/v1/launches/${id}/pause`,
        {
          reason: 'checking a support ticket',
        },
      );
      expect(paused.status).toBe(200);
      expect(paused.body.launch.status).toBe('paused');
      const again = await t.json<{ error: { code: string; message: string } }>(
        'operator',
        'POST',
        `/api/v1/launches/${id}/pause`,
        { reason: 'twice' },
      );
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'INVALID_TRANSITION' });
      expect(again.body.error.message).toContain('paused already');

      await pause(1100);
      const still = await t.server.controller.lookAt(id);
      expect(still?.decisions.filter((d) => d.type === 'advance')).toEqual([]);
      expect(still?.look.state).toBe('paused');
      expect(still?.look.summary).toContain('checking a support ticket');

      const resumed = await t.json('operator', 'POST', `/api/v1/launches/${id}/resume`, {
        reason: 'ticket unrelated',
      });
      expect(resumed.status).toBe(200);
      const advanced = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'advance'));
      expect(advanced.look.phase).toBe('canary');

      const decisions = (await events(id)).filter((e) => e.type === 'decision');
      expect(decisions.map((e) => [e.actor, (e.data as { type: string }).type])).toEqual([
        ['operator', 'pause'],
        ['operator', 'resume'],
        ['controller', 'advance'],
      ]);
      const audit = await t.server.store.listAudit({ subject: `launch:${id}` });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(['launch.paused', 'launch.resumed', 'controller.decision']),
      );
    });

    it('an approval without a phase answers the ask the launch is waiting on', async () => {
      const up = await t.call('operator', 'POST', '/api/v1/plans', ASK_PLAN, {
        'content-type': 'application/yaml',
      });
      expect(up.status).toBe(201);
      const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
        plan: 'ask-checkout',
      });
      const id = res.body.launch.id;
      await whenConfig(client, (c) => c.config?.flags.some((f) => f.launch === id) === true);
      driveUsers(
        client,
        'ask-checkout',
        { prefix: `ask-${id}`, count: 1500 },
        (unit, treatment) => {
          client.track(unit, 'latency_ms', treatment ? 200 : 100);
        },
      );
      await settle(client, t.server);
      const asked = await lookUntil(id, (o) => o.decisions.some((d) => d.type === 'ask'));
      expect(asked.decisions.find((d) => d.type === 'ask')).toMatchObject({
        kpi: 'latency',
        roles: ['product'],
      });
      expect(asked.look.state).toBe('asking');

      const approval = await t.json<{ approval: { phase: string } }>(
        'approver:product',
        'POST',
        `/api/v1/launches/${id}/approvals`,
        { role: 'product', decision: 'approve', comment: 'slower is fine for now' },
      );
      expect(approval.status).toBe(201);
      // Not the next phase's sign-off: the phase the launch asked in.
      expect(approval.body.approval.phase).toBe('canary');
      const answered = await t.server.controller.lookAt(id);
      expect(answered?.look.conditions.find((c) => c.id === 'no-asks')).toMatchObject({
        met: true,
      });
    });

    it('a launch whose first phase needs a sign-off waits at 0% and opens it once approved', async () => {
      const up = await t.call('operator', 'POST', '/api/v1/plans', SIGNOFF_PLAN, {
        'content-type': 'application/yaml',
      });
      expect(up.status).toBe(201);
      const res = await t.json<{ launch: { id: string; share: number } }>(
        'operator',
        'POST',
        '/api/v1/launches',
        {
          plan: 'search-ranking',
        },
      );
      const id = res.body.launch.id;
      expect(res.body.launch.share).toBe(0);
      const waiting = await t.server.controller.lookAt(id);
      // The request, and a notification to the role it asks.
      expect(waiting?.decisions.map((d) => d.type)).toEqual(['request-signoff', 'notify']);
      expect(waiting?.look).toMatchObject({
        state: 'waiting-for-signoff',
        phaseIndex: -1,
        traffic: 0,
      });
      expect(await t.server.store.getLaunch(id)).toMatchObject({
        phaseIndex: 0,
        traffic: 0,
        status: 'running',
      });

      const approval = await t.json<{ approval: { phase: string } }>(
        'approver:product',
        'POST',
        `/api/v1/launches/${id}/approvals`,
        { role: 'product', decision: 'approve' },
      );
      expect(approval.body.approval.phase).toBe('canary');
      const opened = await t.server.controller.lookAt(id);
      expect(opened?.decisions[0]).toMatchObject({
        type: 'advance',
        from: -1,
        to: 0,
        toPhase: 'canary',
        traffic: 0.05,
        rule: 'signoff-quorum',
      });
      expect(await t.server.store.getLaunch(id)).toMatchObject({ phaseIndex: 0, traffic: 0.05 });
      await whenConfig(
        client,
        (c) => c.config?.flags.find((f) => f.launch === id)?.traffic === 500,
      );
    });

    it('writes nothing when the launch moved on since it was read (optimistic seq)', async () => {
      const id = await startLaunch();
      const read = await readLaunchState(t.server.store, id);
      if (read === undefined) throw new Error('launch missing');
      await t.call('operator', 'POST', `/api/v1/launches/${id}/pause`, {
        reason: 'someone else acted',
      });
      const auditBefore = (await t.server.store.listAudit({ subject: `launch:${id}` })).length;
      const eventsBefore = (await events(id)).length;
      const decision = {
        type: 'rollback' as const,
        traffic: 0 as const,
        at: Date.now(),
        reason: 'stale',
        rule: 'guard-breach' as const,
        phase: 'canary',
        phaseIndex: 0,
        planVersion: 1,
        evidence: {},
      };
      await expect(
        t.server.store.transaction((tx) =>
          commitDecisions(tx, { ...read, decisions: [decision], actor: 'controller' }),
        ),
      ).rejects.toBeInstanceOf(StoreConflictError);
      expect((await t.server.store.listAudit({ subject: `launch:${id}` })).length).toBe(
        auditBefore,
      );
      expect((await events(id)).length).toBe(eventsBefore);
      expect((await t.server.store.getLaunch(id))?.status).toBe('paused');
      // The controller re-reads and decides from the new state.
      const look = await t.server.controller.lookAt(id);
      expect(look?.conflict).toBe(false);
      expect(look?.look.state).toBe('paused');
    });
  });
});
