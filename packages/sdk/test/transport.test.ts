import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '@threshold/sdk';
import type { ClientOptions, ThresholdClient } from '@threshold/sdk';
import { doc, flag, TEST_TOKEN, TestServer, waitFor } from './support/test-server.js';

const on = flag({ key: 'f', traffic: 10_000 });
const off = flag({ key: 'f', traffic: 0 });
const ctx = { userId: 'u1' };

let servers: TestServer[] = [];
let clients: ThresholdClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
  clients = [];
  servers = [];
});

async function serve(initial = doc('v1', [on])): Promise<TestServer> {
  const s = await new TestServer(initial).start();
  servers.push(s);
  return s;
}

function client(server: TestServer, o: Partial<ClientOptions> = {}): ThresholdClient {
  const c = createClient({
    url: server.url,
    token: TEST_TOKEN,
    events: false,
    reconnectBaseMs: 10,
    reconnectMaxMs: 50,
    pollIntervalMs: 20,
    ...o,
  });
  clients.push(c);
  return c;
}

describe('config delivery', () => {
  it('fetches the config, then streams changes pushed by the server', async () => {
    const server = await serve();
    const c = client(server);
    const changes: string[][] = [];
    c.on('change', (e) => changes.push(e.flagsChanged));
    await c.ready();
    expect(c.isOn('f', ctx)).toBe(true);
    await waitFor(() => server.streams.size === 1, 5000, 'stream connect');
    server.setConfig(doc('v2', [off, flag({ key: 'g' })]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'push');
    expect(c.isOn('f', ctx, true)).toBe(false);
    expect(changes.at(-1)?.sort()).toEqual(['f', 'g']);
    expect(c.status).toBe('ready');
  });

  it('rejects a bad token: stays not-ready, reports errors', async () => {
    const server = await serve();
    const errors: unknown[] = [];
    const c = client(server, { token: 'wrong', readyTimeoutMs: 100 });
    c.on('error', (e) => errors.push(e.error));
    await expect(c.ready()).rejects.toThrow(/readyTimeoutMs/);
    expect(errors.length).toBeGreaterThan(0);
    expect(server.counts.unauthorized).toBeGreaterThan(0);
  });

  it('uses If-None-Match: the poll after an unchanged config is a 304', async () => {
    const server = await serve();
    const c = client(server, { stream: false });
    await c.ready();
    await waitFor(() => server.counts.config304 >= 2, 5000, '304s');
    expect(server.counts.config200).toBe(1);
    server.setConfig(doc('v2', [off]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'poll picks up v2');
    expect(server.counts.config200).toBe(2);
    expect(server.counts.streamConnects).toBe(0);
  });

  it('sends If-None-Match for a bootstrapped config and Last-Event-ID on the stream', async () => {
    const server = await serve();
    const c = client(server, { bootstrap: doc('v1', [on]) });
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    expect(server.counts.config304).toBe(1);
    expect(server.counts.config200).toBe(0);
    expect(server.lastEventIds).toEqual(['v1']);
    expect(c.stats.configUpdates).toBe(1);
  });

  it('reconnects a stream that went silent (no pings)', async () => {
    const server = await serve();
    server.pings = false;
    const c = client(server, { streamIdleTimeoutMs: 50 });
    await c.ready();
    await waitFor(() => server.counts.streamConnects >= 3, 5000, 'reconnects');
    expect(server.lastEventIds.slice(1).every((id) => id === 'v1')).toBe(true);
    // The config keeps serving, and pushes still arrive over a fresh connection.
    expect(c.isOn('f', ctx)).toBe(true);
    server.setConfig(doc('v2', [off]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'push after reconnect');
  });

  it('keeps serving while the server is away (stale), reconnects when it returns', async () => {
    const server = await serve();
    const c = client(server);
    const seen: string[] = [];
    c.on('stale', () => seen.push('stale'));
    c.on('ready', () => seen.push('ready'));
    await c.ready();
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    const port = server.port;
    await server.stop();
    await waitFor(() => c.status === 'stale', 5000, 'stale');
    expect(c.isOn('f', ctx)).toBe(true);
    expect(c.evaluate('f', ctx).reason).toBe('SPLIT');

    server.config = doc('v3', [off]);
    await server.start(port);
    await waitFor(() => c.config?.version === 'v3', 5000, 'config after restart');
    await waitFor(() => c.status === 'ready', 5000, 'ready again');
    expect(c.isOn('f', ctx, true)).toBe(false);
    expect(seen).toContain('stale');
    expect(seen.at(-1)).toBe('ready');
  });

  it.each([404, 500])('falls back to polling when /v1/stream answers %i', async (status) => {
    const server = await serve();
    server.streamStatus = status;
    const c = client(server, { streamFailuresBeforePolling: 2 });
    await c.ready();
    server.setConfig(doc('v2', [off]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'poll picks up v2');
    expect(server.counts.streamConnects).toBe(0);
    // Polling keeps the config fresh: the failing stream retries do not flap the status.
    await waitFor(() => c.status === 'ready', 5000, 'ready via polling');
    let flaps = 0;
    c.on('stale', () => flaps++);
    const polls = server.counts.config304;
    await waitFor(() => server.counts.config304 >= polls + 5, 5000, 'more polls');
    expect(flaps).toBe(0);
    expect(c.status).toBe('ready');
    // The stream is still retried: once it works again, pushes arrive over it.
    server.streamStatus = 200;
    await waitFor(() => server.streams.size === 1, 5000, 'stream back');
    server.setConfig(doc('v3', [on]));
    await waitFor(() => c.config?.version === 'v3', 5000, 'push v3');
    expect(c.status).toBe('ready');
  });

  it('treats a 200 that is not an event stream (a proxy page) as a failed stream', async () => {
    const server = await serve();
    server.streamHtml = '<html>login</html>';
    const c = client(server, { streamFailuresBeforePolling: 2 });
    await c.ready();
    server.setConfig(doc('v2', [off]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'poll picks up v2');
    expect(server.streams.size).toBe(0);
  });

  it('rejects an invalid config and keeps the last good one', async () => {
    const server = await serve();
    const c = client(server);
    const errors: string[] = [];
    c.on('error', (e) => errors.push(String(e.error)));
    await c.ready();
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    server.setRawConfig('bad1', JSON.stringify(doc('bad1', [{ ...on, traffic: -5 }])));
    server.setRawConfig('bad2', '{not json');
    await waitFor(() => c.stats.rejectedConfigs >= 2, 5000, 'rejections');
    expect(c.config?.version).toBe('v1');
    expect(c.isOn('f', ctx)).toBe(true);
    expect(errors.some((e) => e.includes('flags.0.traffic'))).toBe(true);
    server.setConfig(doc('v2', [off]));
    await waitFor(() => c.config?.version === 'v2', 5000, 'good again');
  });

  it('persists the last good config and serves it on restart before the network', async () => {
    const server = await serve();
    let saved: string | null = null;
    const storage = {
      load: () => saved,
      save: (text: string) => {
        saved = text;
      },
    };
    const c1 = client(server, { storage });
    await c1.ready();
    await waitFor(() => saved !== null, 5000, 'save');
    await c1.close();
    await server.stop();

    // Server is down: the second client starts from storage alone.
    const c2 = client(server, { storage: { load: async () => saved, save: storage.save } });
    await c2.ready();
    expect(c2.config?.version).toBe('v1');
    expect(c2.isOn('f', ctx)).toBe(true);
  });

  it('a throwing listener or storage never breaks the client', async () => {
    const server = await serve();
    const c = client(server, {
      storage: {
        load: () => {
          throw new Error('disk gone');
        },
        save: () => Promise.reject(new Error('disk full')),
      },
    });
    c.on('change', () => {
      throw new Error('listener bug');
    });
    await c.ready();
    expect(c.isOn('f', ctx)).toBe(true);
  });
});
