/**
 * A rehearsal history pulled from Prometheus (`threshold rehearse --history
 * prometheus`): query_range of each Prometheus KPI's queries over the last
 * `from`, one history row per step (the smallest step of the plan's KPIs). Per
 * ADR 0015 a step is one sample, so each row is what both arms together showed
 * in that step (counts summed, a mean's per-arm values averaged); the rehearsal
 * injects its own regressions, so the history is only the baseline level.
 *
 * Rows hold per-unit sums (history.ts), which Prometheus does not have: each
 * row's units come from a units query or a fixed rate, and the per-unit spread
 * is the one that makes the simulated steps vary between each other as much as
 * the pulled steps did (level changes over time included, so it errs wide).
 */
import { HISTORY_FIELDS, KPI_CATEGORIES } from '@threshold/core';
import type { History, Kpi, Plan } from '@threshold/core';
import { DEFAULT_SOURCE_TIMEOUT_MS } from './metric-source.js';
import { PromQueryError, createPromClient, queryRange } from './prometheus-client.js';
import type { PromClient } from './prometheus-client.js';
import { DEFAULT_PROMETHEUS_STEP_MS } from './prometheus-source.js';
import { fillQuery, promDuration, promInterval } from './promql-template.js';

/** Options of {@link readPrometheusHistory}. */
export interface PrometheusHistoryOptions {
  /** The Prometheus server root (before /api/v1). */
  url: string;
  /** How far back from `nowMs` the history reaches. */
  fromMs: number;
  /** PromQL count of new units per `{{interval}}`; or give `unitsPerMinute`. */
  unitsQuery?: string;
  /** A fixed number of new units a minute, when there is no units query. */
  unitsPerMinute?: number;
  nowMs?: number;
  timeoutMs?: number;
}

/** A history that cannot be pulled; the message is a sentence naming the KPI or option. */
export class PrometheusHistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusHistoryError';
  }
}

/** Prometheus' limit of points per series in one query_range. */
const MAX_STEPS = 11_000;
const ARMS = ['treatment', 'control'] as const;

/** Why a plan's KPI cannot come from a Prometheus history, or null. */
function refusal(kpi: Kpi): string | null {
  if (kpi.source !== 'prometheus')
    return `KPI ${kpi.name} reads ${kpi.source}, and a Prometheus history has only Prometheus KPIs: rehearse it with a history CSV (--history FILE) or synthetic levels (--traffic RATE --baseline ${kpi.name}=...)`;
  if (kpi.kind === 'quantile')
    return `KPI ${kpi.name} is a quantile: per-step quantiles from Prometheus do not give the per-unit value distribution a rehearsal draws from; rehearse it with a history CSV (--history FILE) or --traffic`;
  if (kpi.kind !== 'ratio' && kpi.kind !== 'slo-burn' && kpi.kind !== 'mean')
    return `KPI ${kpi.name} (kind ${kpi.kind}) cannot be read from Prometheus`;
  for (const field of ['query', 'numerator', 'denominator'] as const) {
    const text = kpi[field] ?? '';
    if (/\{\{\s*(launch|phase)\s*\}\}/.test(text))
      return `KPI ${kpi.name}: its ${field} uses {{launch}} or {{phase}}, which have no value before a launch; a history needs queries that hold without them`;
  }
  return null;
}

function fill(query: string, arm: string, stepMs: number): string {
  const d = promInterval(stepMs);
  return fillQuery(query, {
    arm,
    launch: '',
    phase: '',
    interval: d,
    window: d,
    phase_range: d,
  }).text;
}

