/**
 * Restart safety: a real `threshold serve` process runs a five-phase launch
 * while a real SDK client sends traffic, and is killed with SIGKILL again and
 * again: right after a decision was committed, during ingest, while the outbox
 * is sending, and at arbitrary moments. Each time it restarts on the same data.
 * The launch must finish with a log whose seqs are contiguous, every decision
 * exactly once (one advance per phase, no key twice, one audit entry each), and
 * every announcement delivered; only a message in flight at a kill is resent,
 * under its Idempotency-Key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '@threshold/core';
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';
import { createToken, openStore } from '@threshold/server';
import type { AuditEntry, LaunchEvent, LaunchRecord } from '@threshold/server';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../notify/receiver.js';
import type { Receiver } from '../notify/receiver.js';
import { freePort, spawnThreshold } from './spawn-threshold.js';
import type { Child } from './spawn-threshold.js';

const PLAN = `launch: restart-check
owner: ops
unit: userId
phases:
  - { name: p1, traffic: 10%, min_duration: 2s, min_units: 20 }
  - { name: p2, traffic: 20%, min_duration: 2s, min_units: 20 }
  - { name: p3, traffic: 40%, min_duration: 2s, min_units: 20 }
  - { name: p4, traffic: 60%, min_duration: 2s, min_units: 20 }
  - { name: full, traffic: 100%, min_duration: 2s, min_units: 20, bake: 2s }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 and restart of the controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-restart-'));
  const children: Child[] = [];
  let receiver: Receiver | undefined;
  let client: ThresholdClient | undefined;
  let driver: ReturnType<typeof setInterval> | undefined;

  afterAll(async () => {
    clearInterval(driver);
    for (const c of children) c.child.kill('SIGKILL');
    await client?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'continues from its log with no decision lost or applied twice',
    { timeout: 120_000 },
    async () => {
      const store = await openStore({ dataDir: dir });
      const tokens = {
        sdk: (await createToken(store, { name: 'sdk', scopes: ['sdk'] })).token,
        ops: (await createToken(store, { name: 'ops', scopes: ['operator'] })).token,
      };
      await store.close();
      receiver = await startReceiver();
      const port = await freePort();
      const env = {
        THRESHOLD_LOOK_INTERVAL_MS: '100',
        THRESHOLD_LOOK_RECORD_INTERVAL_MS: '300',
        THRESHOLD_NOTIFY_DEFAULT: `${receiver.url}/announce`,
        THRESHOLD_WEBHOOK_SECRET: 'restart-test',
      };
      const start = async () => {
        const c = spawnThreshold(dir, port, env);
        children.push(c);
        return { c, url: await c.url };
      };
      const kills: number[] = [];
      const kill = async (c: Child) => {
        kills.push(Date.now());
        c.child.kill('SIGKILL');
        expect(await c.exited).toBe('SIGKILL');
      };

      let { c: current, url } = await start();
      const call = async <T>(
        method: string,
        path: string,
        body?: string,
        type = 'application/json',
      ) => {
        const res = await fetch(url + path, {
          method,
          headers: { authorization: `Bearer ${tokens.ops}`, 'content-type': type },
          ...(body === undefined ? {} : { body }),
        });
        return { status: res.status, body: (await res.json()) as T };
      };
      expect((await call('POST', '/api/v1/plans', PLAN, 'application/yaml')).status).toBe(201);
      const created = await call<{ launch: { id: string } }>(
        'POST',
        '/api/v1/launches',
        JSON.stringify({ plan: 'restart-check' }),
      );
      expect(created.status).toBe(201);
      const id = created.body.launch.id;
      const launch = async () =>
        (
          await call<{ launch: LaunchRecord; lastDecision: { seq?: number } | null }>(
            'GET',
            `/api/v1/launches/${id}`,
          )
        ).body;

      // Traffic: one SDK client for the whole test; it reconnects and resends across restarts.
      client = createClient({
        url,
        token: tokens.sdk,
        reconnectBaseMs: 50,
        reconnectMaxMs: 300,
        events: { flushIntervalMs: 50, batchSize: 500, retryBaseMs: 50, retryMaxMs: 300 },
        readyTimeoutMs: 10_000,
        onError: () => undefined,
      });
      await client.ready();
      let users = 0;
      driver = setInterval(() => {
        for (let i = 0; i < 15; i++) {
          const unit = `u-${users++}`;
          const arm = client?.evaluate('restart-check', { userId: unit }).arm;
          if (arm === 'treatment' || arm === 'control')
            client?.track(unit, 'latency_ms', 100 + (users % 5));
        }
      }, 50);

      const waitForDecision = async (after: number): Promise<number> => {
        for (;;) {
          const seq = (await launch()).lastDecision?.seq ?? 0;
          if (seq > after) return seq;
          await sleep(5);
        }
      };

      // 1. Right after a decision was committed.
      await waitForDecision(0);
      await kill(current);
      ({ c: current, url } = await start());

      // 2. During ingest: a large batch in flight.
      const batch = JSON.stringify({
        wireVersion: 1,
        sdk: { name: 'restart-test', version: '1' },
        sentAt: Date.now(),
        batchId: 'restart-batch-1',
        events: Array.from({ length: 5000 }, (_, i) => ({
          type: 'track',
          unit: `u-${i}`,
          event: 'latency_ms',
          value: 100,
          ts: Date.now(),
        })),
      });
      const inflight = fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.sdk}`, 'content-type': 'application/json' },
        body: batch,
      }).catch(() => undefined);
      await sleep(3);
      await kill(current);
      await inflight;
      ({ c: current, url } = await start());

      // 3. While the outbox is sending: the receiver holds the next announcement unanswered.
      const sending = new Promise<string>((resolve) => {
        receiver!.onRequest = (r) => resolve(String(r.headers['idempotency-key']));
      });
      receiver.script.push('hang');
      const heldKey = await sending;
      receiver.onRequest = undefined;
      await kill(current);
      ({ c: current, url } = await start());

      // 4. At arbitrary moments of the loop (looks, commits, projection).
      for (const ms of [37, 151, 263]) {
        await sleep(ms);
        await kill(current);
        ({ c: current, url } = await start());
      }

      // The launch carries on to the end.
      for (;;) {
        const l = await launch();
        if (l.launch.status === 'completed') break;
        expect(l.launch.status).toBe('running');
        await sleep(50);
      }
      clearInterval(driver);
      await sleep(1500); // let the last announcement go out
      current.child.kill('SIGTERM');
      await current.exited;

      const check = await openStore({ dataDir: dir });
      let log: LaunchEvent[];
      let audit: AuditEntry[];
      try {
        log = await check.listLaunchEvents(id);
        audit = await check.listAudit({
          subject: `launch:${id}`,
          action: 'controller.decision',
          limit: 10_000,
        });
        expect(await check.dueOutbox(new Date(Date.now() + 3_600_000).toISOString(), 100)).toEqual(
          [],
        );
        expect((await check.verifyAudit()).ok).toBe(true);
      } finally {
        await check.close();
      }

      expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
      const decisions = log.filter((e) => e.type === 'decision');
      const data = decisions.map((e) => e.data as Decision);
      const advances = data.filter((d) => d.type === 'advance');
      expect(advances.map((d) => (d.type === 'advance' ? [d.from, d.to] : []))).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
      ]);
      expect(data.filter((d) => d.type === 'complete')).toHaveLength(1);
      const keys = data.flatMap((d) => ('key' in d && d.key !== undefined ? [d.key] : []));
      expect(new Set(keys).size).toBe(keys.length);
      // One audit entry per decision, none for a decision that was not committed.
      expect(audit.map((a) => (a.data as { seq: number }).seq)).toEqual(
        decisions.map((e) => e.seq),
      );

      // Every announcement arrived. A key arrived again only when a kill fell between its
      // deliveries (sent, not yet marked done): at-least-once, never a resend of a done message.
      const announced = decisions.map((e) => `${id}:${e.seq}:announce`);
      const times = new Map<string, number[]>();
      for (const r of receiver.received) {
        const key = String(r.headers['idempotency-key']);
        times.set(key, [...(times.get(key) ?? []), r.at]);
      }
      for (const key of announced) expect(times.get(key)?.length, key).toBeGreaterThanOrEqual(1);
      for (const [key, at] of times) {
        for (let i = 1; i < at.length; i++) {
          const killedBetween = kills.some((k) => k >= (at[i - 1] ?? 0) && k <= (at[i] ?? 0));
          expect(killedBetween, `${key} delivered again without a kill in between`).toBe(true);
        }
      }
      // The held message was resent after its kill; a later kill may land during that resend
      // too (a loaded machine restarts slowly), which the loop above allows only with a kill.
      expect(times.get(heldKey)?.length).toBeGreaterThanOrEqual(2);
    },
  );
});
