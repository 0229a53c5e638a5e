/**
 * The operator commands talk to a Threshold server over its HTTP API: where
 * (`--server` / THRESHOLD_URL, default http://localhost:4600) and as whom
 * (`--token` / THRESHOLD_TOKEN, else the session `threshold login` saved for that
 * server). Every failure becomes one readable line.
 */
import type { ParsedArgs } from '../args.js';
import { lastValue } from '../args.js';
import type { Io } from '../io.js';
import { UsageError } from '../usage-error.js';
import { credentialsPath, savedLogin } from '../credentials.js';

/** Default server of the operator commands (the port `threshold serve` and `npm start` use). */
export const DEFAULT_SERVER_URL = 'http://localhost:4600';

/** Value options every launch subcommand accepts. */
export const CONNECTION_OPTIONS = ['server', 'token'] as const;

/** A failed API call, with the server's error code when it answered. */
export class ApiCallError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly details: unknown;
  constructor(message: string, status?: number, code?: string, details?: unknown) {
    super(message);
    this.name = 'ApiCallError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Where and as whom to call. */
export interface Connection {
  url: string;
  token: string | undefined;
}

/** The connection from flags, then the environment, then defaults. */
export function connectionOf(parsed: ParsedArgs, io: Io, command: string): Connection {
  const env = io.env ?? {};
  const raw = lastValue(parsed, 'server') ?? env['THRESHOLD_URL'] ?? DEFAULT_SERVER_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server: '${raw}' is not a URL (e.g. http://localhost:4600)`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server: '${raw}' must be an http(s) URL`, command);
  const base = url.toString().replace(/\/+$/, '');
  let token = lastValue(parsed, 'token') ?? env['THRESHOLD_TOKEN'];
  // A person signed in with 'threshold login' needs no token: their saved session is used.
  if (token === undefined || token === '') token = savedLogin(credentialsPath(env), base)?.token;
  return {
    url: base,
    token: token === undefined || token === '' ? undefined : token,
  };
}

/** Call the API; resolves with the parsed JSON body of a 2xx answer, throws ApiCallError otherwise. */
export async function callApi<T>(
  conn: Connection,
  method: 'GET' | 'POST',
  path: string,
  body?: { json: unknown } | { text: string; contentType: string },
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (conn.token !== undefined) headers['authorization'] = `Bearer ${conn.token}`;
  let payload: string | undefined;
  if (body !== undefined && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body !== undefined) {
    headers['content-type'] = body.contentType;
    payload = body.text;
  }
  let res: Response;
  try {
    res = await fetch(conn.url + path, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    throw new ApiCallError(
      `cannot reach the Threshold server at ${conn.url} (${why}); start one with 'threshold serve' or 'npm start', or point --server / THRESHOLD_URL at it`,
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiCallError(
      `${conn.url} answered ${res.status} with something that is not JSON: is it a Threshold server?`,
      res.status,
    );
  }
  if (res.ok) return parsed as T;
  const error = (
    parsed as { error?: { code?: string; message?: string; details?: unknown } } | null
  )?.error;
  // Hints only where the code says what went wrong: a 403 may also be a refused self-approval.
  const hint =
    res.status === 401
      ? conn.token === undefined
        ? ' (pass a token with --token or THRESHOLD_TOKEN)'
        : " (a token works only on the server whose store made it: check --server / THRESHOLD_URL, and that 'threshold token create' used that server's --data-dir or THRESHOLD_DATABASE_URL)"
      : error?.code === 'FORBIDDEN'
        ? ' (this token lacks the scope)'
        : '';
  throw new ApiCallError(
    `${error?.message ?? `HTTP ${res.status}`}${hint}`,
    res.status,
    error?.code,
    error?.details,
  );
}
