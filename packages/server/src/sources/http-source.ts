/**
 * The http source: a JSON endpoint that returns per-arm sums, the same columns
 * as a sql KPI's rows (docs/metric-sources.md, "http"). A single number per arm
 * is refused: it has no variance, so no guard could say how sure it is.
 *
 * A KPI's url must lie under the configured source's url: the server only calls
 * endpoints an operator configured (a plan cannot point it at any address inside
 * the network), and the source's credentials go nowhere else.
 */
import http from 'node:http';
import https from 'node:https';
import { parseSourceTemplate } from '@threshold/core';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Kpi, SourceTemplateName } from '@threshold/core';
import { readCaFile } from './ca-file.js';
import { ARMS, decodeArmRows } from './decode-arm-rows.js';
import type { Arm, SumsRow } from './decode-arm-rows.js';
import type {
  KpiProblem,
  KpiReading,
  MetricSource,
  SourceConfig,
  SourceHealth,
  SourceReadRequest,
  SourceReading,
} from './metric-source.js';
import { durationWords } from './duration-words.js';
import { tlsProblem } from './tls-problem.js';

/** Largest response read (bytes): sums are small, a page of HTML is not. */
const MAX_RESPONSE_BYTES = 1_000_000;

/** Options beyond the source's configuration. */
export interface HttpSourceOptions {
  /** Request latency and error counters per source (reasons: http, timeout, unreachable, tls, rows). */
  metrics?: Pick<ServerMetrics, 'sourceQueryDuration' | 'sourceErrors'>;
}

/** The http metric source (see the file comment). */
export class HttpSource implements MetricSource {
  readonly kind = 'http' as const;
  readonly name: string;
  readonly target: string;
  readonly #base: URL;
  readonly #config: SourceConfig;
  readonly #ca: string | undefined;
  readonly #metrics: HttpSourceOptions['metrics'];
  #health: SourceHealth;
  #closed = false;

  constructor(config: SourceConfig, options: HttpSourceOptions = {}) {
    this.#config = config;
    this.#metrics = options.metrics;
    this.name = config.name;
    this.#base = new URL(config.url.endsWith('/') ? config.url : `${config.url}/`);
    this.target = `http${config.name === 'http' ? '' : ` ${config.name}`} at ${this.#base.origin}${this.#base.pathname}`;
    this.#ca =
      config.caFile === undefined ? undefined : readCaFile({ ...config, caFile: config.caFile });
    this.#health = { name: this.name, kind: 'http', target: this.target, state: 'unknown' };
  }

