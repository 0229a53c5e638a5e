/**
 * The SDK catches up as soon as the server is back: a real server is stopped
 * while the SDK holds events, and started again on the same port and data. The
 * queue's retry waits up to an hour here, so the events can only arrive because
 * the recovery (a probe or the config connection) triggered the retry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer } from '@threshold/server';
import { createClient } from '@threshold/sdk';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './support/test-server.js';

const HOUR = 3_600_000;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** threshold_ingested_events_total of one server process. */
async function ingested(server: RunningServer, token: string): Promise<number> {
  const res = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const m = /^threshold_ingested_events_total (\d+)$/m.exec(await res.text());
  return Number(m?.[1] ?? 0);
}

describe('SDK events after a server outage', () => {
  it.each([
    ['with the config stream', {}],
    // No stream and an hourly poll: only the queue's own probe can notice the recovery.
    ['with only the probe', { stream: false, pollIntervalMs: HOUR }],
  ])(
    'resume as soon as the server answers again, %s',
    async (_, transport) => {
      const dir = mkdtempSync(join(tmpdir(), 'threshold-outage-'));
      const start = (port = 0) =>
        startServer({
          port,
          dataDir: dir,
          logger: silentLogger(),
          controller: false,
          outbox: false,
        });
      let server = await start();
      const port = Number(new URL(server.url).port);
      const sdk = (await createToken(server.store, { name: 'sdk', scopes: ['sdk'] })).token;
      const viewer = (await createToken(server.store, { name: 'v', scopes: ['viewer'] })).token;
      const client = createClient({
        url: server.url,
        token: sdk,
        events: { flushIntervalMs: 50, retryBaseMs: HOUR, retryMaxMs: HOUR },
        readyTimeoutMs: 5000,
        ...transport,
      });
      try {
        await client.ready();
        client.track('u-1', 'before');
        await until('the first event', () => client.stats.sentEvents === 1);

        await server.close();
        for (let i = 0; i < 50; i++) client.track(`u-${i}`, 'during');
        await until('a failed send', () => client.stats.eventRetries >= 1);
        expect(client.stats.queuedEvents).toBe(50);

        server = await start(port);
        const back = performance.now();
        await until('the held events', () => client.stats.sentEvents === 51);
        const caughtUpMs = performance.now() - back;
        expect(client.stats.eventRecoveries).toBeGreaterThanOrEqual(1);
        client.track('u-1', 'after');
        await until('the new event', () => client.stats.sentEvents === 52);
        await until(
          'all 51 stored by the new process',
          async () => (await ingested(server, viewer)) === 51,
        );
        console.log(
          `sdk-outage (${_}): events resumed ${Math.round(caughtUpMs)} ms after the restart`,
        );
      } finally {
        await client.close();
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
