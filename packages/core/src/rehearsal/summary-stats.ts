/**
 * Monte Carlo summaries for the report: rates with Wilson score intervals
 * (E. B. Wilson, "Probable inference, the law of succession, and statistical
 * inference", JASA 22, 1927) and nearest-rank percentiles, rounded so that the
 * JSON is byte-identical for the same seed on any machine.
 */
import type { CountSummary, DurationSummary, RateEstimate } from './rehearsal-report.js';

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Round to `digits` decimals; -0 becomes 0 so that JSON never shows "-0". */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

/** Round to 4 significant digits (for values whose scale is unknown). */
export function roundSignificant(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x === 0 ? 0 : x;
  return Number(x.toPrecision(4));
}

/** `count` of `runs` with its 95% Wilson score interval, rounded to 4 decimals. */
export function rateOf(count: number, runs: number): RateEstimate {
  if (runs === 0) return { count: 0, runs: 0, rate: 0, low: 0, high: 1 };
  const p = count / runs;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / runs;
  const centre = (p + z2 / (2 * runs)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / runs + z2 / (4 * runs * runs))) / denominator;
  return {
    count,
    runs,
    rate: roundTo(p, 4),
    low: roundTo(Math.max(0, centre - half), 4),
    high: roundTo(Math.min(1, centre + half), 4),
  };
}

/** Nearest-rank percentile of ascending values (p in (0, 1]): always a value that occurred. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

/** Median and 90th percentile of durations (ms), rounded to whole milliseconds. */
export function durationSummary(values: number[]): DurationSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const median = nearestRank(sorted, 0.5);
  const p90 = nearestRank(sorted, 0.9);
  return {
    runs: sorted.length,
    medianMs: median === null ? null : Math.round(median),
    p90Ms: p90 === null ? null : Math.round(p90),
  };
}

/** Median and 90th percentile of counts, rounded to whole numbers. */
export function countSummary(values: number[]): CountSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const median = nearestRank(sorted, 0.5);
  const p90 = nearestRank(sorted, 0.9);
  return {
    runs: sorted.length,
    median: median === null ? null : Math.round(median),
    p90: p90 === null ? null : Math.round(p90),
  };
}