  async read(request: SourceReadRequest): Promise<SourceReading> {
    const entries = await Promise.all(
      request.kpis.map(async (kpi) => [kpi.name, await this.#readKpi(kpi, request)] as const),
    );
    return { kpis: Object.fromEntries(entries) };
  }

  async #readKpi(kpi: Kpi, request: SourceReadRequest): Promise<KpiReading> {
    if (this.#closed) return { ok: false, reason: `${this.target} is closed` };
    if (request.signal?.aborted === true)
      return { ok: false, reason: `${this.target}: the look was abandoned before the request` };
    const problem = this.#urlProblem(kpi);
    if (problem !== undefined) return { ok: false, reason: `${kpi.name}: ${problem}` };
    const parsed = parseSourceTemplate(kpi.url ?? '');
    if (!parsed.ok) return { ok: false, reason: `${kpi.name}: ${parsed.message}` };
    const since =
      kpi.window === undefined
        ? request.phaseStartedAt
        : Math.max(request.phaseStartedAt, request.nowMs - kpi.window);
    const urlFor = (arm: Arm | null) =>
      parsed.parts
        .map((p) =>
          'text' in p ? p.text : encodeURIComponent(templateValue(p.name, request, since, arm)),
        )
        .join('');
    const perArm = parsed.names.has('arm');
    const urls = (perArm ? ARMS.map((arm) => urlFor(arm)) : [urlFor(null)]).map((u) =>
      this.#resolve(u),
    );
    if (!urls.every((u) => this.#underBase(u)))
      return { ok: false, reason: `${kpi.name}: the filled url leaves ${this.#baseText()}` };
    const queries = Object.fromEntries(
      (perArm ? ARMS : (['arms'] as const)).map((key, i) => [key, urls[i] ?? '']),
    );
    let documents: unknown[];
    const started = performance.now();
    try {
      documents = await Promise.all(urls.map((u) => this.#get(u, request.signal)));
      this.#mark('ok');
    } catch (e) {
      const reason = `${this.target}: ${e instanceof Error ? e.message : String(e)}`;
      this.#metrics?.sourceErrors.inc({ source: this.name, reason: failureOf(reason) });
      this.#mark('failing', reason);
      return { ok: false, reason, queries };
    } finally {
      this.#metrics?.sourceQueryDuration.observe(
        { source: this.name },
        (performance.now() - started) / 1000,
      );
    }
    const what = `the response of ${kpi.name}`;
    const selected: SumsRow[][] = [];
    for (const doc of documents) {
      const rows = selectRows(doc, kpi.select, perArm);
      if (typeof rows === 'string') {
        this.#metrics?.sourceErrors.inc({ source: this.name, reason: 'rows' });
        return { ok: false, reason: `${this.target}: ${what} ${rows}`, queries };
      }
      selected.push(rows);
    }
    const decoded = decodeArmRows(
      kpi,
      perArm
        ? { perArm: { treatment: selected[0] ?? [], control: selected[1] ?? [] } }
        : { rows: selected[0] ?? [] },
      what,
    );
    if (!decoded.ok) {
      this.#metrics?.sourceErrors.inc({ source: this.name, reason: 'rows' });
      return { ok: false, reason: `${this.target}: ${decoded.reason}`, queries };
    }
    return { ok: true, data: decoded.data, basis: 'per-unit', queries };
  }

  /**
   * Before a launch: the url lies under this source's url, and the endpoint
   * answers a probe (arm treatment, times now, launch and phase empty) with JSON
   * rows of the KPI's columns, or no rows.
   */
  async check(kpi: Kpi): Promise<KpiProblem[]> {
    const problem = this.#urlProblem(kpi);
    if (problem !== undefined) return [{ field: 'url', message: problem }];
    const now = Date.now();
    const reading = await this.#readKpi(kpi, {
      launchId: '',
      launch: '',
      phase: '',
      phaseStartedAt: now,
      nowMs: now,
      kpis: [kpi],
    });
    if (reading.ok || / returned no rows for arm /.test(reading.reason)) return [];
    return [{ field: 'url', message: reading.reason }];
  }

  health(): SourceHealth {
    return { ...this.#health };
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #urlProblem(kpi: Kpi): string | undefined {
    if (kpi.url === undefined) return 'source http needs a url';
    const parsed = parseSourceTemplate(kpi.url);
    if (!parsed.ok) return parsed.message;
    // Placeholder values are percent-encoded, so they cannot leave the path the
    // text gives; check the text with a stand-in value, after URL normalization.
    const sample = parsed.parts.map((p) => ('text' in p ? p.text : 'x')).join('');
    return this.#underBase(this.#resolve(sample))
      ? undefined
      : `url must lie under ${this.#baseText()} (the url of source ${this.name}): the server calls only endpoints configured for it`;
  }

  /** Whether a url, once normalized ("..", "%2e%2e"), stays under the source's url. */
  #underBase(url: string): boolean {
    try {
      const u = new URL(url);
      return u.origin === this.#base.origin && u.pathname.startsWith(this.#base.pathname);
    } catch {
      return false;
    }
  }

  #baseText(): string {
    return `${this.#base.origin}${this.#base.pathname}`;
  }

  /** The url of a KPI with its placeholders filled: a path joins the source's url. */
  #resolve(filled: string): string {
    return isAbsolute(filled) ? filled : `${this.#baseText()}${filled.replace(/^\/+/, '')}`;
  }

  #get(url: string, signal: AbortSignal | undefined): Promise<unknown> {
    const timeoutMs = this.#config.timeoutMs;
    const u = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.#config.auth;
    if (auth?.type === 'bearer') headers['authorization'] = `Bearer ${auth.token}`;
    if (auth?.type === 'basic')
      headers['authorization'] =
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const client = u.protocol === 'https:' ? https : http;
    const shown = `${u.origin}${u.pathname}`;
    return new Promise((resolve, reject) => {
      const req = client.request(
        u,
        {
          method: 'GET',
          headers,
          ...(this.#ca !== undefined && { ca: this.#ca }),
          ...(signal !== undefined && { signal }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            res.resume();
            reject(
              new Error(
                `${shown} answered ${String(status)} ${res.statusMessage ?? ''}`.trimEnd() +
                  (status >= 300 && status < 400 ? ' (redirects are not followed)' : ''),
              ),
            );
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(
                new Error(`${shown} answered more than ${String(MAX_RESPONSE_BYTES)} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
              reject(new Error(`${shown} answered with a body that is not JSON`));
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`${shown} timed out after ${durationWords(timeoutMs)}`)),
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError')
          return reject(new Error('the look was abandoned during the request'));
        if (e.message.startsWith(shown)) return reject(e);
        const tls = tlsProblem(this.#config, e);
        reject(
          new Error(tls === undefined ? `${shown} unreachable: ${e.message}` : `${shown}: ${tls}`),
        );
      });
      req.end();
    });
  }

  #mark(state: 'ok' | 'failing', lastError?: string): void {
    this.#health = {
      name: this.name,
      kind: 'http',
      target: this.target,
      state,
      ...(lastError !== undefined && { lastError }),
      lastQueryAt: new Date().toISOString(),
    };
  }
}

/**
 * The rows at `select` (a dotted path; default the whole document): one object
 * when the url names the arm, else an array of rows with an `arm` field. A
 * string is the problem in words.
 */
function selectRows(doc: unknown, select: string | undefined, perArm: boolean): SumsRow[] | string {
  let value = doc;
  const path = select === undefined ? [] : select.split('.');
  for (const [i, key] of path.entries()) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key))
      return `has nothing at ${path.slice(0, i + 1).join('.')}`;
    value = (value as Record<string, unknown>)[key];
  }
  const at = select === undefined ? '' : ` at ${select}`;
  if (typeof value === 'number')
    return `is a single number${at}; an http KPI needs per-arm sums (units, sum, sum_squares, or the ratio sums), because one number has no variance for a guard to judge`;
  const isRow = (v: unknown): v is SumsRow =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (perArm) {
    if (isRow(value)) return [value];
    return `is not an object of sums${at}`;
  }
  if (Array.isArray(value) && value.every(isRow)) return value;
  return `is not an array of rows with an arm field${at} (or put {{arm}} in the url)`;
}

/** The error counter's reason label of a failed request. */
function failureOf(reason: string): string {
  if (/: TLS (certificate|handshake) /.test(reason)) return 'tls';
  if (/ timed out after /.test(reason)) return 'timeout';
  if (/ unreachable: /.test(reason)) return 'unreachable';
  return 'http';
}

function isAbsolute(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function templateValue(
  name: SourceTemplateName,
  request: SourceReadRequest,
  since: number,
  arm: Arm | null,
): string {
  switch (name) {
    case 'launch':
      return request.launch;
    case 'launch_id':
      return request.launchId;
    case 'phase':
      return request.phase;
    case 'arm':
      return arm ?? '';
    case 'phase_start':
      return new Date(request.phaseStartedAt).toISOString();
    case 'since':
      return new Date(since).toISOString();
    case 'now':
      return new Date(request.nowMs).toISOString();
  }
}
