/**
 * kill -9 a real child process using the SQLite store: nothing acknowledged is
 * lost, and a projection interrupted mid-way resumes exactly once. The child
 * runs the built dist (`tsc -b packages/server`, done by `npm test`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { KyselyStore, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { contractPlan, exposure, PLAN_YAML, track, unitIn } from './fixtures.js';

const CHILD = fileURLToPath(new URL('./store-child.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'threshold-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Start the child and resolve once `enough(lines)` holds; then SIGKILL it and wait for exit. */
function runUntil(args: string[], enough: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      if (!killed && enough(lines)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`child exited (${code}) before the kill: ${stderr}`));
    });
  });
}

async function storedBatches(store: Store): Promise<Map<string, number>> {
  if (!(store instanceof KyselyStore)) throw new Error('expected a KyselyStore');
  const rows = await store.kysely
    .selectFrom('event_batches')
    .select(['batch_id', 'event_count'])
    .where('token_id', '=', 'child')
    .execute();
  return new Map(rows.map((r) => [String(r.batch_id), Number(r.event_count)]));
}

describe('kill -9 (SQLite, real child process)', () => {
  it('loses no acknowledged batch', async () => {
    const dir = join(root, 'ingest');
    const lines = await runUntil(['ingest', dir], (l) => l.length >= 300);
    const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' '));
    expect(acked.length).toBeGreaterThanOrEqual(300);
    const store = await openStore({ dataDir: dir });
    try {
      const stored = await storedBatches(store);
      for (const [, id, count] of acked) expect(stored.get(id ?? '')).toBe(Number(count));
      expect((await store.projectionStatus()).pendingBatches).toBe(stored.size);
    } finally {
      await store.close();
    }
  });

  it.each([
    ['on the main thread', 'project'],
    ['in the worker thread', 'project-worker'],
  ])('resumes a projection interrupted %s exactly once', async (_where, mode) => {
    const dir = join(root, mode);
    const batches = 400;
    const store = await openStore({ dataDir: dir });
    const plan = contractPlan();
    await store.putPlan({
      name: 'contract',
      source: PLAN_YAML,
      format: 'yaml',
      plan,
      createdBy: 'a',
    });
    await store.createLaunch({
      id: 'L1',
      planName: 'contract',
      planVersion: 1,
      salt: 's',
      createdBy: 'a',
      traffic: 0.5,
    });
    const u1 = unitIn('u1', 'treatment', 0.5, 's');
    const u2 = unitIn('u2', 'control', 0.5, 's');
    await store.ingest('tok', 'exp', [
      exposure('L1', u1, 'treatment'),
      exposure('L1', u2, 'control'),
    ]);
    for (let i = 0; i < batches; i++)
      await store.ingest('tok', `b${i}`, [...track(u1, 'click', 3), ...track(u2, 'click', 1)]);
    await store.close();

    const lines = await runUntil(
      [mode, dir],
      (l) => l.filter((x) => x.startsWith('folded 4')).length >= 50,
    );
    const foldedByChild = lines.filter((l) => l.startsWith('folded 4')).length;
    const reopened = await openStore({ dataDir: dir });
    try {
      const before = await reopened.projectionStatus();
      // The child may have committed a few more than it printed, never fewer.
      expect(before.batches).toBeGreaterThanOrEqual(foldedByChild + 1);
      expect(before.pendingBatches).toBeGreaterThan(0);
      while ((await reopened.project(50)) > 0);
      const after = await reopened.projectionStatus();
      expect(after).toMatchObject({
        batches: batches + 1,
        events: 2 + 4 * batches,
        pendingBatches: 0,
      });
      const aggregates = await reopened.readAggregates({
        launchId: 'L1',
        phase: 'canary',
        kpis: plan.kpis['user-impact'],
        nowMs: Date.now(),
      });
      expect(aggregates.kpis['clicks']).toEqual({
        treatment: { kind: 'count', units: 1, sum: 3 * batches, sumSquares: (3 * batches) ** 2 },
        control: { kind: 'count', units: 1, sum: batches, sumSquares: batches ** 2 },
      });
    } finally {
      await reopened.close();
    }
  });
});
