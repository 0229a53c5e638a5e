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

/**
 * Rounded running counts round(v·Φ(z)) at z = z0, z0 + step, … (`count` knots)
 * into `out`, each exactly as round(v * tableNormalCdf(z)) with z advanced by
 * repeated addition: the table lookup inlined, for the sketch fill's inner loop.
 */
export function roundedCdfRun(
  v: number,
  z0: number,
  step: number,
  count: number,
  out: Float64Array,
): void {
  const t = (table ??= build());
  let z = z0;
  for (let j = 0; j < count; j++, z += step) {
    let cdf: number;
    if (!(z > -LIMIT)) cdf = 0;
    else if (z >= LIMIT) cdf = 1;
    else {
      const x = (z + LIMIT) * STEPS_PER_UNIT;
      const k = Math.floor(x);
      const lo = t[k] as number;
      cdf = lo + (x - k) * ((t[k + 1] as number) - lo);
    }
    out[j] = Math.round(v * cdf);
  }
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
