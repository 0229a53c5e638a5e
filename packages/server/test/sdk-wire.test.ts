/** The SDK wire protocol as served: config + ETag, the config stream, event ingest and its limits. */
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, parseConfigDocument } from '@threshold/core';
import type { ConfigDocument } from '@threshold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { openSse } from './support/sse-reader.js';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

// Event times must lie within the server's window around its clock (EVENT_TIME_WINDOW).
const NOW = Date.now();
const batch = (events: unknown[], extra: Record<string, unknown> = {}) => ({
  wireVersion: 1,
  sdk: { name: 'test', version: '1' },
  sentAt: NOW,
  events,
  ...extra,
});
const track = (unit: string) => ({
  type: 'track',
  unit,
  event: 'purchase',
  value: 1,
  ts: NOW,
});

describe('SDK wire protocol', () => {
  let t: TestServer;
  let launch: string;
  const stored = async () => {
    const s = await t.server.store.projectionStatus();
    return s.batches + s.pendingBatches;
  };

  beforeAll(async () => {
    t = await startTestServer({
      app: { ssePingIntervalMs: 40, ingestRate: { eventsPerSecond: 5, burst: 2000 } },
    });
    await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
      'content-type': 'application/yaml',
    });
    launch = (
      await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
        plan: 'checkout-v2',
      })
    ).body.launch.id;
  });
  afterAll(async () => t?.close());

  it('GET /v1/config: a valid document with ETag; If-None-Match answers 304 until something changes', async () => {
    const first = await t.call('sdk', 'GET', '/v1/config');
    expect(first.status).toBe(200);
    const doc = (await first.json()) as ConfigDocument;
    expect(parseConfigDocument(doc).ok).toBe(true);
    expect(first.headers.get('etag')).toBe(`"${doc.version}"`);
    const same = await t.call('sdk', 'GET', '/v1/config', undefined, {
      'if-none-match': `W/"${doc.version}"`,
    });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    expect(same.headers.get('etag')).toBe(`"${doc.version}"`);

    await t.call('operator', 'POST', `/api/v1/launches/${launch}/pause`, { reason: 'etag test' });
    const changed = await t.call('sdk', 'GET', '/v1/config', undefined, {
      'if-none-match': `"${doc.version}"`,
    });
    expect(changed.status).toBe(200);
    const next = (await changed.json()) as ConfigDocument;
    expect(next.version).not.toBe(doc.version);
    expect(next.flags[0]?.state).toBe('paused');
    await t.call('operator', 'POST', `/api/v1/launches/${launch}/resume`, { reason: 'etag test' });
  });

  it('answers CORS preflights for browsers and exposes ETag', async () => {
    const pre = await fetch(`${t.url}/v1/config`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,if-none-match',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'if-none-match',
    );
    const res = await t.call('sdk', 'GET', '/v1/config', undefined, {
      origin: 'https://shop.example',
    });
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });

  it('GET /v1/stream: config on connect with id, pings while idle, and a new config on change', async () => {
    const { res, sse } = await openSse(`${t.url}/v1/stream`, {
      authorization: `Bearer ${t.tokens.sdk}`,
    });
    try {
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const first = await sse.next();
      expect(first.event).toBe('config');
      const doc = JSON.parse(first.data) as ConfigDocument;
      expect(first.id).toBe(doc.version);
      expect(await sse.nextComment()).toBe('connected');
      expect(await sse.nextComment()).toBe('ping');

      await t.call('operator', 'POST', `/api/v1/launches/${launch}/pause`, {
        reason: 'stream test',
      });
      const pushed = await sse.next();
      const next = JSON.parse(pushed.data) as ConfigDocument;
      expect(next.flags[0]?.state).toBe('paused');
      expect(pushed.id).toBe(next.version);
      await t.call('operator', 'POST', `/api/v1/launches/${launch}/resume`, {
        reason: 'stream test',
      });
      expect(JSON.parse((await sse.next()).data)).toMatchObject({ flags: [{ state: 'running' }] });
    } finally {
      await sse.close();
    }
  });

  it('GET /v1/stream with a current Last-Event-ID sends no config on connect, only later changes', async () => {
    const current = (await t.json<ConfigDocument>('sdk', 'GET', '/v1/config')).body.version;
    const { sse } = await openSse(`${t.url}/v1/stream`, {
      authorization: `Bearer ${t.tokens.sdk}`,
      'last-event-id': current,
    });
    try {
      // Two pings prove the connection is up and nothing was sent before them.
      await sse.nextComment();
      await sse.nextComment();
      await sse.nextComment();
      expect(sse.buffered).toBe(0);
      await t.call('operator', 'POST', `/api/v1/launches/${launch}/pause`, {
        reason: 'last-event-id',
      });
      const msg = await sse.next();
      expect(msg.id).not.toBe(current);
      await t.call('operator', 'POST', `/api/v1/launches/${launch}/resume`, {
        reason: 'last-event-id',
      });
    } finally {
      await sse.close();
    }
  });

  it('POST /v1/events: 202 once stored; a repeated batchId is acknowledged without storing twice', async () => {
    const before = await stored();
    const body = batch([track('u1'), track('u2')], { batchId: 'b-1' });
    const res = await t.json('sdk', 'POST', '/v1/events', body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2, duplicate: false });
    const again = await t.json('sdk', 'POST', '/v1/events', body);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: 0, duplicate: true });
    expect(await stored()).toBe(before + 1);
  });

  it('rejects a bad batch whole with the index, path and reason of each bad event', async () => {
    const before = await stored();
    const res = await t.json<ErrorBody>(
      'sdk',
      'POST',
      '/v1/events',
      batch([
        track('ok'),
        { type: 'track', unit: '', event: 'x', ts: 1 },
        track('ok2'),
        { type: 'click', ts: 1 },
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BATCH_INVALID');
    const errors = res.body.error.details.errors as {
      index: number | null;
      path: string;
      reason: string;
    }[];
    expect(errors.map((e) => [e.index, e.path])).toEqual([
      [1, 'events.1.unit'],
      [3, 'events.3.type'],
    ]);
    expect(errors.every((e) => e.reason.length > 0)).toBe(true);
    const header = await t.json<ErrorBody>('sdk', 'POST', '/v1/events', {
      ...batch([]),
      wireVersion: 2,
    });
    expect((header.body.error.details.errors as { index: number | null }[])[0]?.index).toBeNull();
    expect(await stored()).toBe(before);
  });

  it(`400 for more than ${MAX_BATCH_EVENTS} events, 413 for a body over ${MAX_BATCH_BYTES} bytes`, async () => {
    const many = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => track(`u${i}`));
    const tooMany = await t.json<ErrorBody>('sdk', 'POST', '/v1/events', batch(many));
    expect(tooMany.status).toBe(400);
    expect((tooMany.body.error.details.errors as { path: string }[])[0]?.path).toBe('events');
    const huge = JSON.stringify(batch([{ ...track('u'), unit: 'x'.repeat(MAX_BATCH_BYTES) }]));
    const tooBig = await t.json<ErrorBody>('sdk', 'POST', '/v1/events', huge, {
      'content-type': 'application/json',
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.details.limitBytes).toBe(MAX_BATCH_BYTES);
  });

  it('accepts sendBeacon bodies (text/plain, token in the body) only when there is no Authorization header', async () => {
    const beacon = (token: string | undefined, extra: Record<string, string> = {}) =>
      fetch(`${t.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', ...extra },
        body: JSON.stringify(batch([track('beacon')], token === undefined ? {} : { token })),
      });
    expect((await beacon(t.tokens.sdk)).status).toBe(202);
    expect((await beacon(undefined)).status).toBe(401);
    expect((await beacon('thr_forged')).status).toBe(401);
    expect((await beacon(t.tokens.viewer)).status).toBe(403);
    // With a header the header decides: a viewer header is refused even with a good body token.
    expect(
      (await beacon(t.tokens.sdk, { authorization: `Bearer ${t.tokens.viewer}` })).status,
    ).toBe(403);
  });

  it('429 with Retry-After when a token exceeds its ingest rate; other tokens are not affected', async () => {
    const fill = Array.from({ length: 1000 }, (_, i) => track(`r${i}`));
    let limited: Response | undefined;
    for (let i = 0; i < 3 && limited === undefined; i++) {
      const res = await t.call('admin', 'POST', '/v1/events', batch(fill));
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(202);
    }
    expect(limited?.status).toBe(429);
    const retry = Number(limited?.headers.get('retry-after'));
    expect(Number.isInteger(retry) && retry >= 1).toBe(true);
    expect(((await limited?.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
    expect((await t.call('sdk', 'POST', '/v1/events', batch([track('x')]))).status).toBe(202);
  });

  it('/metrics counts requests by route, ingested, rejected and duplicate events', async () => {
    const res = await t.call('viewer', 'GET', '/metrics');
    const text = await res.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^threshold_ingested_events_total (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^threshold_duplicate_batches_total (\d+)/m)).toBe(1);
    expect(value(/^threshold_rejected_events_total\{reason="invalid"\} (\d+)/m)).toBe(1001 + 4);
    expect(value(/^threshold_rejected_batches_total\{reason="too_large"\} (\d+)/m)).toBe(1);
    expect(value(/^threshold_rejected_events_total\{reason="rate_limited"\} (\d+)/m)).toBe(1000);
    expect(text).toMatch(
      /^threshold_http_requests_total\{route="\/v1\/events",method="POST",status="202"\} \d+/m,
    );
    expect(text).toMatch(
      /^threshold_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/config",method="GET"\} \d+/m,
    );
    expect(text).toMatch(/^threshold_controller_looks_total 0/m);
    expect(text).toMatch(/^threshold_projection_pending_batches \d+/m);
  });
});
