/**
 * The warehouse-native source: one read-only SQL query per KPI returning per-arm
 * sums (docs/metric-sources.md, "SQL"). `{{...}}` placeholders become bind
 * parameters of the dialect, so a value never becomes SQL text. Each KPI runs in
 * its own READ ONLY transaction on the source's own pool, under the source's
 * statement timeout; a failure is that KPI's reason, never a pass.
 */
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { parseSourceTemplate } from '@threshold/core';
import type { Kpi, SourceTemplateName } from '@threshold/core';
import { readCaFile } from './ca-file.js';
import { ARMS, columnsOf, decodeArmRows } from './decode-arm-rows.js';
import type { Arm } from './decode-arm-rows.js';
import type {
  KpiProblem,
  KpiReading,
  MetricSource,
  SourceConfig,
  SourceHealth,
  SourceReadRequest,
  SourceReading,
} from './metric-source.js';
import { postgresDialect } from './sql/postgres-dialect.js';
import { SqlSourceError } from './sql/sql-dialect.js';
import type { SqlDialect, SqlPool, SqlStatement } from './sql/sql-dialect.js';

/** Dialects this build ships, by URL scheme. */
const DIALECTS: readonly SqlDialect[] = [postgresDialect];

/** The dialect for a connection URL, or an error naming the schemes that work. */
export function dialectFor(url: string): SqlDialect {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  const dialect = DIALECTS.find((d) => d.schemes.includes(scheme));
  if (dialect === undefined)
    throw new Error(
      `sql source url must start with ${DIALECTS.flatMap((d) => d.schemes.map((s) => `${s}://`)).join(' or ')} (got "${scheme}:")`,
    );
  return dialect;
}

/** A template compiled for one dialect: text with bind markers, and where each piece came from. */
interface CompiledSql {
  text: string;
  /** Bind values in marker order, by name. */
  names: SourceTemplateName[];
  /** [offset in text, offset in the template] at the start of each piece, for error positions. */
  offsets: [number, number][];
}

function compile(template: string, dialect: SqlDialect): CompiledSql | { error: string } {
  const parsed = parseSourceTemplate(template, { sql: true });
  if (!parsed.ok) return { error: parsed.message };
  const names: SourceTemplateName[] = [];
  const offsets: [number, number][] = [];
  let text = '';
  let at = 0;
  for (const part of parsed.parts) {
    offsets.push([text.length, at]);
    if ('text' in part) {
      text += part.text;
      at += part.text.length;
    } else {
      let index = names.indexOf(part.name);
      if (index === -1) index = names.push(part.name) - 1;
      text += dialect.bindMarker(index + 1);
      // Find the placeholder's length in the template (spaces inside {{ }} allowed).
      const close = template.indexOf('}}', at);
      at = close === -1 ? at : close + 2;
    }
  }
  return { text, names, offsets };
}

