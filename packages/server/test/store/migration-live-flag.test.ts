/**
 * The one_live_launch_per_flag migration on a database written by the migrations before it:
 * launches get their plan's flag, the partial unique index then guards new
 * ones, and a database that already has two live launches of one flag is
 * refused with their ids instead of one of them being stopped silently.
 * SQLite always; PostgreSQL with THRESHOLD_TEST_DATABASE_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { KyselyStore, MIGRATIONS, openStore } from '../../src/store/index.js';
import { PLAN_YAML, contractPlan } from './fixtures.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];
const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (url !== undefined && url !== '') backends.push('postgres');

const dirs: string[] = [];
const schemas: string[] = [];

// Found by name: the migrations merged before it may change its number.
const LIVE_FLAG_INDEX = MIGRATIONS.findIndex((m) => m.id.endsWith('_one_live_launch_per_flag'));
const LIVE_FLAG = MIGRATIONS[LIVE_FLAG_INDEX] as (typeof MIGRATIONS)[number];

/** A store whose database has every migration before one_live_launch_per_flag applied. */
async function atFirstMigration(backend: 'sqlite' | 'postgres'): Promise<KyselyStore> {
  let store;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-live-flag-'));
    dirs.push(dir);
    store = await openStore({ dataDir: dir, migrate: false });
  } else {
    const schema = `live_flag_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 6)}`;
    schemas.push(schema);
    store = await openStore({ url, schema, migrate: false });
  }
  if (!(store instanceof KyselyStore)) throw new Error('expected a KyselyStore');
  const db = store.kysely;
  await db.schema
    .createTable('migrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  for (const m of MIGRATIONS.slice(0, LIVE_FLAG_INDEX)) {
    await m.up(db, store.dialect);
    await db.insertInto('migrations').values({ id: m.id, applied_at: 'x' }).execute();
  }
  const plan = (name: string, flag: string) => ({
    name,
    version: 1,
    source: PLAN_YAML,
    format: 'yaml',
    plan_json: JSON.stringify({ ...contractPlan(), launch: name, flag }),
    source_hash: name,
    created_by: 'a',
    created_at: 'x',
  });
  await db
    .insertInto('plan_versions')
    .values([plan('a', 'flag-a'), plan('b', 'flag-b')])
    .execute();
  return store;
}

async function addLaunch(store: KyselyStore, id: string, planName: string, status: string) {
  // Before the migration the launches table has no flag column: write the row as then.
  await store.kysely
    .insertInto('launches')
    .values({
      id,
      plan_name: planName,
      plan_version: 1,
      salt: id,
      status,
      phase_index: 0,
      phase_started_at: 'x',
      traffic: 0,
      created_by: 'a',
      created_at: id,
      updated_at: 'x',
      seq: 1,
      last_decision: null,
    } as never)
    .execute();
}

describe.each(backends)('migration one_live_launch_per_flag on %s', (backend) => {
  it('backfills each launch flag, then refuses a second live launch of a flag', async () => {
    const store = await atFirstMigration(backend);
    try {
      await addLaunch(store, 'L1', 'a', 'running');
      await addLaunch(store, 'L2', 'a', 'rolled-back');
      await addLaunch(store, 'L3', 'b', 'paused');
      await store.migrate();
      const flags = await store.kysely
        .selectFrom('launches')
        .select(['id', 'flag'])
        .orderBy('id')
        .execute();
      expect(flags).toEqual([
        { id: 'L1', flag: 'flag-a' },
        { id: 'L2', flag: 'flag-a' },
        { id: 'L3', flag: 'flag-b' },
      ]);
      const second = {
        id: 'L4',
        planName: 'b',
        planVersion: 1,
        salt: 's',
        createdBy: 'a',
        traffic: 0,
      };
      await expect(store.createLaunch(second)).rejects.toMatchObject({
        name: 'StoreActiveLaunchError',
        flag: 'flag-b',
      });
    } finally {
      await store.close();
    }
  });

  it('stops with the launch ids when a flag already has two live launches', async () => {
    const store = await atFirstMigration(backend);
    try {
      await addLaunch(store, 'L1', 'a', 'running');
      await addLaunch(store, 'L2', 'a', 'paused');
      await expect(store.migrate()).rejects.toThrow(/flag-a: L1, L2/);
      // Nothing of it is applied: the migration ran in one transaction.
      const status = await store.migrationStatus();
      expect(status.find((m) => m.id === LIVE_FLAG.id)?.appliedAt).toBeNull();
    } finally {
      await store.close();
    }
  });
});

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (schemas.length === 0 || url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
});
