/**
 * The SQLite projection's two halves (what the worker thread runs): a fold read
 * without the lock is written only if what it read still holds, so the result is
 * the one a fold inside the write transaction would give. Runs on the sources, on a
 * second connection of this thread (nothing contends: every step is sequential).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Kpi } from '@threshold/core';
import { SQLITE_FILE_NAME, SqliteStore, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { SqliteProjection } from '../../src/store/sqlite-projection.js';
import { seedLaunch } from './contract-records.js';
import { T0, contractPlan, exposure, track, unitIn } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'threshold-projection-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KPIS: Kpi[] = contractPlan().kpis['user-impact'];
let n = 0;
const open: { store: Store; raw: BetterSqlite3.Database }[] = [];

/** A migrated store with launch L1, and a second raw connection to its file. */
async function setup() {
  const dir = join(root, `t${++n}`);
  const store = await openStore({ dataDir: dir });
  await seedLaunch(store);
  const raw = new BetterSqlite3(join(dir, SQLITE_FILE_NAME));
  open.push({ store, raw });
  return { store, raw, projection: new SqliteProjection(raw) };
}
afterEach(async () => {
  for (const { store, raw } of open.splice(0)) {
    raw.close();
    await store.close();
  }
});

const clicks = async (store: Store) =>
  (await store.readAggregates({ launchId: 'L1', phase: 'canary', kpis: KPIS, nowMs: T0 })).kpis[
    'clicks'
  ];

// Units in the arm the tests claim for them (the projection recomputes arms).
const a = unitIn('a', 'treatment');
const b = unitIn('b', 'control');
const ok = unitIn('ok', 'control');

describe('SQLite projection: fold, then write under the lock', () => {
  it('writes a fold when nothing changed in between, like project()', async () => {
    const { store, raw, projection } = await setup();
    await store.ingest('tok', 'x', [exposure('L1', a, 'treatment'), exposure('L1', b, 'control')]);
    await store.ingest('tok', 'c', [...track(a, 'click', 3), ...track(b, 'click')]);
    const p = raw.transaction(() => projection.fold(10))();
    expect(p).toMatchObject({ cursor: 0, batches: 2 });
    expect(raw.transaction(() => projection.write(p!)).immediate()).toBe(true);
    expect(await store.projectionStatus()).toMatchObject({
      events: 6,
      exposures: 2,
      attributed: 4,
      pendingBatches: 0,
    });
    expect(await clicks(store)).toEqual({
      treatment: { kind: 'count', units: 1, sum: 3, sumSquares: 9 },
      control: { kind: 'count', units: 1, sum: 1, sumSquares: 1 },
    });
    expect(raw.transaction(() => projection.fold(10))()).toBeUndefined();
  });

  it('writes nothing when another projection moved the cursor meanwhile', async () => {
    const { store, raw, projection } = await setup();
    await store.ingest('tok', 'x', [exposure('L1', a, 'treatment'), ...track(a, 'click', 2)]);
    const stale = raw.transaction(() => projection.fold(10))();
    expect(await store.project()).toBe(3);
    expect(raw.transaction(() => projection.write(stale!)).immediate()).toBe(false);
    // Folded once, not twice.
    expect(await store.projectionStatus()).toMatchObject({ batches: 1, events: 3 });
    expect((await clicks(store))?.treatment).toMatchObject({ units: 1, sum: 2 });
  });

  it('writes nothing when the active launches changed meanwhile (phase, new, finished)', async () => {
    const { store, raw, projection } = await setup();
    await store.ingest('tok', 'x', [exposure('L1', a, 'treatment'), ...track(a, 'click')]);
    const changes: (() => Promise<unknown>)[] = [
      () =>
        store.appendLaunchEvent(
          { launchId: 'L1', type: 'phase-advanced', actor: 'c', data: null },
          1,
          { phaseIndex: 1 },
        ),
      () => seedLaunch(store, 'L2', 'other'),
      () =>
        store.appendLaunchEvent({ launchId: 'L1', type: 'completed', actor: 'c', data: null }, 2, {
          status: 'completed',
        }),
    ];
    for (const change of changes) {
      const stale = raw.transaction(() => projection.fold(10))();
      await change();
      expect(raw.transaction(() => projection.write(stale!)).immediate()).toBe(false);
    }
    // Folded inside the transaction instead (what the worker does on a mismatch): L1
    // is completed now, so its exposure is ignored, and L2 has not exposed unit a.
    expect(raw.transaction(() => projection.step(10)).immediate()).toEqual({
      batches: 1,
      events: 2,
    });
    expect(await store.projectionStatus()).toMatchObject({
      events: 2,
      exposures: 0,
      ignored: 1,
      unattributed: 1,
    });
  });

  it('finds the exposures of units that are not well-formed UTF-16, as before', async () => {
    const { store } = await setup();
    const lone = unitIn('unit-\uD800', 'treatment');
    await store.ingest('tok', 'x', [
      exposure('L1', lone, 'treatment'),
      exposure('L1', ok, 'control'),
    ]);
    await store.project();
    await store.ingest('tok', 'c', [...track(lone, 'click', 2), ...track(ok, 'click')]);
    await store.project();
    expect(await store.projectionStatus()).toMatchObject({ attributed: 3, unattributed: 0 });
    expect((await clicks(store))?.treatment).toMatchObject({ units: 1, sum: 2 });
  });

  it('is what SqliteStore.project() runs', async () => {
    const { store } = await setup();
    expect(store).toBeInstanceOf(SqliteStore);
    await store.ingest('tok', 'x', [exposure('L1', b, 'control'), ...track(b, 'click', 4)]);
    expect(await store.project(1)).toBe(5);
    expect((await clicks(store))?.control).toMatchObject({ units: 1, sum: 4 });
  });
});