/** 1-based line and column in the template of a 0-based offset in the compiled text. */
function templatePosition(
  template: string,
  compiled: CompiledSql,
  offset: number,
): { line: number; column: number } {
  let base: [number, number] = [0, 0];
  for (const o of compiled.offsets) if (o[0] <= offset) base = o;
  const at = Math.min(template.length, base[1] + (offset - base[0]));
  const before = template.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Options beyond the source's configuration. */
export interface SqlSourceOptions {
  /** Connections the source may hold (default 4): KPIs beyond it wait their turn. */
  maxConnections?: number;
  /** Query latency and error counters per source (reasons: timeout, read-only, unreachable, query, rows). */
  metrics?: Pick<ServerMetrics, 'sourceQueryDuration' | 'sourceErrors'>;
}

/** The sql metric source (see the file comment). */
export class SqlSource implements MetricSource {
  readonly kind = 'sql' as const;
  readonly name: string;
  readonly target: string;
  readonly #pool: SqlPool;
  readonly #dialect: SqlDialect;
  readonly #timeoutMs: number;
  readonly #metrics: SqlSourceOptions['metrics'];
  #health: SourceHealth;
  #closed = false;

  constructor(config: SourceConfig, options: SqlSourceOptions = {}) {
    if (config.auth?.type === 'bearer')
      throw new Error(
        `sql source ${config.name}: use basic auth (username and password), not bearer`,
      );
    this.#dialect = dialectFor(config.url);
    this.name = config.name;
    // The kind leads, so every reason names the source as `sql …`.
    this.target = `sql${config.name === 'sql' ? '' : ` ${config.name}`} (${this.#dialect.name}) at ${redact(config.url)}`;
    this.#timeoutMs = config.timeoutMs;
    this.#metrics = options.metrics;
    this.#pool = this.#dialect.open({
      url: config.url,
      maxConnections: options.maxConnections ?? 4,
      connectTimeoutMs: config.timeoutMs,
      ...(config.auth?.type === 'basic' && {
        username: config.auth.username,
        password: config.auth.password,
      }),
      ...(config.caFile !== undefined && { ca: readCaFile({ ...config, caFile: config.caFile }) }),
    });
    this.#health = { name: this.name, kind: 'sql', target: this.target, state: 'unknown' };
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
      return { ok: false, reason: `${this.target}: the look was abandoned before the query ran` };
    if (kpi.sql === undefined) return { ok: false, reason: `KPI ${kpi.name} has no sql query` };
    const compiled = compile(kpi.sql, this.#dialect);
    if ('error' in compiled) return { ok: false, reason: `${kpi.name}: ${compiled.error}` };
    const perArm = compiled.names.includes('arm');
    const since =
      kpi.window === undefined
        ? request.phaseStartedAt
        : Math.max(request.phaseStartedAt, request.nowMs - kpi.window);
    const statementFor = (arm: Arm | null): SqlStatement => ({
      text: compiled.text,
      values: compiled.names.map((name) => bindValue(name, request, since, arm)),
    });
    const statements = perArm ? ARMS.map((arm) => statementFor(arm)) : [statementFor(null)];
    const queries = Object.fromEntries(
      (perArm ? ARMS : (['arms'] as const)).map((key, i) => [
        key,
        describe(statements[i] ?? statementFor(null), this.#dialect),
      ]),
    );
    let results;
    const started = performance.now();
    try {
      results = await untilAborted(
        this.#pool.readOnly(statements, this.#timeoutMs),
        request.signal,
      );
      this.#markOk();
    } catch (e) {
      const reason = `${this.target}: ${e instanceof Error ? e.message : String(e)}`;
      this.#metrics?.sourceErrors.inc({
        source: this.name,
        reason: e instanceof SqlSourceError ? e.type : 'aborted',
      });
      this.#markFailing(reason);
      return { ok: false, reason, queries };
    } finally {
      this.#metrics?.sourceQueryDuration.observe(
        { source: this.name },
        (performance.now() - started) / 1000,
      );
    }
    const input = perArm
      ? { perArm: { treatment: results[0] ?? [], control: results[1] ?? [] } }
      : { rows: results[0] ?? [] };
    const decoded = decodeArmRows(kpi, input, `the sql of ${kpi.name}`);
    if (!decoded.ok) {
      this.#metrics?.sourceErrors.inc({ source: this.name, reason: 'rows' });
      return { ok: false, reason: `${this.target}: ${decoded.reason}`, queries };
    }
    return { ok: true, data: decoded.data, basis: 'per-unit', queries };
  }

  /**
   * Before a launch: the query compiles and PostgreSQL plans it with the columns
   * the KPI's kind needs. It runs as `SELECT * FROM (query) LIMIT 0`, so nothing
   * is read.
   */
  async check(kpi: Kpi): Promise<KpiProblem[]> {
    if (kpi.sql === undefined) return [{ field: 'source', message: 'source sql needs a query' }];
    const compiled = compile(kpi.sql, this.#dialect);
    if ('error' in compiled) return [{ field: 'sql', message: compiled.error }];
    const body = compiled.text.replace(/[\s;]+$/, '');
    const prefix = 'SELECT * FROM (\n';
    const probe: SqlStatement = {
      text: `${prefix}${body}\n) AS threshold_probe LIMIT 0`,
      values: compiled.names.map((name) =>
        bindValue(
          name,
          { launch: '', launchId: '', phase: '', phaseStartedAt: 0, nowMs: 0 },
          0,
          'treatment',
        ),
      ),
    };
    try {
      const columns = await this.#pool.describe(probe, this.#timeoutMs);
      const needed = [...columnsOf(kpi.kind), ...(compiled.names.includes('arm') ? [] : ['arm'])];
      const missing = needed.filter((c) => !columns.includes(c));
      if (missing.length === 0) return [];
      return [
        {
          field: 'sql',
          message: `the query returns columns ${columns.join(', ') || '(none)'}; a KPI of kind ${kpi.kind} needs ${needed.join(', ')} (missing ${missing.join(', ')})`,
        },
      ];
    } catch (e) {
      const message = e instanceof SqlSourceError ? e.message : String(e);
      const offset = e instanceof SqlSourceError ? e.position : undefined;
      const inBody = offset === undefined ? undefined : offset - 1 - prefix.length;
      return [
        {
          field: 'sql',
          message: `${this.target}: ${message}`,
          ...(inBody !== undefined &&
            inBody >= 0 &&
            inBody <= body.length && {
              position: templatePosition(kpi.sql, compiled, inBody),
            }),
        },
      ];
    }
  }

  health(): SourceHealth {
    return { ...this.#health };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  #markOk(): void {
    this.#health = {
      name: this.name,
      kind: 'sql',
      target: this.target,
      state: 'ok',
      lastQueryAt: new Date().toISOString(),
    };
  }

  #markFailing(reason: string): void {
    this.#health = {
      name: this.name,
      kind: 'sql',
      target: this.target,
      state: 'failing',
      lastError: reason,
      lastQueryAt: new Date().toISOString(),
    };
  }
}

/**
 * The promise, or a rejection as soon as the look is abandoned. The query itself
 * still ends by its statement timeout at the latest, so its connection comes back.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('the look was abandoned while the query ran'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function bindValue(
  name: SourceTemplateName,
  request: Pick<SourceReadRequest, 'launch' | 'launchId' | 'phase' | 'phaseStartedAt' | 'nowMs'>,
  since: number,
  arm: Arm | null,
): unknown {
  switch (name) {
    case 'launch':
      return request.launch;
    case 'launch_id':
      return request.launchId;
    case 'phase':
      return request.phase;
    case 'arm':
      return arm;
    case 'phase_start':
      return new Date(request.phaseStartedAt);
    case 'since':
      return new Date(since);
    case 'now':
      return new Date(request.nowMs);
  }
}

/** The statement as the evidence shows it: the text, then each bind value. */
function describe(statement: SqlStatement, dialect: SqlDialect): string {
  const binds = statement.values.map(
    (v, i) =>
      `${dialect.bindMarker(i + 1)} = ${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`,
  );
  const text = statement.text.trim().replace(/\s+/g, ' ');
  return binds.length === 0 ? text : `${text} -- ${binds.join(', ')}`;
}

/** A connection URL without its password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
