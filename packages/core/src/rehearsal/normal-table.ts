/**
 * The standard normal distribution function from a table, for drawing sketch
 * buckets: a look fills a few hundred buckets per arm, and the exact function
 * costs too much at millions of looks. Filled once from the statistics
 * engine's normalCdf; linear interpolation between knots 1/256 apart is off by
 * under 1e-6, far below one value in any bucket count a launch sees.
 */
import { normalCdf } from '../statistics/index.js';

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
 * A sketch's bucket counts in one pass: for buckets j = from … to, the rounded
 * running counts round(v·Φ(z)) at their upper edges (z from `z0` by repeated
 * addition of `step`), differenced, the last bucket
 * taking the rest of the v values. Each non-empty bucket's pair gets its count
 * and is pushed to `out`; `range` gets the first and last non-empty bucket.
 */
export function pushRoundedCounts(
  v: number,
  z0: number,
  step: number,
  from: number,
  to: number,
  pool: readonly [number, number][],
  out: [number, number][],
  range: FilledRange,
): void {
  const t = (table ??= build());
  let z = z0;
  let before = 0;
  let first = -1;
  let end = -1;
  for (let j = from; j <= to; j++) {
    let count: number;
    if (j < to) {
      let cdf: number;
      if (!(z > -LIMIT)) cdf = 0;
      else if (z >= LIMIT) cdf = 1;
      else {
        const x = (z + LIMIT) * STEPS_PER_UNIT;
        const k = Math.floor(x);
        const lo = t[k] as number;
        cdf = lo + (x - k) * ((t[k + 1] as number) - lo);
      }
      const upTo = Math.round(v * cdf);
      count = upTo - before;
      before = upTo;
      z += step;
    } else count = v - before;
    if (count <= 0) continue;
    const pair = pool[j] as [number, number];
    pair[1] = count;
    out.push(pair);
    if (first < 0) first = j;
    end = j;
  }
  range.first = first;
  range.end = end;
}

/** The first and last non-empty bucket of a fill (-1 when none). */
export interface FilledRange {
  first: number;
  end: number;
}
