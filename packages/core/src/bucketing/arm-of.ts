import { BUCKET_COUNT } from './bucket-of.js';

/** Which side of the experiment a unit is on. */
export type Arm = 'treatment' | 'control' | 'excluded';

/**
 * Arm of a bucket: treatment = bucket < trafficBuckets; control 'rest' = everyone else; control
 * 'holdout' = a same-size slice from the top, [max(t, 10000 - t), 10000), the rest 'excluded'.
 *
 * Treatment grows from the bottom and the holdout from the top, so raising the share never moves
 * a unit out of treatment nor from control to excluded: a unit's exposure history stays clean.
 * Above 50% the holdout is simply everything that is not treatment (smaller than treatment).
 */
export function armOf(bucket: number, trafficBuckets: number, control: 'rest' | 'holdout'): Arm {
  if (bucket < trafficBuckets) return 'treatment';
  if (control === 'rest') return 'control';
  const holdoutStart =
    trafficBuckets > BUCKET_COUNT - trafficBuckets ? trafficBuckets : BUCKET_COUNT - trafficBuckets;
  return bucket >= holdoutStart ? 'control' : 'excluded';
}
