/** The store contract on SQLite: a fresh file in a temp folder per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { storeContract } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'threshold-store-'));
let dir = root;
let n = 0;

storeContract('sqlite', () => openStore({ dataDir: dir }), {
  async fresh() {
    dir = join(root, `t${++n}`);
  },
  // Two connections to one SQLite file in one process would wait on each other
  // with the event loop blocked (busy_timeout is synchronous): not a supported setup.
  multipleInstances: false,
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
