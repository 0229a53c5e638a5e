/**
 * A small client for the Prometheus HTTP API v1 (also Thanos, Mimir,
 * VictoriaMetrics): form-encoded POSTs over node:http(s) with a keep-alive agent,
 * so a private CA (`caFile`) works and a per-query timeout aborts the socket.
 * Every failure becomes a {@link PromQueryError} whose message is a sentence
 * naming the engine ("prometheus at http://… timed out after 5s").
 */
import http from 'node:http';
import https from 'node:https';
import type { SourceConfig } from './metric-source.js';
import { readCaFile } from './ca-file.js';
import { tlsProblem } from './tls-problem.js';

/** Why a query failed: the engine said no (`rejected`), or we never got a usable answer. */
export type PromFailure =
  'unreachable' | 'timeout' | 'rejected' | 'auth' | 'tls' | 'http' | 'aborted';

/** A failed query, with a message that reads well in a verdict. */
export class PromQueryError extends Error {
  constructor(
    readonly failure: PromFailure,
    message: string,
    /** The engine's own error text (for rejected queries). */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PromQueryError';
  }
}

/** One sample of a matrix or vector result. */
export interface PromSeries {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

/** The parts of an API response we read. */
interface ApiResponse {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

/** The client of one configured Prometheus. */
export interface PromClient {
  /** Where, for messages: "prometheus at http://127.0.0.1:9090". */
  readonly target: string;
  /** POST /api/v1/<endpoint> with form params; resolves to `data`, rejects with PromQueryError. */
  call(endpoint: string, params: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
  close(): void;
}

/** "prometheus at http://host:9090", or "prometheus source eu at …" for a named one; never with credentials. */
export function sourceTarget(config: Pick<SourceConfig, 'name' | 'kind' | 'url'>): string {
  let shown = config.url;
  try {
    const u = new URL(config.url);
    u.username = '';
    u.password = '';
    u.search = '';
    shown = u.toString().replace(/\/+$/, '');
  } catch {
    // Config loading checked the URL; show it as written otherwise.
  }
  const who = config.name === config.kind ? config.kind : `${config.kind} source ${config.name}`;
  return `${who} at ${shown}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A connection error as a sentence; TLS failures say so (not "unreachable") and how to fix them. */
function connectionError(
  config: SourceConfig,
  target: string,
  err: NodeJS.ErrnoException,
): PromQueryError {
  const tls = tlsProblem(config, err);
  if (tls !== undefined) return new PromQueryError('tls', `${target}: ${tls}`);
  return new PromQueryError('unreachable', `${target} is unreachable (${err.code || err.message})`);
}

/** A client for one source configuration. */
export function createPromClient(config: SourceConfig): PromClient {
  const base = new URL(`${config.url.replace(/\/+$/, '')}/`);
  const target = sourceTarget(config);
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: 16,
        ...(config.caFile === undefined
          ? {}
          : { ca: readCaFile({ ...config, caFile: config.caFile }) }),
      })
    : new http.Agent({ keepAlive: true, maxSockets: 16 });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (config.auth?.type === 'bearer') headers['authorization'] = `Bearer ${config.auth.token}`;
  if (config.auth?.type === 'basic')
    headers['authorization'] =
      `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`;

  function call(
    endpoint: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const url = new URL(`api/v1/${endpoint}`, base);
    const body = new URLSearchParams(params).toString();
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new PromQueryError('aborted', `${target}: the look was abandoned`));
        return;
      }
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => {
        finish(() =>
          reject(
            new PromQueryError('timeout', `${target} timed out after ${seconds(config.timeoutMs)}`),
          ),
        );
        req.destroy();
      }, config.timeoutMs);
      const onAbort = () => {
        finish(() => reject(new PromQueryError('aborted', `${target}: the look was abandoned`)));
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish(() => reject(connectionError(config, target, err)));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          finish(() =>
            reject(
              new PromQueryError('unreachable', `${target}: response broke off (${err.message})`),
            ),
          ),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: ApiResponse | undefined;
          try {
            parsed = JSON.parse(text) as ApiResponse;
          } catch {
            parsed = undefined;
          }
          finish(() => {
            if (status === 401 || status === 403) {
              reject(
                new PromQueryError('auth', `${target} refused the credentials (HTTP ${status})`),
              );
            } else if (parsed?.status === 'error') {
              const detail = parsed.error ?? parsed.errorType ?? 'unknown error';
              reject(
                new PromQueryError('rejected', `${target} rejected the query: ${detail}`, detail),
              );
            } else if (status !== 200 || parsed?.status !== 'success') {
              reject(
                new PromQueryError(
                  'http',
                  `${target} answered HTTP ${status}${parsed === undefined ? ' (not JSON)' : ''}`,
                ),
              );
            } else resolve(parsed.data);
          });
        });
      });
      req.end(body);
    });
  }

  return {
    target,
    call,
    close: () => agent.destroy(),
  };
}

/**
 * One query_range series as time (ms) → value; non-finite values (NaN of an empty
 * interval) are left out. More than one series is refused: the caller needs one number per step.
 */
export async function queryRange(
  client: PromClient,
  query: string,
  range: { startMs: number; endMs: number; stepMs: number },
): Promise<Map<number, number>> {
  const data = (await client.call('query_range', {
    query,
    start: String(range.startMs / 1000),
    end: String(range.endMs / 1000),
    step: String(range.stepMs / 1000),
  })) as { resultType?: string; result?: PromSeries[] } | undefined;
  const result = Array.isArray(data?.result) ? data.result : [];
  if (result.length > 1)
    throw new PromQueryError(
      'rejected',
      `${client.target}: the query returned ${result.length} series; aggregate it to one per step (e.g. sum(...))`,
    );
  const out = new Map<number, number>();
  for (const [t, v] of result[0]?.values ?? []) {
    const x = Number(v);
    if (Number.isFinite(x)) out.set(Math.round(t * 1000), x);
  }
  return out;
}
