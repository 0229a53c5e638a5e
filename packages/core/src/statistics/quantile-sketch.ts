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
  sketchGammaPower,
} from './kpi-aggregate.js';
import type { QuantileSketch, RunningCounts } from './kpi-aggregate.js';
import { probedUpTo, searchAbove } from './running-search.js';

export { runningIndexAbove } from './running-search.js';

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
  if (a.running !== undefined || b.running !== undefined)
    throw new RangeError('sketches of running counts (a simulation model) are not merged');
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

// Bucket arrays already seen sorted, with their length then: a guard reads each sketch
// several times, and re-checking the order each time was most of its cost. A later
// push changes the length and forces a new check.
const knownSorted = new WeakMap<readonly [number, number][], number>();

/** Remember that a bucket array is sorted by index (checked by the caller). */
export function rememberSorted(buckets: readonly [number, number][]): void {
  knownSorted.set(buckets, buckets.length);
}

function isSorted(buckets: [number, number][]): boolean {
  if (buckets.length < 2 || knownSorted.get(buckets) === buckets.length) return true;
  for (let i = 1; i < buckets.length; i++)
    if ((buckets[i] as [number, number])[0] <= (buckets[i - 1] as [number, number])[0])
      return false;
  knownSorted.set(buckets, buckets.length);
  return true;
}

function sortedBuckets(buckets: [number, number][]): [number, number][] {
  if (isSorted(buckets)) return buckets;
  const sorted = [...buckets].sort((x, y) => x[0] - y[0]);
  knownSorted.set(sorted, sorted.length);
  return sorted;
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
  /**
   * The order statistic interpolated within its bucket, as if the bucket's values
   * were evenly spread between its edges: the j-th of c values sits at (j − ½)/c of
   * the way up. Within the bucket like `value`, and far closer to the exact order
   * statistic once the bucket holds many values.
   */
  interpolated: number;
}

/**
 * Locate order statistics X₍k₎ (1-based ranks, ascending, each in 1..count) in one
 * pass over the buckets in value order (negatives by decreasing magnitude, zeros,
 * positives). Ranks in the upper half are found walking down from the largest
 * value, so a p95 reads a few buckets, not all of them.
 */
export function locateRanks(sketch: QuantileSketch, ranks: readonly number[]): RankLocation[] {
  if (sketch.running !== undefined) return locateRunning(sketch, sketch.running, ranks);
  const negative = sortedBuckets(sketch.negative);
  const positive = sortedBuckets(sketch.positive);
  const first = ranks[0];
  if (first !== undefined && first > sketch.count / 2) {
    // Walk from the top with ranks counted from the largest value.
    const fromTop = ranks.map((k) => sketch.count + 1 - k).reverse();
    return walk(sketch, fromTop, positive, negative, -1).reverse();
  }
  return walk(sketch, ranks, negative, positive, 1);
}

/**
 * One walk over the buckets: direction 1 goes up from the most negative value
 * (`before` = negatives, `after` = positives), −1 goes down from the largest value
 * (`before` = positives, `after` = negatives). `ranks` ascend in walking order.
 */
function walk(
  sketch: QuantileSketch,
  ranks: readonly number[],
  before: [number, number][],
  after: [number, number][],
  direction: 1 | -1,
): RankLocation[] {
  const out: RankLocation[] = [];
  let r = 0;
  let seen = 0;
  // The first list is read from its largest index when walking up through negatives
  // or down through positives; the second from its smallest.
  const visit = (index: number, count: number, sign: 1 | -1) => {
    const before = seen;
    seen += count;
    for (; r < ranks.length && (ranks[r] as number) <= seen; r++)
      out.push(rankInBucket(sketch, index, sign, direction, ranks[r] as number, before, count));
  };
  const firstSign = direction > 0 ? -1 : 1;
  for (let i = before.length - 1; i >= 0 && r < ranks.length; i--) {
    const [index, count] = before[i] as [number, number];
    visit(index, count, firstSign);
  }
  seen += sketch.zeroCount;
  if (r < ranks.length && (ranks[r] as number) <= seen) {
    const at = rankAtZero(sketch);
    for (; r < ranks.length && (ranks[r] as number) <= seen; r++) out.push(at);
  }
  for (let i = 0; i < after.length && r < ranks.length; i++) {
    const [index, count] = after[i] as [number, number];
    visit(index, count, -firstSign as 1 | -1);
  }
  return out;
}

/**
 * Where rank `rank` lies in bucket `index` (of sign `sign`), met by a walk in
 * `direction` after `before` values, the bucket holding `count`: its edges and
 * representative value clamped to [min, max], and the rank interpolated within it.
 */
