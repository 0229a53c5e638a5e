/**
 * What the simulator needs from each KPI kind: read a window of the history once
 * per look, then draw each arm's sufficient statistics for that window by the
 * central limit theorem, in the exact KpiAggregate shapes the guards read.
 */
import type { Kpi } from '../plan/index.js';
import type { KpiAggregate } from '../statistics/index.js';
import type { SeededRandom } from './random.js';

/** An injected change as a sampler applies it to the treatment arm. */
export interface ActiveEffect {
  size: number;
  relative: boolean;
}

/** A KPI's level over the whole history: what the report and the detectable effects use. */
export interface KpiBaselineStats {
  /** The KPI's value (a rate, a mean per unit, a ratio, the q-quantile, a bad fraction). */
  value: number;
  /**
   * Variance of the per-unit value (ratio: the delta method's, of (y − R·x)/x̄);
   * null for quantile and slo-burn KPIs.
   */
  variance: number | null;
  /** Standard deviation of ln(value) (quantile KPIs), else null. */
  logSd: number | null;
  /** Share of units that contribute a value (mean and quantile KPIs; 1 otherwise). */
  unitShare: number;
}

/** Draws one KPI's per-arm increments. One instance serves every look of every run. */
export interface KpiSampler {
  readonly kpi: Kpi;
  /** Numbers per arm per look (the sufficient statistics accumulated). */
  readonly width: number;
  /** Read positions (x0, x1] of the history, in which `units` new units arrived. */
  load(x0: number, x1: number, units: number): void;
  /** Write into out[0..width) the statistics of an arm of `n` new units of the loaded window. */
  draw(n: number, effect: ActiveEffect | null, rng: SeededRandom, out: Float64Array): void;
  /** A fresh aggregate of this KPI's kind (empty). */
  createAggregate(): KpiAggregate;
  /** Copy accumulated statistics into an aggregate made by createAggregate. */
  write(acc: Float64Array, agg: KpiAggregate): void;
  /** The KPI's level over the whole history. */
  baseline(): KpiBaselineStats;
  /**
   * One interval's value from the statistics accumulated over it (null: no
   * value, as a metrics engine returns none for an empty interval): what a
   * per-interval source reads for a mean or quantile KPI in one `step`.
   */
  intervalValue?(acc: Float64Array, rng: SeededRandom): number | null;
}

/** Relative effects multiply per-unit values; absolute ones add to them. */
export function shiftMean(mean: number, e: ActiveEffect | null): number {
  if (e === null) return mean;
  return e.relative ? mean * (1 + e.size) : mean + e.size;
}

/** The variance after an effect: scaled with the values (relative), unchanged by a shift (absolute). */
export function shiftVariance(variance: number, e: ActiveEffect | null): number {
  if (e === null || !e.relative) return variance;
  return variance * (1 + e.size) * (1 + e.size);
}

/** Clamp accumulated sums that rounding pushed just below zero. */
export function nonNegative(x: number): number {
  return x > 0 ? x : 0;
}
