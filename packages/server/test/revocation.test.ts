/**
 * Revocation is immediate: after DELETE /api/v1/tokens/:id the token's open
 * `/v1/stream` and `/api/v1/stream` connections end within a second, on the
 * replica that revoked it and on every other replica of the same database
 * (found by the revocation poll, default every 250 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer } from '@threshold/server';
import { describe, expect, it } from 'vitest';
import { openSse } from './support/sse-reader.js';
import type { SseReader } from './support/sse-reader.js';
import { TEST_DATABASE_URL, silentLogger } from './support/test-server.js';

/** Resolves when the stream ends; rejects if it is still open after `ms`. */
async function endsWithin(sse: SseReader, ms: number): Promise<void> {
  const ended = (async () => {
    for (;;) await sse.next();
  })().catch((e: unknown) => {
    if (!(e instanceof Error && e.message === 'stream ended')) throw e;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stream still open ${ms} ms after revocation`)), ms);
  });
  try {
    await Promise.race([ended, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function replicas(count: number, databaseUrl?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-revoke-'));
  const schema = `revoke_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const where =
    databaseUrl === undefined ? { dataDir: dir } : { databaseUrl, databaseSchema: schema };
  const servers: RunningServer[] = [];
  for (let i = 0; i < count; i++) {
    servers.push(
      await startServer({
        port: 0,
        logger: silentLogger(),
        controller: false,
        outbox: false,
        app: { ssePingIntervalMs: 100 },
        ...where,
      }),
    );
  }
  return {
    servers,
    async close() {
      for (const s of servers) await s.close();
      if (databaseUrl !== undefined) {
        const pg = await import('pg');
        const client = new pg.default.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens both streams of one token on every server, revokes it on the first, and waits for all to end. */
async function revokeEndsEveryStream(servers: RunningServer[]): Promise<void> {
  const first = servers[0];
  if (first === undefined) throw new Error('no server');
  const { token: admin } = await createToken(first.store, { name: 'admin', scopes: ['admin'] });
  const { token, record } = await createToken(first.store, { name: 'svc', scopes: ['admin'] });
  const { token: other } = await createToken(first.store, { name: 'other', scopes: ['admin'] });
  const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const streams: SseReader[] = [];
  const bystanders: SseReader[] = [];
  try {
    for (const s of servers) {
      for (const path of ['/v1/stream', '/api/v1/stream']) {
        const { res, sse } = await openSse(`${s.url}${path}`, auth(token));
        expect(res.status).toBe(200);
        await sse.next(); // config or snapshot: the stream is live
        streams.push(sse);
        const kept = await openSse(`${s.url}${path}`, auth(other));
        await kept.sse.next();
        bystanders.push(kept.sse);
      }
    }
    const res = await fetch(`${first.url}/api/v1/tokens/${record.id}`, {
      method: 'DELETE',
      headers: auth(admin),
    });
    expect(res.status).toBe(200);
    await Promise.all(streams.map((sse) => endsWithin(sse, 1000)));
    for (const s of servers) {
      const again = await fetch(`${s.url}/v1/stream`, { headers: auth(token) });
      expect(again.status).toBe(401);
      await again.body?.cancel();
    }
    // Other tokens' streams stay open: their pings (every 100 ms here) keep coming.
    await Promise.all(
      bystanders.map(async (sse) => {
        const until = Date.now() + 500;
        while (Date.now() < until) await sse.nextComment();
      }),
    );
  } finally {
    for (const sse of [...streams, ...bystanders]) await sse.close();
  }
}

describe('revoking a token ends its open streams', () => {
  it('on one server (SQLite)', async () => {
    const set = await replicas(1);
    try {
      await revokeEndsEveryStream(set.servers);
    } finally {
      await set.close();
    }
  });

  it('on two replicas of one SQLite file', async () => {
    const set = await replicas(2);
    try {
      await revokeEndsEveryStream(set.servers);
    } finally {
      await set.close();
    }
  });
});

if (TEST_DATABASE_URL === undefined) {
  console.warn(
    'THRESHOLD_TEST_DATABASE_URL is not set: skipping the revocation test on PostgreSQL',
  );
}
describe.skipIf(TEST_DATABASE_URL === undefined)('revoking on PostgreSQL', () => {
  it('ends the streams on both replicas', async () => {
    const set = await replicas(2, TEST_DATABASE_URL);
    try {
      await revokeEndsEveryStream(set.servers);
    } finally {
      await set.close();
    }
  });
});
