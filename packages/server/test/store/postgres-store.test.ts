/**
 * The store contract on PostgreSQL (THRESHOLD_TEST_DATABASE_URL): a fresh
 * schema per test, dropped at the end, so reruns start clean.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { storeContract } from './store-contract.js';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];

if (url === undefined || url === '') {
  console.warn(
    'store contract on PostgreSQL SKIPPED: set THRESHOLD_TEST_DATABASE_URL=postgres://… to run it',
  );
  describe.skip('store contract: postgres (THRESHOLD_TEST_DATABASE_URL not set)', () => {
    it('needs THRESHOLD_TEST_DATABASE_URL', () => {});
  });
} else {
  const prefix = `threshold_test_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  let schema = '';

  storeContract('postgres', () => openStore({ url, schema, poolSize: 4 }), {
    async fresh() {
      schema = `${prefix}_${schemas.length + 1}`;
      schemas.push(schema);
    },
    multipleInstances: true,
  });

  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await client.end();
    }
  });
}
