/**
 * The router_claims migration on a database written by the migrations before it:
 * launches get their plan's router key, the partial unique index then guards
 * new ones, and a database that already has two live launches moving one
 * service at one router is refused with their ids instead of one of them being
 * stopped silently. SQLite always; PostgreSQL with THRESHOLD_TEST_DATABASE_URL.
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
const CLAIMS_INDEX = MIGRATIONS.findIndex((m) => m.id.endsWith('_router_claims'));
const CLAIMS = MIGRATIONS[CLAIMS_INDEX] as (typeof MIGRATIONS)[number];

const router = (service: string) => ({
  name: 'edge',
  service,
  arms: { treatment: 'v2', control: 'v1' },
});

/** A store whose database has every migration before router_claims applied, and plans a, b (web) and c (api). */
async function beforeClaims(backend: 'sqlite' | 'postgres'): Promise<KyselyStore> {
  let store;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-router-claims-'));
    dirs.push(dir);
    store = await openStore({ dataDir: dir, migrate: false });
  } else {
    const schema = `router_claims_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 6)}`;
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
  for (const m of MIGRATIONS.slice(0, CLAIMS_INDEX)) {
    await m.up(db, store.dialect);
    await db.insertInto('migrations').values({ id: m.id, applied_at: 'x' }).execute();
  }
  const plan = (name: string, service: string | null) => ({
    name,
    version: 1,
    source: PLAN_YAML,
    format: 'yaml',
    plan_json: JSON.stringify({
      ...contractPlan(),
      launch: name,
      flag: `flag-${name}`,
      ...(service === null ? {} : { router: router(service) }),
    }),
    source_hash: name,
    created_by: 'a',
    created_at: 'x',
  });
  await db
    .insertInto('plan_versions')
    .values([plan('a', 'web'), plan('b', 'web'), plan('c', 'api'), plan('d', null)])
    .execute();
  return store;
}

async function addLaunch(store: KyselyStore, id: string, planName: string, status: string) {
  // Before the migration the launches table has no router_key column: write the row as then.
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
      flag: `flag-${planName}`,
    } as never)
    .execute();
}

describe.each(backends)('migration router_claims on %s', (backend) => {
  it('backfills each launch router key, then refuses a second live launch at one router and service', async () => {
    const store = await beforeClaims(backend);
    try {
      await addLaunch(store, 'L1', 'a', 'running');
      await addLaunch(store, 'L2', 'b', 'rolled-back');
      await addLaunch(store, 'L3', 'd', 'running');
      await store.migrate();
      const keys = await store.kysely
        .selectFrom('launches')
        .select(['id', 'router_key'])
        .orderBy('id')
        .execute();
      expect(keys).toEqual([
        { id: 'L1', router_key: '["edge","web"]' },
        { id: 'L2', router_key: '["edge","web"]' },
        { id: 'L3', router_key: null },
      ]);
      const start = (id: string, planName: string) =>
        store.createLaunch({ id, planName, planVersion: 1, salt: 's', createdBy: 'a', traffic: 0 });
      await expect(start('L4', 'b')).rejects.toMatchObject({
        name: 'StoreRouterInUseError',
        router: 'edge',
        service: 'web',
      });
      // Another service at the router is free.
      await start('L5', 'c');
    } finally {
      await store.close();
    }
  });

  it('stops with the launch ids when a router and service already have two live launches', async () => {
    const store = await beforeClaims(backend);
    try {
      await addLaunch(store, 'L1', 'a', 'running');
      await addLaunch(store, 'L2', 'b', 'paused');
      await expect(store.migrate()).rejects.toThrow(/\["edge","web"\]: L1, L2/);
      // Nothing of it is applied: the migration ran in one transaction.
      const status = await store.migrationStatus();
      expect(status.find((m) => m.id === CLAIMS.id)?.appliedAt).toBeNull();
    } finally {
      await store.close();
    }
  });
});

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (schemas.length > 0 && url !== undefined) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  }
});
