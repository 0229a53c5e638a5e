/**
 * Operator control through the real server on SQLite and PostgreSQL: promote,
 * skip (refused past a required sign-off), amend (approvals reset as the policy
 * says), retry (a new attempt linked to the first). Each is a decision in the
 * launch's log and an entry of the audit chain; a refusal writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { startTestServer, TEST_DATABASE_URL } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

interface Summary {
  id: string;
  status: string;
  share: number;
  phase: string;
  planVersion: number;
  seq: number;
  retryOf: string | null;
  environment: string;
}
interface LogEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}
interface AuditList {
  entries: { action: string; subject: string; actor: string; data: Record<string, unknown> }[];
}
const yaml = { 'content-type': 'application/yaml' };

/** canary → early (needs product) → full. */
const GATED_PLAN = `launch: gated
owner: search
phases:
  - { name: canary, traffic: 1%, min_duration: 30m }
  - { name: early, traffic: 10%, min_duration: 30m, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease: 2% }, on_breach: pause }
signoff:
  roles: { product: 1 }
`;

const KEEP_PLAN = GATED_PLAN.replace('launch: gated', 'launch: keep').replace(
  'roles: { product: 1 }',
  'roles: { product: 1 }\n  reset_on_edit: false',
);

const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '') backends.push('postgres');

