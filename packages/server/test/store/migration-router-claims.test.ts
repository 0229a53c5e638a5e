/**
 * The router_claims migration on a database written by the migrations before it:
 * launches get their plan's router key, the partial unique index then guards
 * new ones, and a database that already has two live launches moving one
 * service at one router is refused with their ids instead of one of them being
 * stopped silently. SQLite always; PostgreSQL with THRESHOLD_TEST_DATABASE_URL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/store/index.js';
import { contractPlan } from './fixtures.js';
import {
  MIGRATION_BACKENDS,
  addLaunchRow,
  dropMigrationStores,
  migrationNamed,
  storeBefore,
} from './migration-support.js';

const CLAIMS = migrationNamed('_router_claims').migration;

const plan = (name: string, service: string | null) => ({
  name,
  plan: {
    ...contractPlan(),
    launch: name,
    flag: `flag-${name}`,
    ...(service === null
      ? {}
      : { router: { name: 'edge', service, arms: { treatment: 'v2', control: 'v1' } } }),
  },
});

/** A store with every migration before router_claims applied, and plans a and b (web), c (api) and d (no router). */
const beforeClaims = (backend: 'sqlite' | 'postgres') =>
  storeBefore(backend, '_router_claims', [
    plan('a', 'web'),
    plan('b', 'web'),
    plan('c', 'api'),
    plan('d', null),
  ]);

/** A launch row as it was before the migration: a flag, no router_key. */
const addLaunch = (store: KyselyStore, id: string, planName: string, status: string) =>
  addLaunchRow(store, id, planName, status, { flag: `flag-${planName}` });

describe.each(MIGRATION_BACKENDS)('migration router_claims on %s', (backend) => {
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

afterAll(dropMigrationStores);
