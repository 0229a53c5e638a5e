/** Contract: migrations, plans, launches, approvals, tokens, audit, outbox, transactions. */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  KyselyStore,
  MIGRATIONS,
  StoreConflictError,
  StoreInputError,
  StoreNotFoundError,
  executeSql,
} from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import type { ContractContext } from './store-contract.js';
import { PLAN_YAML, contractPlan } from './fixtures.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function sql(store: Store, text: string): Promise<void> {
  if (!(store instanceof KyselyStore)) throw new Error('direct SQL needs a KyselyStore');
  await executeSql(store, text);
}

/**
 * Upload the fixture plan and start a launch on it. One flag has at most one live
 * launch, so a second live launch needs another plan (`name`, used as its flag too).
 */
export async function seedLaunch(store: Store, id = 'L1', name = 'contract'): Promise<void> {
  const plan = { ...contractPlan(), launch: name, flag: name };
  const existing = await store.getPlanVersion(name);
  const v =
    existing ??
    (await store.putPlan({
      name,
      source: PLAN_YAML,
      format: 'yaml',
      plan,
      createdBy: 'alice',
    }));
  await store.createLaunch({
    id,
    planName: name,
    planVersion: v.version,
    salt: `salt-${id}`,
    createdBy: 'alice',
    traffic: 0.01,
  });
}

