/** The controller lease: on PostgreSQL one holder at a time (advisory lock), freed when the holder goes. */
import { advisoryLease, localLease } from '@threshold/server';
import { describe, expect, it } from 'vitest';

const url = process.env['THRESHOLD_TEST_DATABASE_URL'];
if (url === undefined || url === '')
  console.warn('advisory lease test SKIPPED: set THRESHOLD_TEST_DATABASE_URL to run it');

describe('lease', () => {
  it('is always held by the one process of a SQLite store', async () => {
    const lease = localLease();
    expect(lease.held).toBe(false);
    expect(await lease.acquire()).toBe(true);
    expect(lease.held).toBe(true);
    await lease.release();
    expect(lease.held).toBe(false);
  });

  describe.skipIf(url === undefined || url === '')('advisory lock on PostgreSQL', () => {
    it('lets one replica hold it; the other takes over when it is released', async () => {
      const name = `lease-test-${process.pid}-${Math.random()}`;
      const a = advisoryLease({ url: url ?? '', name });
      const b = advisoryLease({ url: url ?? '', name });
      const other = advisoryLease({ url: url ?? '', name: `${name}-other` });
      try {
        expect(await a.acquire()).toBe(true);
        expect(await b.acquire()).toBe(false);
        expect(await a.acquire()).toBe(true);
        expect(await b.acquire()).toBe(false);
        // A lease of another name (another schema) is independent.
        expect(await other.acquire()).toBe(true);
        await a.release();
        expect(await b.acquire()).toBe(true);
        expect(b.held).toBe(true);
      } finally {
        await a.release();
        await b.release();
        await other.release();
      }
    });

    it('does not hold the lease when the database cannot be reached', async () => {
      const errors: unknown[] = [];
      const lease = advisoryLease({
        url: 'postgres://postgres@127.0.0.1:1/none',
        name: 'x',
        onError: (e) => errors.push(e),
      });
      expect(await lease.acquire()).toBe(false);
      expect(errors).toHaveLength(1);
      await lease.release();
    });
  });
});
