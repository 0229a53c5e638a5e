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
  /** Per position: the window's end, its units, then `fields` numbers; NaN ends when none. */
  private kept: Float64Array | null = null;
  private readonly positions: number;
  private readonly stride: number;

  /** `fields` numbers per window, for a history of `n` intervals. */
  constructor(n: number, fields: number) {
    this.positions = 2 * n + 2;
    this.stride = fields + 2;
  }

  /** Where the kept numbers of window (x0, x1] start in `numbers()`, or −1 when none are kept. */
  find(x0: number, x1: number, units: number): number {
    const kept = this.kept;
    if (kept === null || !Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    const at = x0 * this.stride;
    return kept[at] === x1 && kept[at + 1] === units ? at + 2 : -1;
  }

  /** Where to write the numbers of window (x0, x1] (then kept), or −1 when it is not kept. */
  keep(x0: number, x1: number, units: number): number {
    if (!Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    this.kept ??= new Float64Array(this.positions * this.stride).fill(NaN);
    const at = x0 * this.stride;
    this.kept[at] = x1;
    this.kept[at + 1] = units;
    return at + 2;
  }

  /** The kept numbers (at positions found by find or keep). */
  numbers(): Float64Array {
    return this.kept as Float64Array;
  }
}
