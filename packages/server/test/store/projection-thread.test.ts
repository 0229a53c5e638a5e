/**
 * The SQLite projection in a worker thread: it folds what project() folds on the
 * main thread, exactly once even while the main thread projects too, and drain,
 * stop and close behave. The worker runs the built dist (`tsc -b packages/server`,
 * done by `npm test`), like the kill -9 tests.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Kpi, SdkEvent } from '@threshold/core';
import { SqliteStore, openStore } from '../../src/store/index.js';
import type { Aggregates, ProjectionStatus, Store } from '../../src/store/index.js';
import { seedLaunch } from './contract-records.js';
import { MIN, T0, contractPlan, exposure, track, unitIn } from './fixtures.js';

const WORKER = new URL('../../dist/store/sqlite-projection-worker.js', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'threshold-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(fileURLToPath(WORKER)))
    throw new Error('build first (npm run build): the worker thread runs dist/');
});

const plan = contractPlan();
const KPIS: Kpi[] = [...plan.kpis['user-impact'], ...plan.kpis['operational-health']];

let n = 0;
const stores: Store[] = [];
async function fresh(): Promise<SqliteStore> {
  const store = await openStore({ dataDir: join(root, `t${++n}`) });
  stores.push(store);
  await seedLaunch(store);
  if (!(store instanceof SqliteStore)) throw new Error('expected SQLite');
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** Deterministic traffic: exposures in two phases, tracks of every KPI's events. */
function batches(count: number): SdkEvent[][] {
  let seed = 7;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const names = ['signup', 'click', 'order', 'revenue', 'view', 'latency_ms', 'request', 'error'];
  return Array.from({ length: count }, (_, b) => {
    const events: SdkEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const unit = `u${Math.floor(rand() * 300)}`;
      const ts = T0 + Math.floor(rand() * 20) * MIN;
      if (rand() < 0.2) {
        // The unit's real arm at 1%, or now and then a forged one (quarantined on both paths).
        const real = unitIn(unit, 'treatment') === unit ? 'treatment' : 'control';
        const arm = rand() < 0.1 ? (real === 'treatment' ? 'control' : 'treatment') : real;
        events.push(exposure('L1', unit, arm, ts, b < count / 2 ? 'canary' : 'early'));
      } else {
        const name = names[Math.floor(rand() * names.length)] as string;
        events.push(...track(unit, name, 1, rand() < 0.5 ? undefined : rand() * 100 - 10, ts));
      }
    }
    return events;
  });
}

async function everything(store: Store): Promise<Aggregates[]> {
  const out: Aggregates[] = [];
  for (const phase of ['canary', 'early'])
    out.push(
      await store.readAggregates({ launchId: 'L1', phase, kpis: KPIS, nowMs: T0 + 20 * MIN }),
    );
  return out;
}

const counters = ({ cursor: _cursor, ...rest }: ProjectionStatus) => rest;

describe('SQLite projection in a worker thread', () => {
  it('folds what project() folds on the main thread, while batches arrive', async () => {
    const traffic = batches(40);
    const main = await fresh();
    for (const [i, b] of traffic.entries()) await main.ingest('tok', `b${i}`, b);
    while ((await main.project(3)) > 0);

    const threaded = await fresh();
    const projected: number[] = [];
    const thread = threaded.startProjectionThread({
      workerUrl: WORKER,
      limitBatches: 2,
      intervalMs: 5,
      onProjected: (e) => projected.push(e),
    });
    expect(thread).toBeDefined();
    for (const [i, b] of traffic.entries()) await threaded.ingest('tok', `b${i}`, b);
    const total = traffic.reduce((sum, b) => sum + b.length, 0);
    await thread?.drain();
    expect(projected.reduce((a, b) => a + b, 0)).toBe(total);
    expect(counters(await threaded.projectionStatus())).toEqual(
      counters(await main.projectionStatus()),
    );
    expect(await everything(threaded)).toEqual(await everything(main));
    await thread?.stop();
  });

  it('folds each batch once while the main thread projects too', async () => {
    const traffic = batches(30);
    const store = await fresh();
    const thread = store.startProjectionThread({
      workerUrl: WORKER,
      limitBatches: 1,
      intervalMs: 1,
    });
    let mainFolded = 0;
    for (const [i, b] of traffic.entries()) {
      await store.ingest('tok', `b${i}`, b);
      if (i % 3 === 0) mainFolded += await store.project(1);
    }
    await thread?.drain();
    const total = traffic.reduce((sum, b) => sum + b.length, 0);
    expect(await store.projectionStatus()).toMatchObject({
      batches: traffic.length,
      events: total,
      pendingBatches: 0,
    });
    expect(mainFolded).toBeGreaterThan(0);

    const reference = await fresh();
    for (const [i, b] of traffic.entries()) await reference.ingest('tok', `b${i}`, b);
    while ((await reference.project()) > 0);
    expect(await everything(store)).toEqual(await everything(reference));
  });

  it('does not write a fold made stale by a projection committed while it waited', async () => {
    const traffic = batches(6);
    const store = await fresh();
    for (const [i, b] of traffic.entries()) await store.ingest('tok', `b${i}`, b);
    const total = traffic.reduce((sum, b) => sum + b.length, 0);
    let thread: ReturnType<SqliteStore['startProjectionThread']>;
    await store.transaction(async (tx) => {
      // Folded here but not committed: the worker still sees cursor 0, folds the same
      // batches and queues for the lock this transaction holds.
      expect(await tx.project(10)).toBe(total);
      thread = store.startProjectionThread({ workerUrl: WORKER, intervalMs: 1 });
      // Time for the worker to start and fold (if it is slower, there is no race to see).
      await new Promise((r) => setTimeout(r, 500));
    });
    await thread?.drain();
    expect(await store.projectionStatus()).toMatchObject({
      batches: traffic.length,
      events: total,
      pendingBatches: 0,
    });
  });

  it('stops with its step committed, and the store can close with it running', async () => {
    const store = await fresh();
    const thread = store.startProjectionThread({ workerUrl: WORKER, intervalMs: 1 });
    expect(() => store.startProjectionThread({ workerUrl: WORKER })).toThrow(/running/);
    const x = unitIn('x', 'treatment');
    await store.ingest('tok', 'a', [exposure('L1', x, 'treatment'), ...track(x, 'click')]);
    expect(await thread?.drain()).toBe(2);
    await thread?.stop();
    await thread?.stop(); // idempotent
    await expect(thread?.drain()).rejects.toThrow(/not running/);
    await store.ingest('tok', 'b', track(x, 'click', 5));
    expect((await store.projectionStatus()).pendingBatches).toBe(1);

    // A new thread after stop; close() stops it.
    const again = store.startProjectionThread({ workerUrl: WORKER, intervalMs: 1 });
    expect(await again?.drain()).toBe(5);
    await store.close();
    const reopened = await openStore({ dataDir: join(root, `t${n}`) });
    stores.push(reopened);
    expect(await reopened.projectionStatus()).toMatchObject({ events: 7, pendingBatches: 0 });
  });

  it('is not started without a worker script or on an in-memory database', async () => {
    const store = await fresh();
    expect(store.startProjectionThread({ workerUrl: new URL('./missing.js', WORKER) })).toBe(
      undefined,
    );
    const memory = await openStore({ url: 'sqlite::memory:' });
    stores.push(memory);
    expect((memory as SqliteStore).startProjectionThread({ workerUrl: WORKER })).toBeUndefined();
  });
});
