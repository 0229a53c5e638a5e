/**
 * The background projector picks its thread: the worker on SQLite when the compiled
 * worker exists (here: the built dist, `tsc -b packages/server` first), the main
 * thread otherwise and on PostgreSQL. Either way it folds everything, reports what it
 * folded, drains and stops.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startProjector } from '../../src/ingest/projector.js';
import { openStore } from '../../src/store/index.js';
import { seedLaunch } from '../store/contract-records.js';
import { exposure, track, unitIn } from '../store/fixtures.js';

const a = unitIn('a', 'treatment');
const b = unitIn('b', 'control');

const WORKER = new URL('../../dist/store/sqlite-projection-worker.js', import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'threshold-projector-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const errors: unknown[] = [];
const logger = { error: (obj: unknown) => void errors.push(obj) };

describe('startProjector', () => {
  it.each([
    ['worker', { workerUrl: WORKER }],
    ['main', { workerUrl: new URL('./missing.js', WORKER) }],
    ['main', { thread: 'main' as const, workerUrl: WORKER }],
  ])('folds on the %s thread and reports every event', async (thread, choice) => {
    if (thread === 'worker' && !existsSync(fileURLToPath(WORKER)))
      throw new Error('build first (npm run build): the worker thread runs dist/');
    const store = await openStore({ dataDir: mkdtempSync(join(root, 'p-')) });
    try {
      await seedLaunch(store);
      const reported: number[] = [];
      const projector = startProjector(store, {
        logger,
        intervalMs: 5,
        limitBatches: 1,
        onProjected: (n) => reported.push(n),
        ...choice,
      });
      expect(projector.thread).toBe(thread);
      await store.ingest('tok', 'x', [
        exposure('L1', a, 'treatment'),
        exposure('L1', b, 'control'),
      ]);
      for (let i = 0; i < 5; i++)
        await store.ingest('tok', `c${i}`, track(i % 2 ? a : b, 'click', 3));
      await projector.drain();
      expect(reported.reduce((a, b) => a + b, 0)).toBe(17);
      expect(await store.projectionStatus()).toMatchObject({
        events: 17,
        attributed: 15,
        pendingBatches: 0,
      });
      await projector.stop();
      await store.ingest('tok', 'late', track(a, 'click'));
      expect((await store.projectionStatus()).pendingBatches).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('folds on the main thread on PostgreSQL', async (ctx) => {
    const url = process.env['THRESHOLD_TEST_DATABASE_URL'];
    if (url === undefined || url === '') return ctx.skip();
    const schema = `threshold_projector_${process.pid}`;
    const store = await openStore({ url, schema, poolSize: 2 });
    try {
      await seedLaunch(store);
      const projector = startProjector(store, { logger, intervalMs: 5, workerUrl: WORKER });
      expect(projector.thread).toBe('main');
      await store.ingest('tok', 'x', [exposure('L1', a, 'treatment'), ...track(a, 'click', 2)]);
      await projector.drain();
      expect(await store.projectionStatus()).toMatchObject({ events: 3, pendingBatches: 0 });
      await projector.stop();
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
