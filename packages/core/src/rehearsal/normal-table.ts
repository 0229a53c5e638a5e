/**
 * The standard normal distribution function from a table, for drawing sketch
 * buckets: a look reads a few dozen running counts per arm (the reference path
 * lists a few hundred buckets), and the exact function costs too much at
 * millions of looks. Filled once from the statistics
 * engine's normalCdf; linear interpolation between knots 1/256 apart is off by
 * under 1e-6, far below one value in any bucket count a launch sees.
 */
import { normalCdf, roughNormalQuantile } from '../statistics/index.js';
import type { RunningCounts } from '../statistics/index.js';

const LIMIT = 8.5;
const STEPS_PER_UNIT = 256;
const SIZE = 2 * LIMIT * STEPS_PER_UNIT + 1;
let table: Float64Array | null = null;

function build(): Float64Array {
  const t = new Float64Array(SIZE + 1);
  for (let i = 0; i < SIZE; i++) t[i] = normalCdf(i / STEPS_PER_UNIT - LIMIT);
  t[SIZE] = 1;
  return t;
}

/** Φ(z), interpolated. */
export function tableNormalCdf(z: number): number {
  const t = (table ??= build());
  if (!(z > -LIMIT)) return 0;
  if (z >= LIMIT) return 1;
  const x = (z + LIMIT) * STEPS_PER_UNIT;
  const k = Math.floor(x);
  const lo = t[k] as number;
  return lo + (x - k) * ((t[k + 1] as number) - lo);
}

/**
 * The rounded running counts of `v` values spread over buckets as a normal
 * distribution: upTo(i) = round(v·Φ(z_i)), z_i = zLowest + (i − lowest)·step the
 * upper edge of bucket i, for lowest ≤ i < highest; the highest bucket takes the
 * rest (upTo = v from it on). Rounded running counts, so bucket counts are whole
 * and add up to v. One object per sketch, reset at every look (see set).
 */
export class NormalRunningCounts implements RunningCounts {
  lowest = 0;
  highest = 0;
  private v = 0;
  private zLowest = 0;
  private step = 1;

  /** Spread `v` values over buckets lowest … highest, the upper edge of `lowest` at zLowest. */
  set(v: number, lowest: number, highest: number, zLowest: number, step: number): void {
    this.v = v;
    this.lowest = lowest;
    this.highest = highest;
    this.zLowest = zLowest;
    this.step = step;
  }

  upTo(index: number): number {
    if (index >= this.highest) return this.v;
    if (index < this.lowest) return 0;
    return Math.round(this.v * tableNormalCdf(this.zLowest + (index - this.lowest) * this.step));
  }

  /** Where round(v·Φ(z)) first exceeds `count`: z = Φ⁻¹((count + ½)/v), roughly. */
  near(count: number): number {
    // The ends are a bucket or two inside the range (it reaches a bucket past where
    // the first and last values can be): no quantile needed for them.
    if (count === 0) return this.lowest + 1;
    if (count === this.v - 1) return this.highest - 1;
    const z = roughNormalQuantile((count + 0.5) / this.v);
    return this.lowest + Math.ceil((z - this.zLowest) / this.step);
  }
}