export function recordContract(ctx: ContractContext): void {
  it('applies every migration once and reports its status', async () => {
    const first = await ctx.store.migrationStatus();
    expect(first.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(first.every((m) => typeof m.appliedAt === 'string')).toBe(true);
    expect(await ctx.store.migrate()).toEqual(first);
    const reopened = await ctx.reopen();
    expect(await reopened.migrationStatus()).toEqual(first);
  });

  it('keeps every plan version and dedupes identical source against the latest', async () => {
    const s = ctx.store;
    const plan = contractPlan();
    const put = (source: string) =>
      s.putPlan({ name: 'contract', source, format: 'yaml', plan, createdBy: 'alice' });
    const v1 = await put(PLAN_YAML);
    expect(v1).toMatchObject({ name: 'contract', version: 1, sourceHash: sha(PLAN_YAML) });
    expect((await put(PLAN_YAML)).version).toBe(1);
    const edited = `${PLAN_YAML}# edited\n`;
    expect((await put(edited)).version).toBe(2);
    // Going back to an older text is an edit too (it resets approvals): a new version.
    expect((await put(PLAN_YAML)).version).toBe(3);
    expect((await s.getPlanVersion('contract'))?.version).toBe(3);
    const got = await s.getPlanVersion('contract', 2);
    expect(got?.source).toBe(edited);
    expect(got?.plan).toEqual(plan);
    expect(await s.getPlanVersion('contract', 9)).toBeUndefined();
    expect((await s.listPlanVersions('contract')).map((p) => p.version)).toEqual([1, 2, 3]);
    await s.putPlan({ name: 'another', source: 'x', format: 'json', plan, createdBy: 'bob' });
    const plans = await s.listPlans();
    expect(plans.map((p) => [p.name, p.latestVersion, p.versions])).toEqual([
      ['another', 1, 1],
      ['contract', 3, 3],
    ]);
    await expect(
      s.putPlan({ name: '', source: 'x', format: 'yaml', plan, createdBy: 'bob' }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'name' });
  });

  it('creates launches with a first event and applies patches with their events', async () => {
    const s = ctx.store;
    await expect(
      s.createLaunch({
        id: 'L0',
        planName: 'contract',
        planVersion: 1,
        salt: 's',
        createdBy: 'a',
        traffic: 0,
      }),
    ).rejects.toBeInstanceOf(StoreNotFoundError);
    await seedLaunch(s);
    await expect(seedLaunch(s)).rejects.toBeInstanceOf(StoreConflictError);
    const created = await s.getLaunch('L1');
    expect(created).toMatchObject({
      status: 'running',
      phaseIndex: 0,
      seq: 1,
      traffic: 0.01,
      lastDecision: null,
    });
    const ev = await s.appendLaunchEvent(
      { launchId: 'L1', type: 'phase-advanced', actor: 'controller', data: { to: 'early' } },
      1,
      {
        phaseIndex: 1,
        traffic: 0.1,
        phaseStartedAt: '2030-01-01T00:00:00Z',
        lastDecision: { why: 'ok' },
      },
    );
    expect(ev).toMatchObject({ seq: 2, type: 'phase-advanced', data: { to: 'early' } });
    expect(await s.getLaunch('L1')).toMatchObject({
      seq: 2,
      phaseIndex: 1,
      traffic: 0.1,
      phaseStartedAt: '2030-01-01T00:00:00.000Z',
      lastDecision: { why: 'ok' },
      status: 'running',
    });
    const stale = s.appendLaunchEvent(
      { launchId: 'L1', type: 'paused', actor: 'op', data: null },
      1,
      {
        status: 'paused',
      },
    );
    await expect(stale).rejects.toMatchObject({
      name: 'StoreConflictError',
      expectedSeq: 1,
      actualSeq: 2,
    });
    expect((await s.getLaunch('L1'))?.status).toBe('running');
    await s.appendLaunchEvent({ launchId: 'L1', type: 'paused', actor: 'op', data: null }, 2, {
      status: 'paused',
    });
    expect((await s.listLaunchEvents('L1')).map((e) => [e.seq, e.type])).toEqual([
      [1, 'created'],
      [2, 'phase-advanced'],
      [3, 'paused'],
    ]);
    expect((await s.listLaunchEvents('L1', 2)).map((e) => e.seq)).toEqual([3]);
    // One running or paused launch per flag: the database refuses a second one.
    await expect(seedLaunch(s, 'L2')).rejects.toMatchObject({
      name: 'StoreActiveLaunchError',
      flag: 'contract',
    });
    expect(await s.getLaunch('L2')).toBeUndefined();
    await seedLaunch(s, 'L2', 'other');
    expect((await s.listLaunches({ status: ['paused'] })).map((l) => l.id)).toEqual(['L1']);
    expect((await s.listLaunches()).map((l) => l.id)).toEqual(['L1', 'L2']);
    await expect(
      s.appendLaunchEvent({ launchId: 'nope', type: 'x', actor: 'a', data: null }, 1),
    ).rejects.toMatchObject({ name: 'StoreNotFoundError', field: 'launchId' });
    await expect(
      s.appendLaunchEvent({ launchId: 'L1', type: 'x', actor: 'a', data: null }, 3, { traffic: 2 }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'patch.traffic' });
    expect((await s.getLaunch('L1'))?.seq).toBe(3);
    // A finished launch frees its flag.
    await s.appendLaunchEvent({ launchId: 'L1', type: 'rolled-back', actor: 'op', data: null }, 3, {
      status: 'rolled-back',
    });
    await seedLaunch(s, 'L3');
    expect((await s.getLaunch('L3'))?.status).toBe('running');
  });

  it('claims a router and service for one live launch: the database refuses a second, also concurrently', async () => {
    const s = ctx.store;
    const routed = async (name: string, service: string) => {
      const plan = {
        ...contractPlan(),
        launch: name,
        flag: name,
        router: { name: 'edge', service, arms: { treatment: 'v2', control: 'v1' } },
      };
      const v = await s.putPlan({ name, source: PLAN_YAML, format: 'yaml', plan, createdBy: 'a' });
      return (id: string, store: Store = s) =>
        store.createLaunch({
          id,
          planName: name,
          planVersion: v.version,
          salt: `salt-${id}`,
          createdBy: 'a',
          traffic: 0,
        });
    };
    const web1 = await routed('web-one', 'web');
    const web2 = await routed('web-two', 'web');
    const api = await routed('api-one', 'api');
    await web1('R1');
    // Another flag, the same service at the same router: refused, nothing written.
    await expect(web2('R2')).rejects.toMatchObject({
      name: 'StoreRouterInUseError',
      router: 'edge',
      service: 'web',
    });
    expect(await s.getLaunch('R2')).toBeUndefined();
    // Another service at the same router is free.
    await api('R3');
    // A finished launch frees its claim.
    await s.appendLaunchEvent({ launchId: 'R1', type: 'rolled-back', actor: 'op', data: null }, 1, {
      status: 'rolled-back',
    });
    // Concurrent starts (on two instances where the store has them): exactly one wins.
    const stores = ctx.multipleInstances ? [s, await ctx.another()] : [s];
    const starts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? web1 : web2)(`R-race-${i}`, stores[i % stores.length] as Store),
      ),
    );
    expect(starts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of starts)
      if (r.status === 'rejected')
        expect((r.reason as Error).name).toMatch(/^Store(RouterInUse|ActiveLaunch)Error$/);
    const live = await s.listLaunches({ status: ['running', 'paused'] });
    expect(live.map((l) => l.id).filter((id) => id.startsWith('R-race-'))).toHaveLength(1);
  });

  it('lets exactly one of concurrent appends at the same seq win', async () => {
    await seedLaunch(ctx.store);
    const stores = ctx.multipleInstances ? [ctx.store, await ctx.another()] : [ctx.store];
    for (let seq = 1; seq <= 3; seq++) {
      const attempts = Array.from({ length: 8 }, (_, i) =>
        (stores[i % stores.length] as Store).appendLaunchEvent(
          { launchId: 'L1', type: 'decision', actor: `replica-${i}`, data: { i } },
          seq,
          { traffic: i / 10 },
        ),
      );
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
    }
    const events = await ctx.store.listLaunchEvents('L1');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const last = events[3]?.data as { i: number };
    expect((await ctx.store.getLaunch('L1'))?.traffic).toBe(last.i / 10);
  });

  it('records approvals in order and checks them', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    const a = {
      launchId: 'L1',
      phase: 'early',
      role: 'product',
      actor: 'pat',
      comment: '',
      planVersion: 1,
    };
    await s.addApproval({ ...a, decision: 'approve' });
    await s.addApproval({
      ...a,
      role: 'sre',
      decision: 'reject',
      comment: 'not yet',
      at: '2030-01-01T00:00:00Z',
    });
    expect(
      (await s.listApprovals('L1')).map((x) => [x.role, x.decision, x.comment, x.planVersion]),
    ).toEqual([
      ['product', 'approve', '', 1],
      ['sre', 'reject', 'not yet', 1],
    ]);
    await expect(
      s.addApproval({ ...a, launchId: 'nope', decision: 'approve' }),
    ).rejects.toMatchObject({
      name: 'StoreNotFoundError',
      field: 'launchId',
    });
    await expect(s.addApproval({ ...a, decision: 'maybe' as 'approve' })).rejects.toMatchObject({
      name: 'StoreInputError',
      field: 'decision',
    });
    expect(await s.listApprovals('L1')).toHaveLength(2);
  });

  it('refuses NUL and integers past an integer column alike on both databases', async () => {
    const s = ctx.store;
    const plan = contractPlan();
    await expect(
      s.putPlan({ name: 'contract', source: 'a\u0000', format: 'yaml', plan, createdBy: 'a' }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'source' });
    await expect(
      s.createToken({ id: 't', name: 'c\u0000i', scopes: ['sdk'], hash: sha('n') }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'name' });
    await seedLaunch(s);
    await expect(
      s.createLaunch({
        id: 'L9',
        planName: 'contract',
        planVersion: 2 ** 31,
        salt: 's',
        createdBy: 'a',
        traffic: 0,
      }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'planVersion' });
    await expect(
      s.appendLaunchEvent({ launchId: 'L1', type: 'x', actor: 'a', data: null }, 2 ** 31),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'expectedSeq' });
    await expect(
      s.appendAudit({ actor: 'a', action: 'x', subject: 'a\u0000', data: null }),
    ).rejects.toMatchObject({ name: 'StoreInputError', field: 'subject' });
    expect(await s.listAudit()).toEqual([]);
  });

  it('stores tokens by hash only, finds and revokes them', async () => {
    const s = ctx.store;
    const hash = sha('secret-1');
    const t = await s.createToken({
      id: 'tok1',
      name: 'ci',
      scopes: ['operator', 'approver:sre'],
      hash,
    });
    expect(t).toMatchObject({ id: 'tok1', scopes: ['operator', 'approver:sre'], revokedAt: null });
    expect(JSON.stringify(t)).not.toContain('secret-1');
    expect(await s.findTokenByHash(hash)).toMatchObject({ id: 'tok1', name: 'ci' });
    expect(await s.findTokenByHash(sha('other'))).toBeUndefined();
    await expect(
      s.createToken({ id: 'tok2', name: 'x', scopes: ['sdk'], hash }),
    ).rejects.toBeInstanceOf(StoreConflictError);
    await expect(
      s.createToken({ id: 'tok3', name: 'x', scopes: ['root' as 'sdk'], hash: sha('3') }),
    ).rejects.toMatchObject({ field: 'scopes[0]' });
    await expect(
      s.createToken({ id: 'tok4', name: 'x', scopes: ['sdk'], hash: 'secret' }),
    ).rejects.toMatchObject({
      field: 'hash',
    });
    expect(await s.revokeToken('tok1')).toBe(true);
    expect(await s.revokeToken('tok1')).toBe(false);
    expect(await s.revokeToken('nope')).toBe(false);
    expect((await s.findTokenByHash(hash))?.revokedAt).toEqual(expect.any(String));
    expect((await s.listTokens()).map((x) => x.id)).toEqual(['tok1']);
  });

  it('chains the audit log, filters it and verifies it', async () => {
    const s = ctx.store;
    expect(await s.verifyAudit()).toMatchObject({ ok: true, entries: 0 });
    const e1 = await s.appendAudit({
      actor: 'alice',
      action: 'plan.uploaded',
      subject: 'plan:contract@1',
      data: { b: 2, a: 1 },
    });
    const e2 = await s.appendAudit({
      actor: 'bob',
      action: 'launch.created',
      subject: 'launch:L1',
      data: null,
    });
    await s.appendAudit({
      actor: 'controller',
      action: 'controller.decision',
      subject: 'launch:L1',
      data: { v: [1.5, 'x'] },
    });
    expect(e1).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), data: { a: 1, b: 2 } });
    expect(e2.prevHash).toBe(e1.hash);
    expect((await s.listAudit({ subject: 'launch:L1' })).map((e) => e.seq)).toEqual([2, 3]);
    expect((await s.listAudit({ action: 'plan.uploaded' })).map((e) => e.seq)).toEqual([1]);
    expect((await s.listAudit({ afterSeq: 1, limit: 1 })).map((e) => e.seq)).toEqual([2]);
    expect(await s.listAudit()).toEqual([e1, e2, expect.objectContaining({ seq: 3 })]);
    expect(await s.verifyAudit()).toMatchObject({ ok: true, entries: 3 });
  });

  it('never forks the audit chain under concurrent appends', async () => {
    const stores = ctx.multipleInstances ? [ctx.store, await ctx.another()] : [ctx.store];
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (stores[i % stores.length] as Store).appendAudit({
          actor: `a${i}`,
          action: 'x',
          subject: 's',
          data: { i },
        }),
      ),
    );
    const all = await ctx.store.listAudit();
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(await ctx.store.verifyAudit()).toMatchObject({ ok: true, entries: 24 });
  });

  it('names the first tampered audit entry', async () => {
    const s = ctx.store;
    for (let i = 0; i < 5; i++)
      await s.appendAudit({ actor: 'a', action: 'x', subject: 's', data: { i } });
    await sql(s, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`);
    expect(await s.verifyAudit()).toMatchObject({
      ok: false,
      entries: 2,
      firstBroken: { seq: 3, reason: expect.stringContaining('changed after it was written') },
    });
    await sql(s, `UPDATE audit_log SET actor = 'a' WHERE seq = 3`);
    await sql(s, `UPDATE audit_log SET data = '{"i":9}' WHERE seq = 2`);
    expect((await s.verifyAudit()).firstBroken?.seq).toBe(2);
    await sql(s, `UPDATE audit_log SET data = '{"i":1}' WHERE seq = 2`);
    expect((await s.verifyAudit()).ok).toBe(true);
    // A forger who also rewrites the hash breaks the next entry's link.
    await sql(s, `UPDATE audit_log SET hash = '${'f'.repeat(64)}' WHERE seq = 4`);
    expect((await s.verifyAudit()).firstBroken).toEqual({
      seq: 4,
      reason: expect.stringContaining('hash'),
    });
    const restored = (await s.listAudit({ afterSeq: 4, limit: 1 }))[0]?.prevHash ?? '';
    await sql(s, `UPDATE audit_log SET hash = '${restored}' WHERE seq = 4`);
    await sql(s, `DELETE FROM audit_log WHERE seq = 2`);
    expect(await s.verifyAudit()).toMatchObject({
      ok: false,
      entries: 1,
      firstBroken: { seq: 3, reason: expect.stringContaining('gap') },
    });
  });

  it('detects truncation only against a known head (rows deleted in SQL)', async () => {
    const s = ctx.store;
    expect(await s.auditHead()).toBeNull();
    for (let i = 0; i < 5; i++)
      await s.appendAudit({ actor: 'a', action: 'x', subject: 's', data: { i } });
    const head = await s.auditHead();
    const all = await s.listAudit({ limit: 10 });
    expect(head).toEqual({ seq: 5, hash: all[4]?.hash });
    if (head === null) throw new Error('no head');
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 5, head });
    const third = { seq: 3, hash: all[2]?.hash ?? '' };
    expect((await s.verifyAudit({ expectHeads: [third, head] })).ok).toBe(true);

    // The last two entries deleted: the rest is a consistent chain on its own.
    await sql(s, `DELETE FROM audit_log WHERE seq > 3`);
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 3, head: third });
    expect(await s.auditHead()).toEqual(third);
    expect(await s.verifyAudit({ expectHeads: [head] })).toEqual({
      ok: false,
      entries: 3,
      head: third,
      firstBroken: {
        seq: 4,
        reason:
          'truncated: the log ends at entry 3 but the known head is entry 5 (entries deleted from the end)',
      },
    });
    // A known head that is still there passes.
    expect((await s.verifyAudit({ expectHeads: [third] })).ok).toBe(true);

    // A rewritten and rehashed entry at a known seq: consistent, but not the published one.
    const forged = { seq: 3, hash: 'f'.repeat(64) };
    expect((await s.verifyAudit({ expectHeads: [forged] })).firstBroken).toEqual({
      seq: 3,
      reason: `hash differs from the known head 3:${'f'.repeat(64)} (rewritten)`,
    });

    // Every entry deleted.
    await sql(s, `DELETE FROM audit_log`);
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 0, head: null });
    expect(await s.auditHead()).toBeNull();
    expect(await s.verifyAudit({ expectHeads: [head] })).toMatchObject({
      ok: false,
      entries: 0,
      firstBroken: {
        seq: 1,
        reason: expect.stringContaining('truncated: the log ends at entry 0'),
      },
    });
  });

  it('keeps the first outbox message per idempotency key and retries', async () => {
    const s = ctx.store;
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const m = await s.enqueueOutbox({ idempotencyKey: 'k1', kind: 'webhook', payload: { n: 1 } });
    const again = await s.enqueueOutbox({
      idempotencyKey: 'k1',
      kind: 'webhook',
      payload: { n: 2 },
    });
    expect(again).toEqual(m);
    await s.enqueueOutbox({
      idempotencyKey: 'k2',
      kind: 'slack',
      payload: {},
      dueAt: iso(now + 3_600_000),
    });
    expect((await s.dueOutbox(iso(now + 1000), 10)).map((x) => x.idempotencyKey)).toEqual(['k1']);
    await s.retryOutbox(m.id, 'HTTP 503', iso(now + 60_000));
    expect(await s.dueOutbox(iso(now + 1000), 10)).toEqual([]);
    const due = await s.dueOutbox(iso(now + 61_000), 10);
    expect(due).toEqual([
      expect.objectContaining({ id: m.id, attempts: 1, lastError: 'HTTP 503', payload: { n: 1 } }),
    ]);
    await s.completeOutbox(m.id);
    expect((await s.dueOutbox(iso(now + 7_200_000), 10)).map((x) => x.idempotencyKey)).toEqual([
      'k2',
    ]);
    // Read back by key, done or not (what became of a launch's notifications).
    const byKey = await s.outboxByKeys(['k1', 'k2', 'missing']);
    expect(byKey.map((x) => [x.idempotencyKey, x.doneAt !== null]).sort()).toEqual([
      ['k1', true],
      ['k2', false],
    ]);
    expect(await s.outboxByKeys([])).toEqual([]);
    await expect(s.completeOutbox(9999)).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(s.retryOutbox(m.id, 'late', iso(now))).rejects.toBeInstanceOf(StoreNotFoundError);
    await expect(s.dueOutbox('yesterday', 10)).rejects.toBeInstanceOf(StoreInputError);
  });

  it('commits a transaction whole or not at all', async () => {
    const s = ctx.store;
    const plan = contractPlan();
    const failing = s.transaction(async (tx) => {
      await tx.putPlan({
        name: 'contract',
        source: PLAN_YAML,
        format: 'yaml',
        plan,
        createdBy: 'a',
      });
      await tx.createLaunch({
        id: 'L1',
        planName: 'contract',
        planVersion: 1,
        salt: 's',
        createdBy: 'a',
        traffic: 0,
      });
      await tx.appendAudit({
        actor: 'a',
        action: 'launch.created',
        subject: 'launch:L1',
        data: {},
      });
      await tx.enqueueOutbox({ idempotencyKey: 'k', kind: 'w', payload: {} });
      await tx.createToken({ id: 't', name: 't', scopes: ['sdk'], hash: sha('t') });
      // Nested calls join the outer transaction.
      await tx.transaction((inner) => inner.ingest('tok', 'b1', []));
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(await s.listPlans()).toEqual([]);
    expect(await s.getLaunch('L1')).toBeUndefined();
    expect(await s.listAudit()).toEqual([]);
    expect(await s.dueOutbox(new Date(Date.now() + 1000).toISOString(), 10)).toEqual([]);
    expect(await s.listTokens()).toEqual([]);
    expect((await s.ingest('tok', 'b1', [])).duplicate).toBe(false);

    const id = await s.transaction(async (tx) => {
      const v = await tx.putPlan({
        name: 'contract',
        source: PLAN_YAML,
        format: 'yaml',
        plan,
        createdBy: 'a',
      });
      await tx.createLaunch({
        id: 'L1',
        planName: 'contract',
        planVersion: v.version,
        salt: 's',
        createdBy: 'a',
        traffic: 0,
      });
      await tx.appendLaunchEvent({ launchId: 'L1', type: 'paused', actor: 'a', data: null }, 1, {
        status: 'paused',
      });
      return (
        await tx.appendAudit({
          actor: 'a',
          action: 'launch.paused',
          subject: 'launch:L1',
          data: {},
        })
      ).seq;
    });
    expect(id).toBe(1);
    expect((await s.getLaunch('L1'))?.status).toBe('paused');
    expect(await s.verifyAudit()).toMatchObject({ ok: true, entries: 1 });
  });
}