function rankInBucket(
  sketch: QuantileSketch,
  index: number,
  sign: 1 | -1,
  direction: 1 | -1,
  rank: number,
  before: number,
  count: number,
): RankLocation {
  rankInBucketInto(LOCATION, 0, sketch, index, sign, direction, rank, before, count);
  return fromScratch(LOCATION, 0);
}

// A location as four numbers (lower, upper, value, interpolated): the guard's reads of
// running counts write them here rather than allocate an object (V8 boxes each double
// field of a new object) at every look.
const LOCATION = new Float64Array(4);

function fromScratch(out: Float64Array, at: number): RankLocation {
  return {
    lower: out[at] as number,
    upper: out[at + 1] as number,
    value: out[at + 2] as number,
    interpolated: out[at + 3] as number,
  };
}

/** rankInBucket's numbers, written to `out` from `at` (lower, upper, value, interpolated). */
function rankInBucketInto(
  out: Float64Array,
  at: number,
  sketch: QuantileSketch,
  index: number,
  sign: 1 | -1,
  direction: 1 | -1,
  rank: number,
  before: number,
  count: number,
): void {
  const { min, max } = sketch;
  const edge = sketchGammaPower(index);
  const small = (edge / GAMMA) * (1 - EDGE_SLACK);
  const large = edge * (1 + EDGE_SLACK);
  const lower = Math.min(max, Math.max(min, sign > 0 ? small : -large));
  const upper = Math.min(max, Math.max(min, sign > 0 ? large : -small));
  const value = Math.min(max, Math.max(min, sign * sketchBucketValue(index)));
  // The walk meets a bucket's values in its own direction: up the values, or down.
  const along = (rank - before - 0.5) / count;
  const fromLower = direction > 0 ? along : 1 - along;
  out[at] = lower;
  out[at + 1] = upper;
  out[at + 2] = value;
  out[at + 3] = lower + fromLower * (upper - lower);
}

/** Where a rank among the zeros lies. */
function rankAtZero(sketch: QuantileSketch): RankLocation {
  const clamp = (v: number) => Math.min(sketch.max, Math.max(sketch.min, v));
  return {
    lower: clamp(-SKETCH_MIN_INDEXABLE),
    upper: clamp(SKETCH_MIN_INDEXABLE),
    value: clamp(0),
    interpolated: clamp(0),
  };
}

/**
 * locateRanks for a sketch whose positive values are running counts (and which
 * has no negative values): each rank's bucket by bisection, then exactly what the
 * walk over the same counts listed finds (the same direction, the same numbers).
 */
function locateRunning(
  sketch: QuantileSketch,
  running: RunningCounts,
  ranks: readonly number[],
): RankLocation[] {
  const out: RankLocation[] = [];
  const first = ranks[0];
  const down = first !== undefined && first > sketch.count / 2;
  for (const rank of ranks) {
    if (!(rank >= 1 && rank <= sketch.count)) continue;
    locateRunningInto(LOCATION, 0, sketch, running, rank, down, NaN, NaN);
    out.push(fromScratch(LOCATION, 0));
  }
  return out;
}

/**
 * One rank (in 1..count) of a sketch of running counts, walked `down` from the
 * largest value or up from the smallest, written to `out` from `at` as
 * rankInBucketInto writes it. `hint` is where the search starts (see
 * runningIndexAbove; NaN: the counts' own guess), `atHint` its running count when
 * known (see searchAbove). Returns the rank's bucket
 * index, or NaN when it lies among the zeros.
 */
function locateRunningInto(
  out: Float64Array,
  at: number,
  sketch: QuantileSketch,
  running: RunningCounts,
  rank: number,
  down: boolean,
  hint: number,
  atHint: number,
): number {
  const zeros = sketch.zeroCount;
  const positives = sketch.count - zeros;
  if (down) {
    // Walking down: positives first, then zeros; `top` counts from the largest value.
    const top = sketch.count + 1 - rank;
    if (top > positives) {
      zeroInto(out, at, sketch);
      return NaN;
    }
    const index = searchAbove(running, positives - top, hint, atHint);
    const upTo = probedUpTo(running, index);
    const below = probedUpTo(running, index - 1);
    rankInBucketInto(out, at, sketch, index, 1, -1, top, positives - upTo, upTo - below);
    return index;
  }
  if (rank <= zeros) {
    zeroInto(out, at, sketch);
    return NaN;
  }
  const index = searchAbove(running, rank - zeros - 1, hint, atHint);
  const below = probedUpTo(running, index - 1);
  const upTo = probedUpTo(running, index);
  rankInBucketInto(out, at, sketch, index, 1, 1, rank, zeros + below, upTo - below);
  return index;
}

