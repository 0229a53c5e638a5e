/**
 * Seeded streams of one phase for detection-speed simulations: per look, new units
 * per arm and their values, accumulated into the aggregates the guards read. Fast
 * enough for thousands of launches (binomial draws by normal approximation or
 * waiting times, quantile sketches kept as dense histograms).
 */
import { sketchBucketIndex } from '../../../src/statistics/index.js';
import type { QuantileSketch } from '../../../src/statistics/index.js';

/** Binomial(n, p): waiting times for small n·p, the normal approximation beyond 30. */
export function drawBinomial(
  random: () => number,
  normal: () => number,
  n: number,
  p: number,
): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n * Math.min(p, 1 - p) > 30) {
    const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal());
    return Math.min(n, Math.max(0, x));
  }
  if (p > 0.5) return n - drawBinomial(random, normal, n, 1 - p);
  const logq = Math.log1p(-p);
  let k = 0;
  let i = 0;
  for (;;) {
    i += Math.floor(Math.log(1 - random()) / logq) + 1;
    if (i > n) return k;
    k++;
  }
}

/** Poisson(mean) arrivals: the normal approximation (means here are in the tens or more). */
export function drawArrivals(normal: () => number, mean: number): number {
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
}

const LOW = sketchBucketIndex(1e-3);
const BINS = sketchBucketIndex(1e7) - LOW + 1;

/** A quantile sketch of positive values in [1e-3, 1e7] kept as a dense histogram, one value per unit. */
export class DenseSketch {
  readonly counts = new Float64Array(BINS);
  count = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  sumSquares = 0;

  add(value: number): void {
    const i = sketchBucketIndex(Math.min(1e7, Math.max(1e-3, value))) - LOW;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    this.sum += value;
    this.sumSquares += value * value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The sketch the guards read (non-empty buckets in index order). */
  sketch(): QuantileSketch {
    const positive: [number, number][] = [];
    for (let i = 0; i < BINS; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) positive.push([i + LOW, c]);
    }
    return {
      units: this.count,
      count: this.count,
      zeroCount: 0,
      positive,
      negative: [],
      min: this.min,
      max: this.max,
    };
  }
}

/** Upper end of the 95% Wilson interval of k successes in n trials. */
export function wilsonUpper(k: number, n: number): number {
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
}

/** Nearest-rank quantile of values where null means "never" (counted as infinite). */
export function rankQuantile(values: readonly (number | null)[], q: number): number {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Infinity;
}