/** Pull the plan's Prometheus KPIs into a {@link History}; rejects with a PrometheusHistoryError. */
export async function readPrometheusHistory(
  plan: Plan,
  options: PrometheusHistoryOptions,
): Promise<History> {
  const kpis = KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
  const problems = kpis.map(refusal).filter((p): p is string => p !== null);
  if (problems.length > 0) throw new PrometheusHistoryError(problems.join('\n'));
  if (kpis.length === 0) throw new PrometheusHistoryError('the plan has no KPIs to pull');
  if (options.unitsQuery === undefined && options.unitsPerMinute === undefined)
    throw new PrometheusHistoryError(
      'say how many new units arrive per step: --units-query PROMQL (a count over {{interval}}) or --traffic RATE',
    );
  const stepMs = Math.min(...kpis.map((k) => k.step ?? DEFAULT_PROMETHEUS_STEP_MS));
  const now = options.nowMs ?? Date.now();
  const end = Math.floor(now / stepMs) * stepMs;
  const length = Math.floor(options.fromMs / stepMs);
  if (length < 2)
    throw new PrometheusHistoryError(
      `--from must cover at least two steps of ${promDuration(stepMs)}`,
    );
  if (length > MAX_STEPS)
    throw new PrometheusHistoryError(
      `--from covers ${length} steps of ${promDuration(stepMs)}; Prometheus returns at most ${MAX_STEPS} per query`,
    );
  const start = end - length * stepMs;
  // The value at t covers (t - step, t]: row i is read at the end of its interval.
  const range = { startMs: start + stepMs, endMs: end, stepMs };
  const client = createPromClient({
    name: 'prometheus',
    kind: 'prometheus',
    url: options.url,
    timeoutMs: options.timeoutMs ?? Math.max(DEFAULT_SOURCE_TIMEOUT_MS, 30_000),
  });
  try {
    const rows = (values: Map<number, number>) =>
      Float64Array.from({ length }, (_, i) => values.get(range.startMs + i * stepMs) ?? NaN);
    const pull = async (kpi: string, field: string, query: string, combine: 'sum' | 'mean') => {
      const perArm = await Promise.all(
        ARMS.map((arm) => named(client, kpi, field, fill(query, arm, stepMs), range)),
      );
      const out = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const seen = perArm
          .map(rows)
          .map((r) => r[i] as number)
          .filter(Number.isFinite);
        const total = seen.reduce((a, b) => a + b, 0);
        out[i] = seen.length === 0 ? NaN : combine === 'sum' ? total : total / seen.length;
      }
      if (!out.some(Number.isFinite))
        throw new PrometheusHistoryError(
          `KPI ${kpi}: its ${field} has no data in the last ${promDuration(options.fromMs)} for either arm (${client.target})`,
        );
      return out;
    };

    let units: Float64Array;
    if (options.unitsQuery !== undefined) {
      const q = options.unitsQuery;
      const raw = q.includes('{{')
        ? await pull('units', '--units-query', q, 'sum')
        : rows(await named(client, 'units', '--units-query', q, range));
      units = raw.map((u) => (Number.isFinite(u) ? Math.max(0, Math.round(u)) : 0));
    } else {
      const perStep = Math.round(((options.unitsPerMinute ?? 0) * stepMs) / 60_000);
      units = new Float64Array(length).fill(perStep);
    }

    const columns: Record<string, Float64Array> = {};
    for (const kpi of kpis) {
      if (kpi.kind === 'mean') {
        const v = await pull(kpi.name, 'query', kpi.query ?? '', 'mean');
        Object.assign(columns, meanColumns(kpi.name, v, units));
      } else {
        const y = await pull(kpi.name, 'numerator', kpi.numerator ?? '', 'sum');
        const x = await pull(kpi.name, 'denominator', kpi.denominator ?? '', 'sum');
        for (let i = 0; i < length; i++)
          if ((units[i] as number) === 0 && Number.isFinite(x[i]) && (x[i] as number) > 0)
            throw new PrometheusHistoryError(
              `KPI ${kpi.name}: the step ending ${new Date(range.startMs + i * stepMs).toISOString()} has ${x[i]} in its denominator but no units; check --units-query`,
            );
        Object.assign(
          columns,
          kpi.kind === 'ratio'
            ? ratioColumns(kpi.name, y, x, units)
            : {
                [`${kpi.name}.bad`]: y.map((b) => (Number.isFinite(b) ? Math.round(b) : 0)),
                [`${kpi.name}.total`]: x.map((t) => (Number.isFinite(t) ? Math.round(t) : 0)),
              },
        );
      }
      for (const f of HISTORY_FIELDS[kpi.kind])
        if (columns[`${kpi.name}.${f}`] === undefined)
          throw new RangeError(`no column ${kpi.name}.${f}`); // a programming error
    }
    return {
      source: `${client.target}, last ${promDuration(options.fromMs)}`,
      start,
      intervalMs: stepMs,
      length,
      units,
      columns,
    };
  } finally {
    client.close();
  }
}

