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
 * What the samplers read from windows of the history, kept by the window's first
 * position: launches start at whole positions and look at a fixed step, so the
 * same windows recur in every launch, and reading them again from the prefix
 * sums was a tenth of a simulated look. Only windows that start at a whole
 * position below 2 × the history's length are kept; a window is recognized by
 * its start, its end and the units that arrived in it, so a kept value is the
 * one computed.
 *
 * One row per window holds the numbers of every sampler that shares this object
 * (each reserves its fields), so a look reads one row, not one per KPI. Rows are
 * laid out in the order a launch reads them: by the start's remainder modulo
 * the look step (the first window kept fixes it), then by start. A launch starts
 * at a random place in the history; with rows by start each look's rows were
 * cache misses, in look order a launch walks consecutive rows, which the
 * processor prefetches. Any start still has its own row, whatever the step.
 */
export class WindowLoads {
  /** Per row: the window's end, its units, then each sampler's fields (NaN: not kept). */
  private kept: Float64Array | null = null;
  private readonly positions: number;
  private stride = 2;
  /** The look step in intervals (fixed by the first window kept), and rows per remainder. */
  private step = 1;
  private perRemainder = 0;
  /** The last start asked for and its row: every sampler of a look asks for the same one. */
  private lastX0 = -1;
  private lastRow = 0;

  /** Windows of a history of `n` intervals. */
  constructor(n: number) {
    this.positions = 2 * n + 2;
  }

  /** Room for `fields` numbers per window: where they start in a row (kept windows are forgotten). */
  reserve(fields: number): number {
    const field = this.stride;
    this.stride += fields;
    this.kept = null;
    this.lastX0 = -1;
    return field;
  }

  /** The first number of start x0's row (x0 a whole number in 0 … positions − 1). */
  private rowAt(x0: number): number {
    if (x0 === this.lastX0) return this.lastRow;
    const step = this.step;
    const r = x0 % step;
    const index = (x0 - r) / step;
    this.lastX0 = x0;
    this.lastRow = (r * this.perRemainder + index) * this.stride;
    return this.lastRow;
  }

  /**
   * Where the numbers kept at `field` (from reserve) for window (x0, x1] start in
   * `numbers()`, or −1 when none are kept.
   */
  find(x0: number, x1: number, units: number, field: number): number {
    const kept = this.kept;
    if (kept === null || !Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    const at = this.rowAt(x0);
    if (kept[at] !== x1 || kept[at + 1] !== units) return -1;
    const f = at + field;
    // NaN: another sampler kept this window, this one not yet.
    const first = kept[f] as number;
    return first === first ? f : -1;
  }

  /** Where to write the numbers at `field` of window (x0, x1] (then kept), or −1 when it is not kept. */
  keep(x0: number, x1: number, units: number, field: number): number {
    if (!Number.isInteger(x0) || !(x0 >= 0 && x0 < this.positions)) return -1;
    let kept = this.kept;
    if (kept === null) {
      const step = x1 - x0;
      // A step that is not a whole number of intervals (or too long) keeps rows by start.
      this.step = Number.isInteger(step) && step >= 1 && step < this.positions ? step : 1;
      this.perRemainder = Math.ceil(this.positions / this.step);
      this.lastX0 = -1;
      kept = this.kept = new Float64Array(this.step * this.perRemainder * this.stride).fill(NaN);
    }
    const at = this.rowAt(x0);
    if (kept[at] !== x1 || kept[at + 1] !== units) {
      // Another window had this row: every sampler's numbers of it go.
      kept[at] = x1;
      kept[at + 1] = units;
      kept.fill(NaN, at + 2, at + this.stride);
    }
    return at + field;
  }

  /** The kept numbers (at positions found by find or keep). */
  numbers(): Float64Array {
    return this.kept as Float64Array;
  }
}
