import { BUCKET_COUNT } from './bucket-of.js';

// Far above the float error of share * 10000 (~1e-12) and far below one bucket.
const ROUNDING_SLACK = 1e-9;

/**
 * Traffic share (fraction 0..1) → number of treatment buckets, rounded to the nearest 0.01%.
 *
 * Halves round up, judged on the decimal the author wrote: 0.00015 is 1.4999999999999998 buckets
 * in binary floating point but means 1.5, so it gives 2. Throws a RangeError outside [0, 1].
 */
export function shareToBuckets(share: number): number {
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new RangeError(`traffic share must be a fraction between 0 and 1, got ${String(share)}`);
  }
  return Math.min(BUCKET_COUNT, Math.floor(share * BUCKET_COUNT + 0.5 + ROUNDING_SLACK));
}
