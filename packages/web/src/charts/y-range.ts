/**
 * A y-range that follows the recent looks. The first looks of a phase have few
 * units and intervals many times wider than the later ones; scaling to them
 * flattens everything after into a line. The range covers the recent looks (and
 * values that must always show, such as the margin and zero) and may stretch to
 * include older values only up to a limit; what lies beyond is clipped, counted,
 * and said on the chart.
 */

export interface YRange {
  lo: number;
  hi: number;
  /** Looks with a value above `hi` / below `lo` (drawn clipped at the edge). */
  clippedAbove: number;
  clippedBelow: number;
}

export interface FollowOptions {
  /** Share of the looks, newest first, that always fit (default a third). */
  recentShare?: number;
  /** At least this many recent looks fit (default 5). */
  minRecent?: number;
  /** Older values may widen the recent span by this factor on each side (default 1: up to 3× in all). */
  stretch?: number;
  /** Room left above and below, as a share of the span (default 6%). */
  pad?: number;
}

function extent(values: Iterable<number>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * The range for `looks` (per look, every value drawn at it: estimates, interval
 * ends; non-finite values are unbounded ends and ignored) and `always` (values
 * that must be visible).
 */
export function followRecent(
  looks: readonly (readonly number[])[],
  always: readonly number[] = [],
  options: FollowOptions = {},
): YRange {
  const { recentShare = 1 / 3, minRecent = 5, stretch = 1, pad = 0.06 } = options;
  const n = looks.length;
  const recentCount = Math.min(n, Math.max(minRecent, Math.ceil(n * recentShare)));
  const recent = looks.slice(n - recentCount);
  const core = extent([...recent.flat(), ...always]) ?? extent(looks.flat()) ?? [0, 1];
  let [lo, hi] = core;
  const span = hi - lo || Math.abs(hi) * 0.1 || 1;
  const all = extent(looks.flat());
  if (all !== null) {
    lo = Math.max(Math.min(lo, all[0]), core[0] - stretch * span);
    hi = Math.min(Math.max(hi, all[1]), core[1] + stretch * span);
  }
  if (hi - lo < 1e-12) {
    const half = Math.abs(hi) * 0.05 || 0.5;
    lo -= half;
    hi += half;
  }
  const room = (hi - lo) * pad;
  lo -= room;
  hi += room;
  let clippedAbove = 0;
  let clippedBelow = 0;
  for (const values of looks) {
    const finite = values.filter((v) => Number.isFinite(v));
    if (finite.some((v) => v > hi)) clippedAbove++;
    if (finite.some((v) => v < lo)) clippedBelow++;
  }
  return { lo, hi, clippedAbove, clippedBelow };
}
