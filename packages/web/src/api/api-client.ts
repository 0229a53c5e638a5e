/**
 * The dashboard's HTTP client, one error type built from the API's one error
 * shape. Signed in with an API token, the token lives only in this object
 * (memory) and goes as a bearer on every call. Signed in through the provider,
 * the session is an HttpOnly cookie the browser sends to this origin only; every
 * call then carries the session's CSRF token (X-CSRF-Token), which no page of
 * another site can read, so a forged request is refused.
 */
import { SseParser } from '@threshold/sdk';
import type { SseMessage } from '@threshold/sdk';
import type { ErrorAnswer, WhoAmI as WhoAmIAnswer } from './api-types.js';

/** An error answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  /** GETs a text answer (e.g. the report as HTML). */
  getText(path: string): Promise<string>;
  post<T>(path: string, body: unknown, contentType?: string): Promise<T>;
  /** Reads a server-sent-events stream until `signal` aborts or the stream ends. */
  stream(path: string, onMessage: (m: SseMessage) => void, signal: AbortSignal): Promise<void>;
  /** POSTs JSON and reads an NDJSON answer line by line until it ends or `signal` aborts. */
  postLines(
    path: string,
    body: unknown,
    onLine: (line: Record<string, unknown>) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The API's error shape, every part optional: a proxy in between may answer anything. */
interface ErrorBody {
  error?: Partial<ErrorAnswer['error']>;
}

async function failure(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not the API's JSON (a proxy page, say): the status line is all there is.
  }
  const e = body.error;
  return new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `${res.status} ${res.statusText}`,
    e?.details ?? {},
    e?.requestId,
  );
}

/** How the client signs its calls: an API token, or the session cookie with its CSRF token. */
export type ApiAuth = string | { csrf: string };

/** A client for the API at `baseUrl` (default: this origin). */
export function createApiClient(auth: ApiAuth, baseUrl = ''): ApiClient {
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    typeof auth === 'string'
      ? { Authorization: `Bearer ${auth}`, ...extra }
      : { 'X-CSRF-Token': auth.csrf, ...extra };
  const credentials: RequestCredentials = typeof auth === 'string' ? 'omit' : 'same-origin';
  const send = async (path: string, init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(baseUrl + path, { ...init, credentials, cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `cannot reach the server: ${String(err)}`);
    }
    if (!res.ok) throw await failure(res);
    return res;
  };
  return {
    async get<T>(path: string) {
      const res = await send(path, { headers: headers({ Accept: 'application/json' }) });
      return (await res.json()) as T;
    },
    async getText(path: string) {
      return (await send(path, { headers: headers() })).text();
    },
    async post<T>(path: string, body: unknown, contentType = 'application/json') {
      const res = await send(path, {
        method: 'POST',
        headers: headers({ 'Content-Type': contentType, Accept: 'application/json' }),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return (await res.json()) as T;
    },
    async postLines(path, body, onLine, signal) {
      const res = await send(path, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json', Accept: 'application/x-ndjson' }),
        body: JSON.stringify(body),
        signal,
      });
      const reader = res.body?.getReader();
      if (reader === undefined) return;
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines)
            if (line.trim() !== '') onLine(JSON.parse(line) as Record<string, unknown>);
          if (done) return;
        }
      } finally {
        reader.releaseLock();
      }
    },
    async stream(path, onMessage, signal) {
      const res = await send(path, {
        headers: headers({ Accept: 'text/event-stream' }),
        signal,
      });
      const reader = res.body?.getReader();
      if (reader === undefined) return;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          for (const m of parser.push(decoder.decode(value, { stream: true }))) onMessage(m);
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** The signed-in person of this browser's session cookie, or null when there is none. */
export async function cookieSession(baseUrl = ''): Promise<WhoAmIAnswer | null> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/v1/whoami`, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
  } catch {
    return null;
  }
  if (!res.ok) return null;
  const who = (await res.json()) as WhoAmIAnswer;
  return who.via === 'session-cookie' && who.csrf !== undefined ? who : null;
}

/** Whether this server signs people in through an OpenID provider. */
export async function singleSignOn(baseUrl = ''): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/auth`, { credentials: 'omit', cache: 'no-store' });
    return res.ok && ((await res.json()) as { oidc?: unknown }).oidc === true;
  } catch {
    return false;
  }
}

/** Ends the cookie session on the server (the cookie is cleared by the answer). */
export async function signOutSession(csrf: string, baseUrl = ''): Promise<void> {
  await fetch(`${baseUrl}/auth/logout`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrf },
  }).catch(() => undefined);
}
