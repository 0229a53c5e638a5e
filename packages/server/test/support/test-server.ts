/** Starts a real server (real HTTP, real store) with one token per scope, for API tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer, Scope, StartServerOptions } from '@threshold/server';

/** The callers the tests use: a name for the matrix and the secret. */
export const CALLERS = {
  none: undefined,
  sdk: ['sdk'],
  viewer: ['viewer'],
  operator: ['operator'],
  'approver:product': ['approver:product'],
  'approver:other': ['approver:other'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Scope[] | undefined>;

/** A caller name of {@link CALLERS}. */
export type Caller = keyof typeof CALLERS;

/** A running test server with a token per caller. */
export interface TestServer {
  server: RunningServer;
  url: string;
  /** Bearer secret per caller (undefined for `none`). */
  tokens: Record<Caller, string | undefined>;
  /** fetch relative to the server, as `caller` (or with a raw secret), JSON bodies encoded. */
  call(
    caller: Caller | { token: string },
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Like call, and the parsed JSON body (null when there is none). */
  json<T = Record<string, unknown>>(
    caller: Caller | { token: string },
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Creates a token through the API (as admin) and returns its secret. */
  token(name: string, scopes: Scope[]): Promise<{ token: string }>;
  close(): Promise<void>;
}

/** PostgreSQL URL for tests, when configured. */
export const TEST_DATABASE_URL = process.env.THRESHOLD_TEST_DATABASE_URL;

/** A silent logger for tests. */
export const silentLogger = () => pino({ level: 'silent' });

/**
 * Starts a server on SQLite in a temp folder (or on PostgreSQL in a fresh schema
 * with `postgres: true`), and creates one token per caller, named after it.
 */
export async function startTestServer(
  options: Partial<StartServerOptions> & { postgres?: boolean } = {},
): Promise<TestServer> {
  const { postgres, ...rest } = options;
  const dir = mkdtempSync(join(tmpdir(), 'threshold-api-'));
  const schema = `api_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const server = await startServer({
    port: 0,
    logger: silentLogger(),
    // API tests drive launches themselves; the controller has its own tests.
    controller: false,
    outbox: false,
    ...(postgres === true
      ? { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema }
      : { dataDir: dir }),
    ...rest,
  });
  const tokens = {} as Record<Caller, string | undefined>;
  for (const [caller, scopes] of Object.entries(CALLERS) as [
    Caller,
    readonly Scope[] | undefined,
  ][]) {
    tokens[caller] =
      scopes === undefined
        ? undefined
        : (await createToken(server.store, { name: caller, scopes })).token;
  }
  const call: TestServer['call'] = (caller, method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    const token = typeof caller === 'string' ? tokens[caller] : caller.token;
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    return fetch(server.url + path, { method, headers: h, body: payload });
  };
  return {
    server,
    url: server.url,
    tokens,
    call,
    async json(caller, method, path, body, headers) {
      const res = await call(caller, method, path, body, headers);
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: (text === '' ? null : JSON.parse(text)) as never,
      };
    },
    async token(name, scopes) {
      const res = await call('admin', 'POST', '/api/v1/tokens', { name, scopes });
      if (res.status !== 201) throw new Error(`token create failed: ${res.status}`);
      return { token: ((await res.json()) as { token: string }).token };
    },
    async close() {
      await server.close();
      if (postgres === true && TEST_DATABASE_URL !== undefined) {
        const pg = await import('pg');
        const client = new pg.default.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The one error body's shape, for assertions. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown>; requestId: string };
}
