/**
 * Acknowledged means durable: a real `threshold serve` process takes concurrent
 * event batches and is SIGKILLed mid-ingest. After a restart on the same data
 * folder every batch that got a 202 is stored (a resend is a duplicate) and is
 * projected (each of its units is an exposure of the launch).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { armOf, bucketOf } from '@threshold/core';
import { createToken, openStore } from '@threshold/server';
import { afterAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { spawnServe } from './support/spawn-serve.js';
import type { ServeProcess } from './support/spawn-serve.js';

const WORKERS = 8;
const EVENTS_PER_BATCH = 200;
const KILL_AFTER_ACKS = 40;

interface SentBatch {
  body: string;
  units: string[];
}

describe('kill -9 during ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-kill-'));
  const children: ServeProcess[] = [];
  afterAll(() => {
    for (const c of children) c.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged batch and projects every one after restart', async () => {
    const store = await openStore({ dataDir: dir });
    const sdk = (await createToken(store, { name: 'sdk', scopes: ['sdk'] })).token;
    const ops = (await createToken(store, { name: 'ops', scopes: ['operator'] })).token;
    await store.close();

    const first = spawnServe(dir);
    children.push(first);
    const url = await first.url;
    const auth = (token: string, type = 'application/json') => ({
      authorization: `Bearer ${token}`,
      'content-type': type,
    });
    expect(
      (
        await fetch(`${url}/api/v1/plans`, {
          method: 'POST',
          headers: auth(ops, 'application/yaml'),
          body: SIMPLE_PLAN,
        })
      ).status,
    ).toBe(201);
    const created = await fetch(`${url}/api/v1/launches`, {
      method: 'POST',
      headers: auth(ops),
      body: JSON.stringify({ plan: 'checkout-v2' }),
    });
    const launch = ((await created.json()) as { launch: { id: string } }).launch.id;
    const detail = await fetch(`${url}/api/v1/launches/${launch}`, { headers: auth(ops) });
    const { salt } = ((await detail.json()) as { launch: { salt: string } }).launch;
    // The arm each unit really has at 1% (the projection quarantines any other claim).
    const armOfUnit = (unit: string) => armOf(bucketOf(unit, salt), 100, 'rest');

    const makeBatch = (w: number, n: number): SentBatch => {
      const units = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => `w${w}-b${n}-u${i}`);
      const events = units.map((unit) => ({
        type: 'exposure',
        flag: 'checkout-v2',
        launch,
        unit,
        arm: armOfUnit(unit),
        phase: 'canary',
        ts: Date.now(),
      }));
      const body = JSON.stringify({
        wireVersion: 1,
        sdk: { name: 'kill-test', version: '1' },
        sentAt: Date.now(),
        batchId: `w${w}-b${n}`,
        events,
      });
      return { body, units };
    };

    const acked: SentBatch[] = [];
    let failed = 0;
    let killed = false;
    const worker = async (w: number) => {
      for (let n = 0; ; n++) {
        const batch = makeBatch(w, n);
        try {
          const res = await fetch(`${url}/v1/events`, {
            method: 'POST',
            headers: auth(sdk),
            body: batch.body,
          });
          if (res.status === 202) acked.push(batch);
          else throw new Error(`unexpected ${res.status}`);
        } catch {
          // The connection died with the server: this batch was never acknowledged.
          failed++;
          return;
        }
        if (acked.length >= KILL_AFTER_ACKS && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    // Requests were in flight when it died, so the kill really was mid-ingest.
    expect(failed).toBeGreaterThan(0);

    const second = spawnServe(dir);
    children.push(second);
    const url2 = await second.url;
    // Every acknowledged batch is stored: sending it again is a duplicate.
    for (const batch of acked) {
      const res = await fetch(`${url2}/v1/events`, {
        method: 'POST',
        headers: auth(sdk),
        body: batch.body,
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 0, duplicate: true });
    }

    // And projected after the restart: wait for the backlog to drain, then look at the exposures.
    for (;;) {
      const metrics = await (
        await fetch(`${url2}/metrics`, { headers: { authorization: `Bearer ${ops}` } })
      ).text();
      if (/^threshold_projection_pending_batches 0$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const db = new Database(join(dir, 'threshold.db'), {
      readonly: true,
    });
    const exposed = new Set(
      (
        db.prepare('SELECT unit FROM exposures WHERE launch_id = ?').all(launch) as {
          unit: string;
        }[]
      ).map((r) => r.unit),
    );
    db.close();
    const missing = acked.flatMap((b) => b.units).filter((u) => !exposed.has(u));
    expect(missing).toEqual([]);
    expect(exposed.size).toBeGreaterThanOrEqual(acked.length * EVENTS_PER_BATCH);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});
