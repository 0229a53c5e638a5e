/** Pixels from values for the SVG charts: scales, paths with gaps, bands, thresholds, the nearest look, label rows. Pure. */
import type { ThresholdSpec } from './chart-series.js';
import type { YRange } from './y-range.js';

/** The plot rectangle (px) and its x map. */
export interface PlotBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: (v: number) => number;
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/** An SVG path through the points; a null value breaks the line (no bridging over missing looks). */
export function linePath(
  xs: readonly number[],
  ys: readonly (number | null)[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  let open = false;
  for (let i = 0; i < xs.length; i++) {
    const xv = xs[i];
    const yv = ys[i];
    if (xv === undefined || yv === undefined || yv === null || !Number.isFinite(yv)) {
      open = false;
      continue;
    }
    d += `${open ? 'L' : 'M'}${fmt(x(xv))},${fmt(y(yv))}`;
    open = true;
  }
  return d;
}

/**
 * A closed band between `lo` and `hi`, one polygon per run of looks that have
 * an interval. An unbounded end (null while the other end is known) reaches
 * the plot edge `loEdge` / `hiEdge` (values, not pixels).
 */
export function bandPath(
  xs: readonly number[],
  lo: readonly (number | null)[],
  hi: readonly (number | null)[],
  x: (v: number) => number,
  y: (v: number) => number,
  loEdge: number,
  hiEdge: number,
): string {
  const runs: { x: number; lo: number; hi: number }[][] = [];
  let run: { x: number; lo: number; hi: number }[] = [];
  for (let i = 0; i < xs.length; i++) {
    const xv = xs[i];
    const l = lo[i] ?? null;
    const h = hi[i] ?? null;
    if (xv === undefined || (l === null && h === null)) {
      if (run.length > 0) runs.push(run);
      run = [];
      continue;
    }
    run.push({
      x: xv,
      lo: Math.max(l ?? loEdge, loEdge),
      hi: Math.min(h ?? hiEdge, hiEdge),
    });
  }
  if (run.length > 0) runs.push(run);
  return runs
    .map((r) => {
      // A single look still gets a visible band: a few pixels wide around it.
      const points = r.length === 1 && r[0] !== undefined ? [r[0], r[0]] : r;
      const widen = r.length === 1 ? 4 : 0;
      const top = points.map(
        (p, i) =>
          `${i === 0 ? 'M' : 'L'}${fmt(x(p.x) + (i === 0 ? -widen : widen))},${fmt(y(p.hi))}`,
      );
      const bottom = [...points]
        .reverse()
        .map((p, i) => `L${fmt(x(p.x) + (i === 0 ? widen : -widen))},${fmt(y(p.lo))}`);
      return `${top.join('')}${bottom.join('')}Z`;
    })
    .join('');
}

/** Index of the x nearest to `value` in ascending `xs` (-1 when empty). */
export function nearestIndex(xs: readonly number[], value: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] ?? 0) <= value) lo = mid;
    else hi = mid;
  }
  const a = xs[lo] ?? 0;
  const b = xs[hi] ?? 0;
  return Math.abs(value - a) <= Math.abs(b - value) ? lo : hi;
}

/** Which looks get a marker: all of few looks, else every k-th and always the last (at most ~max). */
export function markerIndexes(count: number, max = 40): number[] {
  if (count <= 0) return [];
  const every = Math.max(1, Math.ceil(count / max));
  const out: number[] = [];
  for (let i = 0; i < count; i += every) out.push(i);
  if (out[out.length - 1] !== count - 1) out.push(count - 1);
  return out;
}

/** A label's horizontal extent, in px. */
export interface LabelBox {
  from: number;
  to: number;
}

/**
 * Rows for labels on one line of text each, so that no two overlap: each label
 * takes the first row where it clears the labels already there by `gap`; null
 * when no row is free (the caller leaves it unlabelled, with a tooltip).
 */
export function stackLabels(boxes: readonly LabelBox[], rows: number, gap = 4): (number | null)[] {
  const placed: LabelBox[][] = Array.from({ length: rows }, () => []);
  return boxes.map((box) => {
    for (let r = 0; r < rows; r++) {
      const row = placed[r] ?? [];
      if (row.every((b) => box.to + gap <= b.from || box.from >= b.to + gap)) {
        row.push(box);
        return r;
      }
    }
    return null;
  });
}

/** The hatched zone beyond a threshold, up to the plot's edge. */
export function beyondPath(
  s: ThresholdSpec,
  xs: readonly number[],
  range: YRange,
  box: PlotBox,
  y: (v: number) => number,
): string | null {
  if (s.beyond === null) return null;
  const edge = s.beyond === 'above' ? range.hi : range.lo;
  const known = s.values.filter((v): v is number => v !== null);
  const first = known[0];
  if (first === undefined) return null;
  if (known.every((v) => v === first))
    return `M${box.left},${y(first)}L${box.right},${y(first)}L${box.right},${y(edge)}L${box.left},${y(edge)}Z`;
  const far = s.values.map((v) => (v === null ? null : edge));
  const [lo, hi] = s.beyond === 'above' ? [s.values, far] : [far, s.values];
  return bandPath(xs, lo, hi, box.x, y, range.lo, range.hi);
}

/** The threshold itself: straight across the plot when it never changes. */
export function thresholdPath(
  s: ThresholdSpec,
  xs: readonly number[],
  box: PlotBox,
  y: (v: number) => number,
): string {
  const known = s.values.filter((v): v is number => v !== null);
  const first = known[0];
  if (first !== undefined && known.every((v) => v === first))
    return `M${box.left},${y(first)}L${box.right},${y(first)}`;
  return linePath(xs, s.values, box.x, y);
}
