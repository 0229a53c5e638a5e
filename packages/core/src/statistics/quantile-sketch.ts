/**
 * Building and reading quantile sketches (DDSketch-style log buckets with relative
 * accuracy SKETCH_RELATIVE_ACCURACY; C. Masson, J. E. Rim, H. K. Lee, "DDSketch: a
 * fast and fully-mergeable quantile sketch with relative-error guarantees", VLDB
 * 2019). Bucket i holds magnitudes in (γ^(i−1), γ^i].
 */
import {
  SKETCH_MIN_INDEXABLE,
  SKETCH_RELATIVE_ACCURACY,
  sketchBucketIndex,
  sketchBucketValue,
} from './kpi-aggregate.js';
import type { QuantileSketch } from './kpi-aggregate.js';

// Same γ as kpi-aggregate.ts (same expression, so the same double).
const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
// Bucket edges are computed with pow() while indexes come from log(); widening the
// edges by far more than their rounding error keeps every value inside its bucket.
const EDGE_SLACK = 1e-12;

/** An empty sketch. */
export function createSketch(): QuantileSketch {
  return { units: 0, count: 0, zeroCount: 0, positive: [], negative: [], min: 0, max: 0 };
}

function addToBuckets(buckets: [number, number][], index: number, count: number): void {
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buckets[mid] as [number, number])[0] < index) lo = mid + 1;
    else hi = mid;
  }
  const at = buckets[lo];
  if (at !== undefined && at[0] === index) at[1] += count;
  else buckets.splice(lo, 0, [index, count]);
}

/**
 * Add one value to a sketch (in place; returns it). `units` is how many new units
 * this value brings: 1 for a unit's first value, 0 otherwise.
 */
export function addToSketch(sketch: QuantileSketch, value: number, units = 0): QuantileSketch {
  if (!Number.isFinite(value))
    throw new RangeError(`value must be a finite number, got ${String(value)}`);
  if (!(Number.isInteger(units) && units >= 0))
    throw new RangeError(`units must be a non-negative integer, got ${String(units)}`);
  if (sketch.count === 0) {
    sketch.min = value;
    sketch.max = value;
  } else {
    if (value < sketch.min) sketch.min = value;
    if (value > sketch.max) sketch.max = value;
  }
  sketch.count += 1;
  sketch.units += units;
  const magnitude = Math.abs(value);
  if (magnitude < SKETCH_MIN_INDEXABLE) sketch.zeroCount += 1;
  else addToBuckets(value > 0 ? sketch.positive : sketch.negative, sketchBucketIndex(magnitude), 1);
  return sketch;
}

/** A sketch of a list of values, each from its own unit unless `units` says otherwise. */
export function sketchOf(values: readonly number[], units = values.length): QuantileSketch {
  const s = createSketch();
  for (const v of values) addToSketch(s, v);
  s.units = units;
  return s;
}

function mergeBuckets(a: [number, number][], b: [number, number][]): [number, number][] {
  const counts = new Map<number, number>();
  for (const [i, c] of a) counts.set(i, (counts.get(i) ?? 0) + c);
  for (const [i, c] of b) counts.set(i, (counts.get(i) ?? 0) + c);
  return [...counts].sort((x, y) => x[0] - y[0]);
}

/**
 * The sketch of both inputs' values (a new object). Units add up, which counts a
 * unit present in both twice: merge sketches of disjoint units (e.g. two shards).
 */
export function mergeSketches(a: QuantileSketch, b: QuantileSketch): QuantileSketch {
  if (a.count === 0)
    return { ...b, positive: mergeBuckets(b.positive, []), negative: mergeBuckets(b.negative, []) };
  if (b.count === 0) return mergeSketches(b, a);
  return {
    units: a.units + b.units,
    count: a.count + b.count,
    zeroCount: a.zeroCount + b.zeroCount,
    positive: mergeBuckets(a.positive, b.positive),
    negative: mergeBuckets(a.negative, b.negative),
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

function isSorted(buckets: [number, number][]): boolean {
  for (let i = 1; i < buckets.length; i++)
    if ((buckets[i] as [number, number])[0] <= (buckets[i - 1] as [number, number])[0])
      return false;
  return true;
}

function sortedBuckets(buckets: [number, number][]): [number, number][] {
  return isSorted(buckets) ? buckets : [...buckets].sort((x, y) => x[0] - y[0]);
}

/** The sketch itself when its bucket arrays are sorted by index, else a sorted copy. */
export function sortedSketch(sketch: QuantileSketch): QuantileSketch {
  const positive = sortedBuckets(sketch.positive);
  const negative = sortedBuckets(sketch.negative);
  return positive === sketch.positive && negative === sketch.negative
    ? sketch
    : { ...sketch, positive, negative };
}

/** Where an order statistic lies: the bucket's edges (clamped to [min, max]) and its representative value. */
export interface RankLocation {
  lower: number;
  upper: number;
  value: number;
}

/**
 * Locate order statistics X₍k₎ (1-based ranks, ascending, each in 1..count) in one
 * pass over the buckets, in ascending value order: negatives (largest magnitude
 * first), zeros, positives.
 */
export function locateRanks(sketch: QuantileSketch, ranks: readonly number[]): RankLocation[] {
  const out: RankLocation[] = [];
  const clamp = (v: number) => Math.min(sketch.max, Math.max(sketch.min, v));
  let r = 0;
  let seen = 0;
  // Edges are computed only for the buckets that hold a requested rank.
  const negative = sortedBuckets(sketch.negative);
  for (let i = negative.length - 1; i >= 0 && r < ranks.length; i--) {
    const [index, count] = negative[i] as [number, number];
    seen += count;
    if ((ranks[r] as number) > seen) continue;
    const edge = Math.pow(GAMMA, index);
    const at = {
      lower: clamp(-edge * (1 + EDGE_SLACK)),
      upper: clamp(-(edge / GAMMA) * (1 - EDGE_SLACK)),
      value: clamp(-sketchBucketValue(index)),
    };
    for (; r < ranks.length && (ranks[r] as number) <= seen; r++) out.push(at);
  }
  seen += sketch.zeroCount;
  if (r < ranks.length && (ranks[r] as number) <= seen) {
    const at = {
      lower: clamp(-SKETCH_MIN_INDEXABLE),
      upper: clamp(SKETCH_MIN_INDEXABLE),
      value: clamp(0),
    };
    for (; r < ranks.length && (ranks[r] as number) <= seen; r++) out.push(at);
  }
  const positive = sortedBuckets(sketch.positive);
  for (let i = 0; i < positive.length && r < ranks.length; i++) {
    const [index, count] = positive[i] as [number, number];
    seen += count;
    if ((ranks[r] as number) > seen) continue;
    const edge = Math.pow(GAMMA, index);
    const at = {
      lower: clamp((edge / GAMMA) * (1 - EDGE_SLACK)),
      upper: clamp(edge * (1 + EDGE_SLACK)),
      value: clamp(sketchBucketValue(index)),
    };
    for (; r < ranks.length && (ranks[r] as number) <= seen; r++) out.push(at);
  }
  return out;
}

/**
 * The q-quantile of the sketched values (DDSketch's rank q·(count−1)), within the
 * sketch's relative accuracy; null for an empty sketch or q outside [0, 1].
 */
export function sketchQuantile(sketch: QuantileSketch, q: number): number | null {
  if (!(sketch.count > 0) || !(q >= 0 && q <= 1)) return null;
  const rank = Math.floor(q * (sketch.count - 1)) + 1;
  const [at] = locateRanks(sketch, [rank]);
  return at === undefined ? null : at.value;
}