/** A query_range whose failure names the KPI and field. */
async function named(
  client: PromClient,
  kpi: string,
  field: string,
  query: string,
  range: { startMs: number; endMs: number; stepMs: number },
): Promise<Map<number, number>> {
  try {
    return await queryRange(client, query, range);
  } catch (e) {
    if (e instanceof PromQueryError)
      throw new PrometheusHistoryError(`KPI ${kpi}: its ${field} failed: ${e.message}`);
    throw e;
  }
}

/** Per-unit sums of a ratio: each step's counts spread over its units, with the between-step spread. */
function ratioColumns(
  name: string,
  y: Float64Array,
  x: Float64Array,
  units: Float64Array,
): Record<string, Float64Array> {
  const n = units.length;
  let sy = 0;
  let sx = 0;
  let su = 0;
  for (let i = 0; i < n; i++) {
    const u = units[i] as number;
    if (u === 0) continue;
    sy += finite(y[i]);
    sx += finite(x[i]);
    su += u;
  }
  const my = su > 0 ? sy / su : 0;
  const mx = su > 0 ? sx / su : 0;
  let vy = 0;
  let vx = 0;
  let cxy = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const u = units[i] as number;
    if (u === 0) continue;
    const dy = finite(y[i]) - u * my;
    const dx = finite(x[i]) - u * mx;
    vy += (dy * dy) / u;
    vx += (dx * dx) / u;
    cxy += (dy * dx) / u;
    rows++;
  }
  if (rows > 0) {
    vy /= rows;
    vx /= rows;
    cxy /= rows;
  }
  const cols = (f: (yi: number, xi: number, u: number) => number) =>
    Float64Array.from({ length: n }, (_, i) => {
      const u = units[i] as number;
      return u === 0 ? 0 : f(finite(y[i]), finite(x[i]), u);
    });
  return {
    [`${name}.num`]: cols((yi) => yi),
    [`${name}.den`]: cols((_, xi) => xi),
    [`${name}.num_sq`]: cols((yi, _, u) => (yi * yi) / u + u * vy),
    [`${name}.den_sq`]: cols((_, xi, u) => (xi * xi) / u + u * vx),
    [`${name}.num_den`]: cols((yi, xi, u) => (yi * xi) / u + u * cxy),
  };
}

/** Per-unit sums of a mean: every unit of a step at the step's value, with the spread that gives the steps theirs. */
function meanColumns(
  name: string,
  v: Float64Array,
  units: Float64Array,
): Record<string, Float64Array> {
  const n = units.length;
  const seen: number[] = [];
  let su = 0;
  for (let i = 0; i < n; i++)
    if (Number.isFinite(v[i]) && (units[i] as number) > 0) {
      seen.push(v[i] as number);
      su += units[i] as number;
    }
  const mean = seen.reduce((a, b) => a + b, 0) / Math.max(1, seen.length);
  const between =
    seen.length > 1 ? seen.reduce((a, b) => a + (b - mean) ** 2, 0) / (seen.length - 1) : 0;
  // A step of u units has a mean with variance s²/u: s² = (typical u) × between-step variance.
  const s2 = seen.length > 0 ? (su / seen.length) * between : 0;
  const has = (i: number) => Number.isFinite(v[i]) && (units[i] as number) > 0;
  return {
    [`${name}.units`]: Float64Array.from({ length: n }, (_, i) =>
      has(i) ? (units[i] as number) : 0,
    ),
    [`${name}.sum`]: Float64Array.from({ length: n }, (_, i) =>
      has(i) ? (units[i] as number) * (v[i] as number) : 0,
    ),
    [`${name}.sum_sq`]: Float64Array.from({ length: n }, (_, i) =>
      has(i) ? (units[i] as number) * ((v[i] as number) ** 2 + s2) : 0,
    ),
  };
}

function finite(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) ? x : 0;
}
