export { murmur3 } from './murmur3.js';
export {
  BUCKET_COUNT,
  HASH_VERSIONS,
  CURRENT_HASH_VERSION,
  bucketOf,
  createBucketer,
} from './bucket-of.js';
export type { HashVersion } from './bucket-of.js';
export { shareToBuckets } from './share-to-buckets.js';
export { armOf, armBuckets } from './arm-of.js';
export type { Arm } from './arm-of.js';
