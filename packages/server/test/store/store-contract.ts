/**
 * The one contract every Store implementation passes. Run it with
 * `storeContract(name, open, harness)`: `open` opens the current test's
 * database (calling it again reopens the same database), `harness.fresh()`
 * starts an empty database before each test.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { eventContract } from './contract-events.js';
import { integrityContract } from './contract-integrity.js';
import { recordContract } from './contract-records.js';
import { peopleContract } from './contract-people.js';

/** How a test file prepares databases for the suite. */
export interface ContractHarness {
  /** Start a fresh, empty database; the following open() calls use it. */
  fresh(): Promise<void>;
  /** Whether two store instances may share one database in this process (separate pools). */
  multipleInstances: boolean;
}

/** What each part of the suite gets. */
export interface ContractContext {
  /** The store opened for the current test. */
  readonly store: Store;
  /** Close the current store and open the same database again (durability). */
  reopen(): Promise<Store>;
  /** Open another instance on the same database, closed after the test. */
  another(): Promise<Store>;
  readonly multipleInstances: boolean;
}

/** Register the contract suite for one implementation. */
export function storeContract(
  name: string,
  open: () => Promise<Store>,
  harness: ContractHarness,
): void {
  describe(`store contract: ${name}`, () => {
    let current: Store | undefined;
    const extra: Store[] = [];
    const ctx: ContractContext = {
      get store(): Store {
        if (current === undefined) throw new Error('no store open');
        return current;
      },
      async reopen() {
        await current?.close();
        current = await open();
        return current;
      },
      async another() {
        const s = await open();
        extra.push(s);
        return s;
      },
      multipleInstances: harness.multipleInstances,
    };
    beforeEach(async () => {
      await harness.fresh();
      current = await open();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await current?.close();
      current = undefined;
    });
    recordContract(ctx);
    eventContract(ctx);
    integrityContract(ctx);
    peopleContract(ctx);
  });
}
