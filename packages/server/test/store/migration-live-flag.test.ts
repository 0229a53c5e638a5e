/**
 * The one_live_launch_per_flag migration on a database written by the migrations before it:
 * launches get their plan's flag, the partial unique index then guards new
 * ones, and a database that already has two live launches of one flag is
 * refused with their ids instead of one of them being stopped silently.
 * SQLite always; PostgreSQL with THRESHOLD_TEST_DATABASE_URL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { contractPlan } from './fixtures.js';
import {
  MIGRATION_BACKENDS,
  addLaunchRow,
  dropMigrationStores,
  migrationNamed,
  storeBefore,
} from './migration-support.js';

const LIVE_FLAG = migrationNamed('_one_live_launch_per_flag').migration;

/** A store with every migration before one_live_launch_per_flag applied, and plans a and b. */
const atFirstMigration = (backend: 'sqlite' | 'postgres') =>
  storeBefore(backend, '_one_live_launch_per_flag', [
    { name: 'a', plan: { ...contractPlan(), launch: 'a', flag: 'flag-a' } },
    { name: 'b', plan: { ...contractPlan(), launch: 'b', flag: 'flag-b' } },
  ]);

// Before the migration the launches table has no flag column: the row as then.
const addLaunch = addLaunchRow;

describe.each(MIGRATION_BACKENDS)('migration one_live_launch_per_flag on %s', (backend) => {
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

afterAll(dropMigrationStores);
