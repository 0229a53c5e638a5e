/**
 * The 0005_environments migration on a database written by the migrations
 * before it: every launch and token lands in production, a retry link is empty,
 * and one live launch per flag becomes one per flag and environment.
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

// Found by name: other migrations merged before it may change its position.
const ENV_INDEX = MIGRATIONS.findIndex((m) => m.id.endsWith('_environments'));

/** A store with every migration before 0005_environments applied, a plan, a live launch and a token. */
async function beforeEnvironments(backend: 'sqlite' | 'postgres'): Promise<KyselyStore> {
  let store;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-envs-'));
    dirs.push(dir);
    store = await openStore({ dataDir: dir, migrate: false });
  } else {
    const schema = `envs_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 6)}`;
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
  for (const m of MIGRATIONS.slice(0, ENV_INDEX)) {
    await m.up(db, store.dialect);
    await db.insertInto('migrations').values({ id: m.id, applied_at: 'x' }).execute();
  }
  await db
    .insertInto('plan_versions')
    .values({
      name: 'a',
      version: 1,
      source: PLAN_YAML,
      format: 'yaml',
      plan_json: JSON.stringify({ ...contractPlan(), launch: 'a', flag: 'flag-a' }),
      source_hash: 'a',
      created_by: 'a',
      created_at: 'x',
    } as never)
    .execute();
  await db
    .insertInto('launches')
    .values({
      id: 'L1',
      plan_name: 'a',
      plan_version: 1,
      salt: 's',
      status: 'running',
      phase_index: 0,
      phase_started_at: 'x',
      traffic: 0,
      created_by: 'a',
      created_at: 'x',
      updated_at: 'x',
      seq: 1,
      last_decision: null,
      flag: 'flag-a',
    } as never)
    .execute();
  await db
    .insertInto('tokens')
    .values({
      id: 'T1',
      name: 'web',
      scopes: '["sdk"]',
      hash: 'a'.repeat(64),
      created_at: 'x',
      revoked_at: null,
      flags: null,
      max_units_per_minute: null,
    } as never)
    .execute();
  return store;
}

describe.each(backends)('migration 0005_environments on %s', (backend) => {
  it('puts existing launches and tokens in production; one live launch per flag and environment', async () => {
    const store = await beforeEnvironments(backend);
    try {
      await store.migrate();
      expect(await store.getLaunch('L1')).toMatchObject({
        environment: 'production',
        retryOf: null,
      });
      expect((await store.listTokens())[0]?.environment).toBe('production');
      const input = { planName: 'a', planVersion: 1, salt: 's', createdBy: 'a', traffic: 0 };
      await expect(store.createLaunch({ ...input, id: 'L2' })).rejects.toMatchObject({
        name: 'StoreActiveLaunchError',
        flag: 'flag-a',
      });
      const staging = await store.createLaunch({ ...input, id: 'L3', environment: 'staging' });
      expect(staging.environment).toBe('staging');
      expect((await store.listLaunches({ environment: 'staging' })).map((l) => l.id)).toEqual([
        'L3',
      ]);
      await expect(
        store.createLaunch({ ...input, id: 'L4', environment: 'Bad Name' }),
      ).rejects.toMatchObject({ name: 'StoreInputError' });
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
