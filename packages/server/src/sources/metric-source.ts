/**
 * The metric-source seam: where a KPI's per-arm aggregates come from. One
 * interface, one implementation per kind (`events-source.ts`, `prometheus-source.ts`,
 * `sql-source.ts`), all under one contract suite (test/sources/metric-source-contract.ts).
 *
 * Rules every source keeps:
 * - `read` never throws and never passes on missing data: a KPI it cannot read gets
 *   a reason in words ("prometheus at http://… timed out after 5s"), which the
 *   controller turns into an `insufficient-evidence` verdict under the KPI's
 *   `on_insufficient`.
 * - A reading says which statistical basis it stands on (`basis`), because
 *   request-level data is not per-unit data; the verdict's evidence shows it.
 * - `read` honours `signal` and its own per-query timeout, so a slow source delays
 *   only its own KPIs' verdicts, never the controller loop or the HTTP server.
 */
import type { ArmAggregates, Kpi } from '@threshold/core';

/** Kinds of source a server can configure (a plan's `source:` names one of them). */
export type SourceKind = 'events' | 'prometheus' | 'sql' | 'http';

/** What a source reads at one look of one launch: the KPIs of this source, in the current phase. */
export interface SourceReadRequest {
  /** Launch id (the store's key; `{{launch}}` in queries is the plan's launch name). */
  launchId: string;
  /** The plan's `launch:` name. */
  launch: string;
  /** Current phase name and when it started (ms since the epoch). */
  phase: string;
  phaseStartedAt: number;
  /** "Now" of the look (ms since the epoch); sources read data up to it. */
  nowMs: number;
  /** The KPIs to read, every one with `sourceNameOf(kpi) === source.name`. */
  kpis: readonly Kpi[];
  /** Aborted when the look is abandoned (shutdown, lease lost). */
  signal?: AbortSignal;
}

/** How a reading turns request-level or per-unit data into the samples a guard counts. */
export type SourceBasis =
  /** Per randomization unit (the SDK's exposures): DESIGN's default. */
  | 'per-unit'
  /** One sample per query_range step of the phase: correlated requests collapse into one interval. */
  | 'per-interval'
  /** Bad/total counts over burn-rate windows (SLO burn). */
  | 'request-counts'
  /** A per-arm value checked against a hard limit, one sample per interval. */
  | 'per-interval-limit'
  /** Rows returned by a warehouse query, one per unit. */
  | 'per-row';

/** One KPI's reading: the aggregates a guard reads, or why there are none. */
export type KpiReading =
  | {
      ok: true;
      data: ArmAggregates;
      /** The statistical basis, shown with the verdict. */
      basis: SourceBasis;
      /** What was asked, per arm (the PromQL or SQL after templating), for the evidence. */
      queries?: Record<string, string>;
      /** Extra words for the evidence, e.g. "120 steps of 1s; 2 steps without data skipped". */
      note?: string;
    }
  | {
      ok: false;
      /** Why there is no evidence, in words, naming the source ("prometheus at … timed out after 5s"). */
      reason: string;
      queries?: Record<string, string>;
    };

/** All of one source's KPIs at one look. */
export interface SourceReading {
  /** Keyed by KPI name; every requested KPI is present. */
  kpis: Record<string, KpiReading>;
  /** Exposed units per arm, when the source knows them (events does; the controller's SRM check reads them). */
  units?: { treatment: number; control: number };
}

/** A problem with a KPI's fields found before a launch runs, e.g. a PromQL parse error. */
export interface KpiProblem {
  /** The KPI field at fault, e.g. 'query' or 'queries.bad'. */
  field: string;
  message: string;
  /** Position inside the field's text (1-based), when the source reports one. */
  position?: { line: number; column: number };
}

/** Health of one source as `launch status`, the dashboard and /metrics show it. */
export interface SourceHealth {
  name: string;
  kind: SourceKind;
  /** Where, for people: "prometheus at http://127.0.0.1:9090". */
  target: string;
  /** 'unknown' until the first query. */
  state: 'ok' | 'failing' | 'unknown';
  /** Last failure in words, while failing. */
  lastError?: string;
  /** When the last query finished (ISO time). */
  lastQueryAt?: string;
}

/** The answer to a readiness query: one number, or why there is none. */
export type SourceValue = { ok: true; value: number } | { ok: false; reason: string };

/** A named source of KPI aggregates. */
export interface MetricSource {
  /** The name plans refer to (`source_name:`, default the kind). */
  readonly name: string;
  readonly kind: SourceKind;
  /** Where, for messages: "prometheus at http://127.0.0.1:9090". */
  readonly target: string;
  /** Read per-arm aggregates for the KPIs of one look. Never throws; a failure is a per-KPI reason. */
  read(request: SourceReadRequest): Promise<SourceReading>;
  /** Check a KPI before a launch runs (e.g. the PromQL parses); none means nothing to check. */
  check?(kpi: Kpi, signal?: AbortSignal): Promise<KpiProblem[]>;
  /** One value now, for a readiness query (ADR 0042); none means the kind cannot answer one. */
  value?(query: string, signal?: AbortSignal): Promise<SourceValue>;
  /** Last known health. */
  health(): SourceHealth;
  /** Release connections; reads after close fail with a reason. */
  close(): Promise<void>;
}

/** Authentication to a source. */
export type SourceAuth =
  { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };

/**
 * One configured source, from the sources file (`THRESHOLD_SOURCES_FILE`, YAML or
 * JSON) and/or the environment (`THRESHOLD_PROMETHEUS_URL` configures the source
 * named `prometheus`; `THRESHOLD_PROMETHEUS_BEARER_TOKEN`,
 * `THRESHOLD_PROMETHEUS_USERNAME`/`_PASSWORD`, `THRESHOLD_PROMETHEUS_TIMEOUT`,
 * `THRESHOLD_PROMETHEUS_CA_FILE`; likewise `THRESHOLD_SQL_*` for `sql`).
 */
export interface SourceConfig {
  name: string;
  kind: SourceKind;
  /** Base URL (prometheus: the server root, before /api/v1; sql: a postgres:// URL). */
  url: string;
  auth?: SourceAuth;
  /** Per-query timeout (ms); default {@link DEFAULT_SOURCE_TIMEOUT_MS}. */
  timeoutMs: number;
  /** PEM file of the CA that signs the source's TLS certificate. */
  caFile?: string;
}

/** Default per-query timeout. */
export const DEFAULT_SOURCE_TIMEOUT_MS = 5000;

/**
 * The source a KPI reads from: its `source_name`, else the source named after its
 * kind (`source: prometheus` → the source named `prometheus`, i.e. the default one).
 */
export function sourceNameOf(kpi: Pick<Kpi, 'source' | 'source_name'>): string {
  return kpi.source_name ?? kpi.source;
}
