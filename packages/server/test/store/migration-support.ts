/**
 * For the tests of one migration on a database the migrations before it wrote:
 * a store (SQLite always, PostgreSQL with THRESHOLD_TEST_DATABASE_URL) with
 * every earlier migration applied, rows written as they were then, and the
 * clean-up of the folders and schemas it made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { KyselyStore, MIGRATIONS, openStore } from '../../src/store/index.js';
import type { Migration } from '../../src/store/index.js';
import { PLAN_YAML } from './fixtures.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];

/** The backends to run on. */
export const MIGRATION_BACKENDS: ('sqlite' | 'postgres')[] =
  url !== undefined && url !== '' ? ['sqlite', 'postgres'] : ['sqlite'];

const dirs: string[] = [];
const schemas: string[] = [];

/** The migration whose id ends with `suffix` (found by name: the migrations merged before it may change its number). */
export function migrationNamed(suffix: string): { index: number; migration: Migration } {
  const index = MIGRATIONS.findIndex((m) => m.id.endsWith(suffix));
  const migration = MIGRATIONS[index];
  if (migration === undefined) throw new Error(`no migration ${suffix}`);
  return { index, migration };
}

/** A store whose database has every migration before the one named `suffix` applied, and these plan versions. */
export async function storeBefore(
  backend: 'sqlite' | 'postgres',
  suffix: string,
  plans: { name: string; plan: unknown }[],
): Promise<KyselyStore> {
  let store;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-migration-'));
    dirs.push(dir);
    store = await openStore({ dataDir: dir, migrate: false });
  } else {
    const schema = `migration_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 6)}`;
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
  for (const m of MIGRATIONS.slice(0, migrationNamed(suffix).index)) {
    await m.up(db, store.dialect);
    await db.insertInto('migrations').values({ id: m.id, applied_at: 'x' }).execute();
  }
  await db
    .insertInto('plan_versions')
    .values(
      plans.map(({ name, plan }) => ({
        name,
        version: 1,
        source: PLAN_YAML,
        format: 'yaml',
        plan_json: JSON.stringify(plan),
        source_hash: name,
        created_by: 'a',
        created_at: 'x',
      })),
    )
    .execute();
  return store;
}

/** Write a launch row as the migrations before the tested one left the table (`extra`: columns they added). */
export async function addLaunchRow(
  store: KyselyStore,
  id: string,
  planName: string,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
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
      ...extra,
    } as never)
    .execute();
}

/** Remove the folders and schemas the stores were made in. */
export async function dropMigrationStores(): Promise<void> {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (schemas.length === 0 || url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}
