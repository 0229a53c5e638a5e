/**
 * A history: per-interval aggregates of the population a launch will meet. Each
 * row describes the units that arrived in one interval and the per-unit
 * distribution of every KPI over those units (docs/rehearsal.md, "History files").
 */
import type { Kpi, KpiKind } from '../plan/index.js';

/** Per-interval aggregates, columnar. Every array has `length` entries. */
export interface History {
  /** Where it came from, for the report (a file name, or "synthetic"). */
  source: string;
  /** Start of the first interval (ms since the epoch). */
  start: number;
  /** Length of one interval (ms). */
  intervalMs: number;
  /** Number of intervals. */
  length: number;
  /** New units arriving in each interval. */
  units: Float64Array;
  /** KPI columns by name, e.g. `conversion.occurred` (see {@link HISTORY_FIELDS}). */
  columns: Record<string, Float64Array>;
}

/**
 * The columns each KPI kind needs, after `KPI.`; sums run over the units that
 * arrived in the interval, one per-unit value each.
 * - occurrence: `occurred` units with at least one event;
 * - count: `sum` of events per unit and `sum_sq` of their squares;
 * - mean: `units` with at least one value, `sum` and `sum_sq` of their per-unit mean values;
 * - ratio: per-unit numerator y and denominator x: `num` Σy, `den` Σx, `num_sq` Σy², `den_sq` Σx², `num_den` Σxy;
 * - quantile: `values` (events with a value), and the log-normal fit of those values:
 *   `log_mean` and `log_sd` (mean and standard deviation of ln value);
 * - slo-burn: `bad` and `total` events.
 */
export const HISTORY_FIELDS: Readonly<Record<KpiKind, readonly string[]>> = {
  occurrence: ['occurred'],
  count: ['sum', 'sum_sq'],
  mean: ['units', 'sum', 'sum_sq'],
  ratio: ['num', 'den', 'num_sq', 'den_sq', 'num_den'],
  quantile: ['values', 'log_mean', 'log_sd'],
  'slo-burn': ['bad', 'total'],
};

/** Columns a kind may have but need not: quantile `units` (units with a value; default: every unit). */
export const OPTIONAL_HISTORY_FIELDS: Readonly<Partial<Record<KpiKind, readonly string[]>>> = {
  quantile: ['units'],
};

/** The required column names of one KPI, e.g. ["conversion.occurred"]. */
export function historyColumnsOf(kpi: Pick<Kpi, 'name' | 'kind'>): string[] {
  return HISTORY_FIELDS[kpi.kind].map((f) => `${kpi.name}.${f}`);
}

/** A column of a history, or an error naming it (programming error: the parser checks presence). */
export function historyColumn(history: History, name: string): Float64Array {
  const column = history.columns[name];
  if (column === undefined) throw new RangeError(`the history has no column ${name}`);
  return column;
}
