import { murmur3 } from './murmur3.js';

/** Number of buckets a unit can fall in: 0.01% steps. */
export const BUCKET_COUNT = 10_000;

/** Every hash version this build can compute; a released version never changes. */
export const HASH_VERSIONS = [1] as const;

/** A bucketing hash version, stored with the plan. */
export type HashVersion = (typeof HASH_VERSIONS)[number];

/** The hash version new plans get. */
export const CURRENT_HASH_VERSION: HashVersion = 1;

const TWO_POW_32 = 4_294_967_296;

function assertKnownVersion(version: number): void {
  // A plan from a newer release must fail loudly rather than silently bucket users differently.
  if (!(HASH_VERSIONS as readonly number[]).includes(version)) {
    throw new RangeError(
      `unknown bucketing hash version ${String(version)} (this build knows ${HASH_VERSIONS.join(', ')})`,
    );
  }
}

/** Per-launch seed: hashing the salt once lets the per-unit hash be a single pass over the id. */
function seedOf(salt: string): number {
  return murmur3(salt, 0);
}

/**
 * Bucket 0..9999 of a unit for a launch salt.
 * v1: seed = murmur3(salt, 0); h = murmur3(unitId, seed); bucket = floor(h * 10000 / 2^32).
 */
export function bucketOf(
  unitId: string,
  salt: string,
  version: HashVersion = CURRENT_HASH_VERSION,
): number {
  assertKnownVersion(version);
  // h * 10000 < 2^46, so the product and the power-of-two division are exact in a double.
  return Math.floor((murmur3(unitId, seedOf(salt)) * BUCKET_COUNT) / TWO_POW_32);
}

/** Precompute per-salt work; the returned function is the hot path. */
export function createBucketer(
  salt: string,
  version: HashVersion = CURRENT_HASH_VERSION,
): (unitId: string) => number {
  assertKnownVersion(version);
  const seed = seedOf(salt);
  return (unitId) => Math.floor((murmur3(unitId, seed) * BUCKET_COUNT) / TWO_POW_32);
}
