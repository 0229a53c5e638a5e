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
