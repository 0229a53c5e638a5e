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

/**
 * How many of the BUCKET_COUNT buckets armOf puts in each arm: the closed form of counting
 * armOf over every bucket. The split check and decide() read the planned split from here, so
 * what they expect is what SDKs assign (a 100% holdout launch has no control arm, like 'rest').
 */
export function armBuckets(
  trafficBuckets: number,
  control: 'rest' | 'holdout',
): { treatment: number; control: number; excluded: number } {
  const t = Math.max(0, Math.min(BUCKET_COUNT, Math.floor(trafficBuckets)));
  const rest = BUCKET_COUNT - t;
  if (control === 'rest') return { treatment: t, control: rest, excluded: 0 };
  const holdout = Math.min(t, rest);
  return { treatment: t, control: holdout, excluded: rest - holdout };
}
