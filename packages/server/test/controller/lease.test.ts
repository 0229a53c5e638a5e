/** The controller lease: on PostgreSQL one holder at a time (advisory lock), freed when the holder goes. */
import { advisoryLease, createToken, localLease, startServer } from '@threshold/server';
import pg from 'pg';
import pino from 'pino';
import { FAST_PLAN } from './support.js';
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

    it('two replicas on one schema: one runs the controller; the other takes over when it stops', async () => {
      const schema = `lease_replicas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const start = () =>
        startServer({
          port: 0,
          databaseUrl: url,
          databaseSchema: schema,
          logger: pino({ level: 'silent' }),
          controller: { lookIntervalMs: 50 },
          outbox: false,
        });
      const a = await start();
      const b = await start();
      try {
        const until = async (what: () => boolean) => {
          while (!what()) await new Promise((r) => setTimeout(r, 20));
        };
        await until(() => a.lease.held || b.lease.held);
        const [holder, other] = a.lease.held ? [a, b] : [b, a];
        // A few more ticks: the other replica keeps trying and keeps failing.
        const looks = async (s: typeof a) =>
          (
            await s.metrics.registry.getSingleMetricAsString('threshold_controller_looks_total')
          ).trim();
        const op = (await createToken(holder.store, { name: 'op', scopes: ['operator'] })).token;
        const h = { authorization: `Bearer ${op}` };
        const up = await fetch(`${holder.url}/api/v1/plans`, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/yaml' },
          body: FAST_PLAN,
        });
        expect(up.status).toBe(201);
        const created = await fetch(`${holder.url}/api/v1/launches`, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/json' },
          body: JSON.stringify({ plan: 'fast-checkout' }),
        });
        expect(created.status).toBe(201);
        await new Promise((r) => setTimeout(r, 300));
        expect(other.lease.held).toBe(false);
        expect(await looks(other)).toMatch(/threshold_controller_looks_total 0$/);
        expect(await looks(holder)).not.toMatch(/threshold_controller_looks_total 0$/);

        await holder.close();
        await until(() => other.lease.held);
        expect(other.lease.held).toBe(true);
      } finally {
        await a.close();
        await b.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
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
