/** One error shape everywhere: unknown routes, wrong methods, bad bodies, uncaught errors. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createToken, openStore } from '@threshold/server';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

function expectErrorShape(body: unknown, code: string): asserts body is ErrorBody {
  expect(Object.keys(body as object)).toEqual(['error']);
  const { error } = body as ErrorBody;
  expect(Object.keys(error)).toEqual(['code', 'message', 'details', 'requestId']);
  expect(error.code).toBe(code);
  expect(error.message).not.toMatch(/\n\s+at /);
  expect(typeof error.details).toBe('object');
}

describe('error shape', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ app: { maxBodyBytes: 2048 } });
  });
  afterAll(async () => t?.close());

  it('404 for an unknown route, with x-request-id equal to the body requestId', async () => {
    const res = await t.json('admin', 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'NOT_FOUND');
    expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
  });

  it('405 with Allow for a known path and a wrong method', async () => {
    const res = await t.json('admin', 'DELETE', '/api/v1/plans');
    expect(res.status).toBe(405);
    expectErrorShape(res.body, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('POST, GET, HEAD');
    const launch = await t.json('admin', 'GET', '/api/v1/launches/x/pause');
    expect(launch.status).toBe(405);
    expect(launch.headers.get('allow')).toBe('POST');
  });

  it('keeps a sane incoming x-request-id and replaces a hostile one', async () => {
    const kept = await t.call('admin', 'GET', '/api/v1/nope', undefined, {
      'x-request-id': 'trace-42',
    });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    expect(((await kept.json()) as ErrorBody).error.requestId).toBe('trace-42');
    const replaced = await t.call('admin', 'GET', '/api/v1/nope', undefined, {
      'x-request-id': 'a b<script>',
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('400 MALFORMED_BODY for broken JSON, naming the problem', async () => {
    const res = await t.json('admin', 'POST', '/api/v1/tokens', '{"name": "x",', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'MALFORMED_BODY');
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('400 VALIDATION_FAILED names every bad field with its path', async () => {
    const res = await t.json('admin', 'POST', '/api/v1/tokens', { scopes: ['root'] });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    const errors = res.body.error.details.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['body.name', 'body.scopes.0']);
    expect(errors.find((e) => e.path === 'body.name')?.message).toMatch(/required/);
    expect(errors.find((e) => e.path === 'body.scopes.0')?.message).toMatch(/unknown scope "root"/);
  });

  it('415 for a body type the route does not take', async () => {
    const res = await t.json('admin', 'POST', '/api/v1/tokens', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(415);
    expectErrorShape(res.body, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.error.details.accepted).toEqual(['application/json']);
  });

  it('413 for an API body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(5000), scopes: ['viewer'] });
    const res = await t.json('admin', 'POST', '/api/v1/tokens', big, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
    expect(res.body.error.details.limitBytes).toBe(2048);
    // Chunked upload without Content-Length: the limit holds while streaming.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        c.close();
      },
    });
    const streamed = await fetch(`${t.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('an unknown or malformed token is 401 with WWW-Authenticate', async () => {
    for (const auth of ['Bearer thr_nope', 'Basic dXNlcjpwdw==', 'Bearer']) {
      const res = await fetch(`${t.url}/api/v1/plans`, { headers: { authorization: auth } });
      expect(res.status, auth).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectErrorShape(await res.json(), 'UNAUTHENTICATED');
    }
  });
});

describe('uncaught errors and logs', () => {
  it('a failing store becomes 500 INTERNAL without a stack; the log has the stack and request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const store = await openStore({ url: 'sqlite::memory:' });
    const { token } = await createToken(store, { name: 'ops', scopes: ['operator'] });
    const app = createApp({ store, logger: pino(sink) });
    const ok = await app.request('/api/v1/plans', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    // A real store, closed underneath the app: every query now throws.
    await store.close();
    const res = await app.request('/api/v1/launches', {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-500' },
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorBody;
    expectErrorShape(body, 'INTERNAL');
    expect(body.error.message).toContain('req-500');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);

    const failure = lines.find((l) => l.msg === 'unhandled error');
    expect(failure?.reqId).toBe('req-500');
    expect(String((failure?.err as { stack?: string } | undefined)?.stack)).toMatch(/\n\s+at /);
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines.map((l) => [l.status, l.route, typeof l.reqId])).toEqual([
      [200, '/api/v1/plans', 'string'],
      [500, '/api/v1/launches', 'string'],
    ]);
    expect(requestLines[0]?.actor).toBe('ops');
    expect(requestLines[1]?.code).toBe('INTERNAL');
    // The secret never reaches the log.
    expect(JSON.stringify(lines)).not.toContain(token);
  });
});
