/**
 * Per-arm sufficient statistics for each KPI kind: what the store aggregates from
 * events and what the guards read. Units are randomization units, so a unit seen a
 * thousand times contributes one per-unit value, never a thousand samples.
 */

/**
 * Sums over per-unit values x_i: `units` = n, `sum` = Σx_i, `sumSquares` = Σx_i².
 * - occurrence: x_i ∈ {0,1} (did the unit do it); n counts every exposed unit.
 * - count: x_i = events of the unit; n counts every exposed unit (zeros included).
 * - mean: x_i = mean event value of the unit; n counts units with at least one value.
 */
export interface MomentAggregate {
  units: number;
  sum: number;
  sumSquares: number;
}

/**
 * Ratio of sums Σy/Σx over per-unit numerators y_i and denominators x_i, for the
 * delta method; n counts every exposed unit.
 */
export interface RatioAggregate {
  units: number;
  sumNumerator: number;
  sumDenominator: number;
  sumNumeratorSquares: number;
  sumDenominatorSquares: number;
  /** Σ y_i·x_i */
  sumProducts: number;
}

/**
 * A mergeable log-bucket sketch of event values (DDSketch-style, relative accuracy
 * {@link SKETCH_RELATIVE_ACCURACY}). Bucket keys come from {@link sketchBucketIndex}.
 */
export interface QuantileSketch {
  /** Units contributing at least one value (for minimum-sample rules). */
  units: number;
  /** Number of values. */
  count: number;
  /** Values equal to 0 (and |v| below the smallest indexable magnitude). */
  zeroCount: number;
  /** [bucket index, count] for positive values, any order, indexes unique. */
  positive: [number, number][];
  /** [bucket index of |v|, count] for negative values. */
  negative: [number, number][];
  min: number;
  max: number;
  /**
   * In process only, never stored or sent: the positive values given by running
   * counts instead of listed in `positive`, which is then empty (a simulation's
   * model histogram; see RunningCounts).
   */
  running?: RunningCounts;
}

/**
 * Positive buckets given by their running counts rather than listed: the
 * rehearsal's model histogram, of which a guard reads a few ranks, so listing
 * every bucket at every simulated look would cost more than the guard itself.
 * Readers bisect it (locateRanks) and get exactly what they would get from the
 * same counts listed.
 */
export interface RunningCounts {
  /** Index of the lowest bucket that may hold values. */
  readonly lowest: number;
  /** Index of the highest: no value is above it. */
  readonly highest: number;
  /**
   * Positive values in buckets with index ≤ `index`: whole numbers, non-decreasing,
   * 0 below `lowest` and every positive value (count − zeroCount) from `highest` on.
   */
  upTo(index: number): number;
  /**
   * A bucket index at or near the lowest whose running count exceeds `count`:
   * where a search starts (see runningIndexAbove). Optional; never trusted.
   */
  near?(count: number): number;
}

/** Bad and total event counts of one SLO over the trailing window of the given length. */
export interface BurnWindowCounts {
  windowMs: number;
  bad: number;
  total: number;
}

/** The aggregate of one arm for one KPI, tagged by the KPI's kind. */
export type KpiAggregate =
  | ({ kind: 'occurrence' } & MomentAggregate)
  | ({ kind: 'count' } & MomentAggregate)
  | ({ kind: 'mean' } & MomentAggregate)
  | ({ kind: 'ratio' } & RatioAggregate)
  | { kind: 'quantile'; sketch: QuantileSketch }
  | { kind: 'slo-burn'; windows: BurnWindowCounts[] };

/** Treatment and control aggregates of one KPI (control absent for treatment-only guards). */
export interface ArmAggregates {
  treatment: KpiAggregate;
  control?: KpiAggregate;
}

/** Relative accuracy of quantile sketches: a reported quantile is within ±1% of a true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero (keeps indexes bounded). */
export const SKETCH_MIN_INDEXABLE = 1e-9;

/**
 * Bucket index of a magnitude |v| ≥ SKETCH_MIN_INDEXABLE: ceil(log_γ |v|), γ = (1+α)/(1−α).
 * Shared by the store (which counts values per index) and the statistics (which read them).
 */
export function sketchBucketIndex(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LOG_GAMMA);
}

// γ^i for the bucket indexes values of about 1e-18 to 1e35 have, filled on first use:
// a rehearsal's guards read a dozen bucket edges at every simulated look, and pow()
// was a tenth of reading them. The table holds pow()'s own results, so every edge is
// the same double as before.
const POWER_LOW = -2048;
const POWER_SIZE = 6144;
let powers: Float64Array | null = null;

/** γ^index, exactly Math.pow(γ, index): the upper edge of bucket `index`. */
export function sketchGammaPower(index: number): number {
  const at = index - POWER_LOW;
  if (!(at >= 0 && at < POWER_SIZE) || !Number.isInteger(at)) return Math.pow(GAMMA, index);
  if (powers === null) {
    powers = new Float64Array(POWER_SIZE);
    for (let i = 0; i < POWER_SIZE; i++) powers[i] = Math.pow(GAMMA, i + POWER_LOW);
  }
  return powers[at] as number;
}

/** Representative value of a bucket index: within the relative accuracy of every value in it. */
export function sketchBucketValue(index: number): number {
  return (2 * sketchGammaPower(index)) / (GAMMA + 1);
}
