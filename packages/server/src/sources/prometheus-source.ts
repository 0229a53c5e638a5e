/**
 * The Prometheus source (HTTP API v1, so Thanos, Mimir and VictoriaMetrics too).
 * What a PromQL KPI means statistically is decided in ADR 0015: request-level
 * series are not per-unit data, so each `step` of the phase is one sample.
 * - mean (a plain per-arm value, e.g. CPU per request, with or without a hard
 *   limit) and quantile (e.g. histogram_quantile per interval): `query` over
 *   query_range; each step's value is one sample; the guard compares the mean of
 *   the per-interval values (for a quantile: the mean of the intervals' quantiles).
 * - ratio (errors/requests): `numerator` and `denominator` counts per interval
 *   (increase over {{interval}}); each step is one (numerator, denominator) pair
 *   and the delta method's variance comes from the spread between intervals, so
 *   requests correlated within an interval cannot shrink it.
 * - slo-burn: bad/total counts per burn window from instant queries, divided by
 *   an overdispersion factor φ ≥ 1 estimated from the per-interval counts of the
 *   phase (see {@link overdispersion}), so correlated failures count as fewer
 *   independent requests.
 * Every query runs concurrently (at most `concurrency` in flight) with the
 * source's per-query timeout; any failure is a reason for its KPI.
 */
import { momentOf, ratioOf, windowStartMs } from '@threshold/core';
import type { BurnWindowCounts, Kpi } from '@threshold/core';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type {
  KpiReading,
  MetricSource,
  SourceConfig,
  SourceHealth,
  SourceReadRequest,
  SourceReading,
  SourceValue,
} from './metric-source.js';
import { overdispersion } from './overdispersion.js';
import { checkQueries, queryFields } from './prometheus-check.js';
import { PromQueryError, createPromClient } from './prometheus-client.js';
import type { PromSeries } from './prometheus-client.js';
import { fillQuery, promDuration, promInterval } from './promql-template.js';
import type { TemplateName } from './promql-template.js';

/** Default step of a Prometheus KPI: one sample per minute. */
export const DEFAULT_PROMETHEUS_STEP_MS = 60_000;

/** Options of {@link prometheusSource}. */
export interface PrometheusSourceOptions {
  /** Queries in flight at once (default 16). */
  concurrency?: number;
  /** Query latency and error counters per source. */
  metrics?: Pick<ServerMetrics, 'sourceQueryDuration' | 'sourceErrors'>;
}

const ARMS = ['treatment', 'control'] as const;
type Arm = (typeof ARMS)[number];

/** What went wrong with the engine itself during one read (for health). */
interface Tracker {
  engineError?: string;
}

/** A KPI-level failure: its message is the reading's reason. */
class KpiFailure extends Error {}

function limiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** A MetricSource over a Prometheus-compatible HTTP API. */
export function prometheusSource(
  config: SourceConfig,
  options: PrometheusSourceOptions = {},
): MetricSource {
  const client = createPromClient(config);
  const { target } = client;
  const limit = limiter(options.concurrency ?? 16);
  let closed = false;
  let health: SourceHealth = { name: config.name, kind: 'prometheus', target, state: 'unknown' };

  async function call(
    endpoint: string,
    params: Record<string, string>,
    signal: AbortSignal | undefined,
    tracker: Tracker,
  ): Promise<unknown> {
    return limit(async () => {
      const started = performance.now();
      try {
        return await client.call(endpoint, params, signal);
      } catch (err) {
        const failure = err instanceof PromQueryError ? err.failure : 'unreachable';
        options.metrics?.sourceErrors.inc({ source: config.name, reason: failure });
        // A rejected query is the KPI's problem; anything else is the engine's health.
        if (failure !== 'rejected' && failure !== 'aborted')
          tracker.engineError ??= err instanceof Error ? err.message : String(err);
        throw err;
      } finally {
        options.metrics?.sourceQueryDuration.observe(
          { source: config.name },
          (performance.now() - started) / 1000,
        );
      }
    });
  }

  function series(data: unknown, what: string): PromSeries | undefined {
    const result = (data as { result?: unknown } | null)?.result;
    if (!Array.isArray(result)) throw new KpiFailure(`${target} returned no result for ${what}`);
    if (result.length > 1)
      throw new KpiFailure(
        `${target} returned ${result.length} series for ${what}; the query must aggregate to one series per arm (e.g. sum(…))`,
      );
    return result[0] as PromSeries | undefined;
  }

  async function range(
    text: string,
    what: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    tracker: Tracker,
    signal?: AbortSignal,
  ): Promise<Map<number, number>> {
    const data = await call(
      'query_range',
      {
        query: text,
        start: String(startMs / 1000),
        end: String(endMs / 1000),
        step: String(stepMs / 1000),
      },
      signal,
      tracker,
    );
    const out = new Map<number, number>();
    for (const [t, v] of series(data, what)?.values ?? []) {
      const x = Number(v);
      // NaN (a quantile of an interval without requests) and ±Inf are not samples.
      if (Number.isFinite(x)) out.set(t, x);
    }
    return out;
  }

  /** An arm's numerator and denominator series over the same steps (ratio and burn KPIs). */
  function rangePair(
    text: (field: 'numerator' | 'denominator', arm: Arm, interval: number) => string,
    arm: Arm,
    startMs: number,
    endMs: number,
    stepMs: number,
    tracker: Tracker,
    signal?: AbortSignal,
  ): Promise<[Map<number, number>, Map<number, number>]> {
    return Promise.all([
      range(
        text('numerator', arm, stepMs),
        `${arm} numerator`,
        startMs,
        endMs,
        stepMs,
        tracker,
        signal,
      ),
      range(
        text('denominator', arm, stepMs),
        `${arm} denominator`,
        startMs,
        endMs,
        stepMs,
        tracker,
        signal,
      ),
    ]);
  }

  async function instant(
    text: string,
    what: string,
    atMs: number,
    tracker: Tracker,
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    const data = await call('query', { query: text, time: String(atMs / 1000) }, signal, tracker);
    const v = series(data, what)?.value?.[1];
    const x = v === undefined ? undefined : Number(v);
    return x !== undefined && Number.isFinite(x) ? x : undefined;
  }

  /**
   * An arm without data: the treatment's absence is a reason; the control's only
   * leaves the comparison without a control (at 100% nobody is in it).
   */
  function present(arm: Arm, size: number, kpi: Kpi, what = 'data'): boolean {
    if (size > 0) return true;
    if (arm === 'control') return false;
    throw new KpiFailure(`${target}: no ${arm} ${what} for KPI ${kpi.name} in the phase`);
  }

  async function readKpi(
    kpi: Kpi,
    request: SourceReadRequest,
    tracker: Tracker,
  ): Promise<KpiReading> {
    const now = Math.floor(request.nowMs);
    const phaseStart = Math.min(now, Math.floor(request.phaseStartedAt));
    const stepMs = kpi.step ?? DEFAULT_PROMETHEUS_STEP_MS;
    // A KPI with a window is judged on its current window of the phase: consecutive
    // windows from the phase's start, each a new sequence with its own budget share.
    const from =
      kpi.window === undefined
        ? phaseStart
        : Math.max(phaseStart, Math.floor(windowStartMs(phaseStart, now, kpi.window)));
    const values = (arm: Arm, interval: number): Record<TemplateName, string> => ({
      arm,
      launch: request.launch,
      phase: request.phase,
      interval: promInterval(interval),
      window: promDuration(now - from),
      phase_range: promDuration(now - phaseStart),
    });
    const queries: Record<string, string> = {};
    const text = (field: 'query' | 'numerator' | 'denominator', arm: Arm, interval: number) => {
      const filled = fillQuery(kpi[field] ?? '', values(arm, interval)).text;
      queries[queryFields(kpi).length > 1 ? `${arm}.${field}` : arm] = filled;
      return filled;
    };
    const { signal } = request;
    try {
      // The first interval ends one step after the start, so every interval lies inside the phase.
      const first = from + stepMs;
      if (kpi.kind === 'slo-burn')
        return await readBurn(kpi, request, stepMs, text, queries, tracker);
      if (first > now)
        throw new KpiFailure(
          `${target}: the phase has run ${promDuration(now - from)}, less than one ${promDuration(stepMs)} step of KPI ${kpi.name}`,
        );
      if (kpi.kind === 'ratio') {
        const arms = await Promise.all(
          ARMS.map(async (arm) => {
            const [num, den] = await rangePair(text, arm, first, now, stepMs, tracker, signal);
            const pairs: [number, number][] = [];
            for (const [t, x] of den) {
              const y = num.get(t) ?? 0; // no matching bad series in an interval: zero bad
              if (x > 0) pairs.push([y, x]);
            }
            return present(arm, pairs.length, kpi) ? pairs : undefined;
          }),
        );
        const [t, c] = arms as [[number, number][], [number, number][] | undefined];
        return {
          ok: true,
          data: {
            treatment: { kind: 'ratio', ...ratioOf(t) },
            ...(c === undefined ? {} : { control: { kind: 'ratio' as const, ...ratioOf(c) } }),
          },
          basis: 'per-interval',
          queries,
          note: `${t.length} treatment and ${c?.length ?? 0} control intervals of ${promDuration(stepMs)}`,
        };
      }
      const arms = await Promise.all(
        ARMS.map(async (arm) => {
          const got = await range(
            text('query', arm, stepMs),
            arm,
            first,
            now,
            stepMs,
            tracker,
            signal,
          );
          return present(arm, got.size, kpi) ? [...got.values()] : undefined;
        }),
      );
      const [t, c] = arms as [number[], number[] | undefined];
      const limitOnly = kpi.guard.compare === undefined;
      return {
        ok: true,
        data: {
          treatment: { kind: 'mean', ...momentOf(t) },
          ...(c === undefined ? {} : { control: { kind: 'mean' as const, ...momentOf(c) } }),
        },
        basis: limitOnly ? 'per-interval-limit' : 'per-interval',
        queries,
        note: `${t.length} treatment and ${c?.length ?? 0} control intervals of ${promDuration(stepMs)}${kpi.kind === 'quantile' ? `; the mean of the intervals' q${String(kpi.q)}` : ''}`,
      };
    } catch (err) {
      const reason =
        err instanceof PromQueryError && err.failure === 'rejected'
          ? `${target} rejected the query of KPI ${kpi.name}: ${err.detail ?? err.message}`
          : err instanceof Error
            ? err.message
            : String(err);
      return { ok: false, reason, queries };
    }
  }

  async function readBurn(
    kpi: Kpi,
    request: SourceReadRequest,
    stepMs: number,
    text: (field: 'numerator' | 'denominator', arm: Arm, interval: number) => string,
    queries: Record<string, string>,
    tracker: Tracker,
  ): Promise<KpiReading> {
    const now = Math.floor(request.nowMs);
    const phaseStart = Math.min(now, Math.floor(request.phaseStartedAt));
    const lengths = new Set<number>();
    for (const w of kpi.guard.burn_rate?.windows ?? []) lengths.add(w.long).add(w.short);
    const { signal } = request;
    const notes: string[] = [];
    const arms = await Promise.all(
      ARMS.map(async (arm) => {
        // A window longer than the phase holds the phase so far (as the events source does).
        const windows = await Promise.all(
          [...lengths].map(async (windowMs): Promise<BurnWindowCounts> => {
            const span = Math.max(1000, Math.min(windowMs, now - phaseStart));
            const [bad, total] = await Promise.all([
              instant(text('numerator', arm, span), `${arm} numerator`, now, tracker, signal),
              instant(text('denominator', arm, span), `${arm} denominator`, now, tracker, signal),
            ]);
            const t = Math.max(0, total ?? 0);
            return { windowMs, bad: Math.min(t, Math.max(0, bad ?? 0)), total: t };
          }),
        );
        if (!present(arm, windows.some((w) => w.total > 0) ? 1 : 0, kpi, 'requests'))
          return undefined;
        let phi = 1;
        const first = phaseStart + stepMs;
        if (first <= now) {
          const [num, den] = await rangePair(text, arm, first, now, stepMs, tracker, signal);
          const pairs: [number, number][] = [];
          for (const [t, x] of den) pairs.push([Math.min(x, num.get(t) ?? 0), x]);
          phi = overdispersion(pairs);
          notes.push(
            `${arm}: overdispersion φ = ${phi.toFixed(2)} from ${pairs.length} intervals of ${promDuration(stepMs)}`,
          );
        } else notes.push(`${arm}: φ = 1 (the phase is shorter than one step)`);
        return windows.map((w) => ({ ...w, bad: w.bad / phi, total: w.total / phi }));
      }),
    );
    const [t, c] = arms as [BurnWindowCounts[], BurnWindowCounts[] | undefined];
    return {
      ok: true,
      data: {
        treatment: { kind: 'slo-burn', windows: t },
        ...(c === undefined ? {} : { control: { kind: 'slo-burn' as const, windows: c } }),
      },
      basis: 'request-counts',
      queries,
      note: `bad and total requests per window divided by φ; ${notes.join('; ')}`,
    };
  }

  return {
    name: config.name,
    kind: 'prometheus',
    target,
    async read(request: SourceReadRequest): Promise<SourceReading> {
      const kpis: Record<string, KpiReading> = {};
      if (closed || request.signal?.aborted === true) {
        const reason = closed
          ? `${target}: the source is closed`
          : `${target}: the look was abandoned`;
        for (const kpi of request.kpis) kpis[kpi.name] = { ok: false, reason };
        return { kpis };
      }
      const tracker: Tracker = {};
      const readings = await Promise.all(request.kpis.map((kpi) => readKpi(kpi, request, tracker)));
      request.kpis.forEach((kpi, i) => {
        kpis[kpi.name] = readings[i] as KpiReading;
      });
      const engineError = tracker.engineError;
      health = {
        name: config.name,
        kind: 'prometheus',
        target,
        state: engineError === undefined ? 'ok' : 'failing',
        lastQueryAt: new Date().toISOString(),
        ...(engineError === undefined ? {} : { lastError: engineError }),
      };
      return { kpis };
    },
    check: (kpi: Kpi, signal?: AbortSignal) => checkQueries(client, kpi, signal),
    async value(query: string, signal?: AbortSignal): Promise<SourceValue> {
      if (closed) return { ok: false, reason: `${target}: the source is closed` };
      try {
        const data = await call('query', { query }, signal, {});
        // A scalar answers [time, "value"]; a vector must hold exactly one series.
        const scalar = (data as { resultType?: string; result?: unknown } | null) ?? {};
        const raw =
          scalar.resultType === 'scalar'
            ? (scalar.result as [number, string] | undefined)?.[1]
            : series(data, 'the readiness query')?.value?.[1];
        if (raw === undefined) return { ok: false, reason: `${target} returned no series` };
        const value = Number(raw);
        return Number.isNaN(value)
          ? { ok: false, reason: `${target} returned NaN` }
          : { ok: true, value };
      } catch (err) {
        const reason =
          err instanceof PromQueryError && err.failure === 'rejected'
            ? `${target} rejected the query: ${err.detail ?? err.message}`
            : err instanceof Error
              ? err.message
              : String(err);
        return { ok: false, reason };
      }
    },
    health: () => health,
    async close() {
      closed = true;
      client.close();
    },
  };
}