describe.each(backends)('operator control on %s', (backend) => {
  let t: TestServer;
  const start = async (plan: string) => {
    const res = await t.json<{ launch: Summary }>('operator', 'POST', '/api/v1/launches', {
      plan,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.launch;
  };
  const events = async (id: string) =>
    (await t.json<{ events: LogEvent[] }>('viewer', 'GET', `/api/v1/launches/${id}/events`)).body
      .events;
  const audit = async () =>
    (await t.json<AuditList>('viewer', 'GET', '/api/v1/audit?limit=1000')).body.entries;
  const rollback = async (id: string) =>
    expect(
      (await t.call('operator', 'POST', `/api/v1/launches/${id}/rollback`, { reason: 'test' }))
        .status,
    ).toBe(200);

  beforeAll(async () => {
    t = await startTestServer({ postgres: backend === 'postgres' });
    for (const plan of [SIMPLE_PLAN, GATED_PLAN, KEEP_PLAN])
      expect((await t.call('operator', 'POST', '/api/v1/plans', plan, yaml)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('promotes a launch now, before its duration and evidence, recorded with the reason', async () => {
    const launch = await start('checkout-v2');
    const res = await t.json<{ launch: Summary; decision: Record<string, unknown> }>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/promote`,
      { reason: 'canary looked fine in the logs' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.launch).toMatchObject({ phase: 'full', share: 1, status: 'running' });
    expect(res.body.decision).toMatchObject({
      type: 'advance',
      rule: 'operator',
      operator: 'promote',
      actor: 'operator',
      toPhase: 'full',
    });
    const last = (await events(launch.id)).at(-1);
    expect(last?.type).toBe('decision');
    expect(String(last?.data.reason)).toBe(
      'promoted by operator to full at 100%: canary looked fine in the logs',
    );
    expect((await audit()).at(-1)).toMatchObject({
      action: 'launch.promoted',
      subject: `launch:${launch.id}`,
      actor: 'operator',
    });
    // The last phase promotes to completion.
    const done = await t.json<{ launch: Summary }>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/promote`,
      { reason: 'fully live now' },
    );
    expect(done.body.launch.status).toBe('completed');
    const standing = await t.json<{ standing: { sentence: string } }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch.id}`,
    );
    expect(standing.body.standing.sentence).toBe('Completed: fully live at 100% in full.');
    const again = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/promote`,
      { reason: 'again' },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_TRANSITION');
  });

  it('refuses a skip past a required sign-off, naming it and writing nothing; skips once approved', async () => {
    const launch = await start('gated');
    const before = { events: (await events(launch.id)).length, audit: (await audit()).length };
    const refused = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/skip`,
      { reason: 'early is not needed' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LAUNCH_BLOCKED');
    expect(refused.body.error.message).toBe(
      'cannot skip: blocked by the sign-off for early (product 0/1)',
    );
    expect(refused.body.error.details.blocking).toEqual(['the sign-off for early (product 0/1)']);
    expect((await events(launch.id)).length).toBe(before.events);
    expect((await audit()).length).toBe(before.audit);
    // A promote is refused by the same sign-off.
    const promote = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/promote`,
      { reason: 'go' },
    );
    expect(promote.body.error.code).toBe('LAUNCH_BLOCKED');

    const approve = await t.call(
      'approver:product',
      'POST',
      `/api/v1/launches/${launch.id}/approvals`,
      {
        role: 'product',
        decision: 'approve',
      },
    );
    expect(approve.status).toBe(201);
    const skipped = await t.json<{ launch: Summary; decision: Record<string, unknown> }>(
      'operator',
      'POST',
      `/api/v1/launches/${launch.id}/skip`,
      { reason: 'early is not needed' },
    );
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(200);
    expect(skipped.body.launch).toMatchObject({ phase: 'full', share: 1 });
    expect(skipped.body.decision).toMatchObject({ operator: 'skip', skipped: ['early'] });
    expect((await audit()).at(-1)?.action).toBe('launch.skipped');
    // Nothing left to skip in the last phase.
    const none = await t.json<ErrorBody>('operator', 'POST', `/api/v1/launches/${launch.id}/skip`, {
      reason: 'x',
    });
    expect(none.body.error.message).toBe(
      'cannot skip: the launch is in its last phase: there is no phase to skip',
    );
    await rollback(launch.id);
  });

  it('amends a running launch: a new version diffed in the record, approvals reset by the policy', async () => {
    for (const [plan, source, resets] of [
      ['gated', GATED_PLAN, true],
      ['keep', KEEP_PLAN, false],
    ] as const) {
      const launch = await start(plan);
      expect(
        (
          await t.call('approver:product', 'POST', `/api/v1/launches/${launch.id}/approvals`, {
            role: 'product',
            decision: 'approve',
          })
        ).status,
      ).toBe(201);
      const v2 = source.replace(
        '{ name: full, traffic: 100%, min_duration: 1h }',
        '{ name: full, traffic: 100%, min_duration: 2h }',
      );
      const up = await t.json<{ version: number }>('operator', 'POST', '/api/v1/plans', v2, yaml);
      expect(up.status).toBe(201);
      const res = await t.json<{ launch: Summary; decision: Record<string, unknown> }>(
        'operator',
        'POST',
        `/api/v1/launches/${launch.id}/amend`,
        { version: up.body.version, reason: 'a longer final phase' },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.launch).toMatchObject({ planVersion: up.body.version, phase: 'canary' });
      expect(res.body.decision).toMatchObject({
        type: 'amend',
        fromVersion: 1,
        toVersion: up.body.version,
        resetsApprovals: resets,
        changes: [{ path: 'phases[2].min_duration', from: 3_600_000, to: 7_200_000 }],
      });
      expect((await audit()).at(-1)?.action).toBe('launch.amended');
      const detail = await t.json<{
        signoffs: { phase: string; approvedBy: string[] }[];
      }>('viewer', 'GET', `/api/v1/launches/${launch.id}`);
      expect(detail.body.signoffs).toEqual([
        expect.objectContaining({ phase: 'early', approvedBy: resets ? [] : ['approver:product'] }),
      ]);
      // The promote judges the same count as the record: refused after a reset, allowed when kept.
      const promote = await t.json<ErrorBody>(
        'operator',
        'POST',
        `/api/v1/launches/${launch.id}/promote`,
        { reason: 'go' },
      );
      expect(promote.status).toBe(resets ? 409 : 200);
      // The same version again changes nothing and is refused, naming the field.
      const same = await t.json<ErrorBody>(
        'operator',
        'POST',
        `/api/v1/launches/${launch.id}/amend`,
        { version: 1, reason: 'back' },
      );
      expect(same.status).toBe(400);
      expect(same.body.error.message).toContain('version: must be newer');
      await rollback(launch.id);
    }
  });

  it('retries a rolled-back launch as a new attempt that carries its lineage', async () => {
    const first = await start('checkout-v2');
    const early = await t.json<ErrorBody>(
      'operator',
      'POST',
      `/api/v1/launches/${first.id}/retry`,
      {
        reason: 'again',
      },
    );
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('only a rolled-back launch can be retried');
    await rollback(first.id);
    const res = await t.json<{
      launch: Summary;
      lineage: { id: string; attempt: number; retryOf: string | null }[];
    }>('operator', 'POST', `/api/v1/launches/${first.id}/retry`, {
      reason: 'fixed the timeout',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const second = res.body.launch;
    expect(second).toMatchObject({
      retryOf: first.id,
      planVersion: first.planVersion,
      status: 'running',
    });
    expect(res.body.lineage).toEqual([
      { id: first.id, attempt: 1, status: 'rolled-back', retryOf: null },
      { id: second.id, attempt: 2, status: 'running', retryOf: first.id },
    ]);
    const detail = await t.json<{ lineage: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${first.id}`,
    );
    expect(detail.body.lineage).toEqual(res.body.lineage);
    expect((await events(first.id)).at(-1)).toMatchObject({
      type: 'retried',
      data: { attempt: second.id, reason: 'fixed the timeout' },
    });
    expect((await events(second.id)).map((e) => e.type)).toEqual(['created', 'retry']);
    expect((await audit()).at(-1)).toMatchObject({
      action: 'launch.retried',
      data: expect.objectContaining({ retryOf: first.id }),
    });
    // One attempt at a time: a second retry of the first is refused (it is the lineage's past).
    await rollback(second.id);
    const third = await t.json<{ lineage: unknown[] }>(
      'operator',
      'POST',
      `/api/v1/launches/${second.id}/retry`,
      { reason: 'third time' },
    );
    expect(third.status).toBe(201);
    expect(third.body.lineage).toHaveLength(3);
  });
});