function zeroInto(out: Float64Array, at: number, sketch: QuantileSketch): void {
  const z = rankAtZero(sketch);
  out[at] = z.lower;
  out[at + 1] = z.upper;
  out[at + 2] = z.value;
  out[at + 3] = z.interpolated;
}

/**
 * Three ranks (each in 1..count, ascending) located as locateRanks locates them,
 * written to `out` (four numbers each, in the order of the ranks). The guard's
 * comparison reads three ranks of each arm at every look: for running counts
 * this allocates nothing.
 */
export function locateThreeRanks(
  sketch: QuantileSketch,
  k1: number,
  k2: number,
  k3: number,
  out: Float64Array,
): boolean {
  const running = sketch.running;
  if (running === undefined) {
    const located = locateRanks(sketch, [k1, k2, k3]);
    if (located.length < 3) return false;
    for (let i = 0; i < 3; i++) {
      const l = located[i] as RankLocation;
      out[4 * i] = l.lower;
      out[4 * i + 1] = l.upper;
      out[4 * i + 2] = l.value;
      out[4 * i + 3] = l.interpolated;
    }
    return true;
  }
  const count = sketch.count;
  if (!(k1 >= 1 && k1 <= count && k2 >= 1 && k2 <= count && k3 >= 1 && k3 <= count)) return false;
  const down = k1 > count / 2;
  // Each search starts where the same rank's search of the last look of these counts
  // ended (they move a bucket or two from look to look), and the next rank's from
  // this one's answer (ranks ascend, so their buckets do): a few probes instead of
  // the counts' own guess (a normal quantile each). A start only saves probes: the
  // search verifies its bracket, so every answer is the same whatever the start.
  const h = hintsOf(running);
  // The next search's start is this one's answer, whose running count it just read.
  const i1 = locateRunningInto(out, 0, sketch, running, k1, down, HINTS[h] as number, NaN);
  const a1 = Number.isNaN(i1) ? NaN : probedUpTo(running, i1);
  const i2 = locateRunningInto(out, 4, sketch, running, k2, down, i1, a1);
  const a2 = Number.isNaN(i2) ? NaN : probedUpTo(running, i2);
  const i3 = locateRunningInto(out, 8, sketch, running, k3, down, i2, a2);
  HINTS[h] = i1;
  HINTS[h + 1] = i2;
  HINTS[h + 2] = i3;
  return true;
}

// Where the last searches of a few running counts (by object: a sampler resets one
// object per arm at every look) ended, three per counts: starts for the next look's.
const HINT_SLOTS = 4;
const hintCounts: (RunningCounts | null)[] = [null, null, null, null];
const HINTS = new Float64Array(3 * HINT_SLOTS).fill(NaN);
let hintNext = 0;

/** Where in HINTS the starts of these counts' searches are (a slot taken afresh when they have none). */
function hintsOf(running: RunningCounts): number {
  let slot = 0;
  while (slot < HINT_SLOTS && hintCounts[slot] !== running) slot++;
  if (slot === HINT_SLOTS) {
    slot = hintNext;
    hintNext = (hintNext + 1) % HINT_SLOTS;
    hintCounts[slot] = running;
    HINTS.fill(NaN, 3 * slot, 3 * slot + 3);
  }
  return 3 * slot;
}

/**
 * The edges of the bucket holding rank `rank` (in 1..count) of a sketch of running
 * counts, written to out[at] (lower) and out[at + 1] (upper), clamped to [min, max]
 * as locateThreeRanks gives them: the rank's value, interpolated or not, lies
 * between them. False for a sketch that lists its buckets, a rank outside, or a
 * bucket whose running counts are not whole numbers.
 */
export function rankEdgesInto(
  sketch: QuantileSketch,
  rank: number,
  out: Float64Array,
  at: number,
): boolean {
  const running = sketch.running;
  if (running === undefined || !(rank >= 1 && rank <= sketch.count)) return false;
  // The bucket is the same walked up or down; only the interpolation within it is not.
  const h = hintsOf(running);
  const index = locateRunningInto(
    LOCATION,
    0,
    sketch,
    running,
    rank,
    false,
    HINTS[h + 1] as number,
    NaN,
  );
  // The rank's value is within the edges only for whole counts (the counts' contract,
  // which checkSketch checks at the ends alone): the bucket's own are checked here.
  if (!Number.isNaN(index)) {
    if (!Number.isInteger(probedUpTo(running, index))) return false;
    if (!Number.isInteger(probedUpTo(running, index - 1))) return false;
    // The next searches of these counts start here (a start only saves probes).
    HINTS[h] = index;
    HINTS[h + 1] = index;
  }
  out[at] = LOCATION[0] as number;
  out[at + 1] = LOCATION[1] as number;
  return true;
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
