/**
 * Running totals of history columns, so the totals of any window cost O(1) per
 * look. Positions are measured in intervals from the history's start; the
 * history repeats (a week of history is a typical week), so a launch may start
 * anywhere and run past the end into the beginning again.
 */

/** Prefix sums P[0..n] of a column (P[0] = 0, P[k] = x[0] + … + x[k−1]). */
export function prefixSums(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length + 1);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] as number;
    out[i + 1] = s;
  }
  return out;
}

/**
 * The running total at position `x` ≥ 0 of a repeating history of `n` intervals;
 * inside an interval, its total arrives at an even pace.
 */
export function totalAt(prefix: Float64Array, n: number, x: number): number {
  const wraps = Math.floor(x / n);
  const r = x - wraps * n;
  const k = Math.floor(r);
  const lo = prefix[k] as number;
  const frac = r - k;
  const within = frac > 0 ? frac * ((prefix[k + 1] as number) - lo) : 0;
  return wraps * (prefix[n] as number) + lo + within;
}

/** Total of positions (x0, x1]. */
export function windowTotal(prefix: Float64Array, n: number, x0: number, x1: number): number {
  return totalAt(prefix, n, x1) - totalAt(prefix, n, x0);
}

/**
 * What a sampler read from windows of the history, kept by the window's first
 * position: launches start at whole positions and look at a fixed step, so the
 * same windows recur in every launch, and reading them again from the prefix
 * sums was a tenth of a simulated look. Only windows that start at a whole
 * position below 2 × the history's length are kept (a look interval that is not
 * a whole number of intervals keeps none); a window is recognized by its start,
 * its end and the units that arrived in it, so a kept value is the one computed.
 */
export class WindowLoads {
  private values: Float64Array | null = null;
  private ends: Float64Array | null = null;
  private units: Float64Array | null = null;
  private readonly positions: number;

  /** `fields` numbers per window, for a history of `n` intervals. */
  constructor(
    n: number,
    private readonly fields: number,
  ) {
    this.positions = 2 * n + 2;
  }

  /** Where the kept numbers of window (x0, x1] are in `kept()`, or −1 when none are kept. */
  find(x0: number, x1: number, units: number): number {
    if (this.ends === null || !Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    return this.ends[x0] === x1 && (this.units as Float64Array)[x0] === units
      ? x0 * this.fields
      : -1;
  }

  /** Where to write the numbers of window (x0, x1] (then kept), or −1 when it is not kept. */
  keep(x0: number, x1: number, units: number): number {
    if (!Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    if (this.ends === null) {
      this.values = new Float64Array(this.positions * this.fields);
      this.ends = new Float64Array(this.positions).fill(NaN);
      this.units = new Float64Array(this.positions);
    }
    this.ends[x0] = x1;
    (this.units as Float64Array)[x0] = units;
    return x0 * this.fields;
  }

  /** The kept numbers (positions found by find or keep). */
  kept(): Float64Array {
    return this.values as Float64Array;
  }
}
