/**
 * Live updates: the dashboard stream, and replicas on one database converging
 * through the config hub's poll (a change on replica A reaches SSE clients of B).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigDocument } from '@threshold/core';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer } from '@threshold/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { openSse } from './support/sse-reader.js';
import { TEST_DATABASE_URL, silentLogger, startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

describe('dashboard stream', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
      'content-type': 'application/yaml',
    });
  });
  afterAll(async () => t?.close());

  it('sends a snapshot on connect, then each changed launch', async () => {
    const { sse } = await openSse(`${t.url}/api/v1/stream`, {
      authorization: `Bearer ${t.tokens.viewer}`,
    });
    try {
      const snapshot = await sse.next();
      expect(snapshot.event).toBe('snapshot');
      expect(JSON.parse(snapshot.data)).toEqual({ launches: [] });
      const created = await t.json<{ launch: { id: string } }>(
        'operator',
        'POST',
        '/api/v1/launches',
        {
          plan: 'checkout-v2',
        },
      );
      const id = created.body.launch.id;
      const first = await sse.next();
      expect(first.event).toBe('launch');
      expect(JSON.parse(first.data)).toMatchObject({
        id,
        status: 'running',
        share: 0.01,
        phase: 'canary',
      });
      await t.call('operator', 'POST', `/api/v1/launches/${id}/pause`, { reason: 'dashboard' });
      const paused = await sse.next();
      expect(JSON.parse(paused.data)).toMatchObject({ id, status: 'paused', seq: 2 });
      expect(paused.id).toBe(`${id}:2`);
    } finally {
      await sse.close();
    }
  });
});

async function replicaPair(databaseUrl?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-replicas-'));
  const schema = `replicas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const where =
    databaseUrl === undefined ? { dataDir: dir } : { databaseUrl, databaseSchema: schema };
  const a = await startServer({ port: 0, logger: silentLogger(), configPollMs: 50, ...where });
  const b = await startServer({ port: 0, logger: silentLogger(), configPollMs: 50, ...where });
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
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

async function changeOnAReachesB(a: RunningServer, b: RunningServer) {
  const { token: admin } = await createToken(a.store, { name: 'admin', scopes: ['admin'] });
  const auth = { authorization: `Bearer ${admin}` };
  const { sse } = await openSse(`${b.url}/v1/stream`, auth);
  try {
    const initial = JSON.parse((await sse.next()).data) as ConfigDocument;
    expect(initial.flags).toEqual([]);
    await fetch(`${a.url}/api/v1/plans`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/yaml' },
      body: SIMPLE_PLAN,
    });
    const res = await fetch(`${a.url}/api/v1/launches`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'checkout-v2' }),
    });
    expect(res.status).toBe(201);
    const pushed = JSON.parse((await sse.next()).data) as ConfigDocument;
    expect(pushed.flags.map((f) => [f.key, f.state, f.traffic])).toEqual([
      ['checkout-v2', 'running', 100],
    ]);
    // Both replicas serve the same document version (the version is a hash of the flags).
    const fromA = (await (
      await fetch(`${a.url}/v1/config`, { headers: auth })
    ).json()) as ConfigDocument;
    expect(fromA.version).toBe(pushed.version);
  } finally {
    await sse.close();
  }
}

describe('replicas on one SQLite file', () => {
  it('a launch started on replica A is pushed to SDK streams on replica B', async () => {
    const pair = await replicaPair();
    try {
      await changeOnAReachesB(pair.a, pair.b);
    } finally {
      await pair.close();
    }
  });
});

if (TEST_DATABASE_URL === undefined) {
  console.warn('THRESHOLD_TEST_DATABASE_URL is not set: skipping the replica test on PostgreSQL');
}
describe.skipIf(TEST_DATABASE_URL === undefined)('replicas on one PostgreSQL', () => {
  it('a launch started on replica A is pushed to SDK streams on replica B', async () => {
    const pair = await replicaPair(TEST_DATABASE_URL);
    try {
      await changeOnAReachesB(pair.a, pair.b);
    } finally {
      await pair.close();
    }
  });
});
