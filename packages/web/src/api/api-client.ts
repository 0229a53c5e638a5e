/**
 * The dashboard's HTTP client: bearer token on every call, one error type built
 * from the API's one error shape. The token lives only in this object (memory):
 * the API takes bearer tokens, never cookies, so there is no ambient credential
 * for another site to ride on (no CSRF), and nothing secret is written to storage.
 */
import { SseParser } from '@threshold/sdk';
import type { SseMessage } from '@threshold/sdk';
import type { ErrorAnswer } from './api-types.js';

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

/** A client for the API at `baseUrl` (default: this origin). */
export function createApiClient(token: string, baseUrl = ''): ApiClient {
  const headers = (extra: Record<string, string> = {}) => ({
    Authorization: `Bearer ${token}`,
    ...extra,
  });
  const send = async (path: string, init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(baseUrl + path, { ...init, credentials: 'omit', cache: 'no-store' });
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
