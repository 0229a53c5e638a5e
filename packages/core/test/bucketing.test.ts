import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_COUNT,
  CURRENT_HASH_VERSION,
  HASH_VERSIONS,
  armOf,
  bucketOf,
  createBucketer,
  murmur3,
  shareToBuckets,
} from '../src/bucketing/index.js';
import type { Arm, HashVersion } from '../src/bucketing/index.js';

/** MurmurHash3_x86_32 written straight from the reference C, over bytes, to check the inline UTF-8 path. */
function referenceMurmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const blocks = bytes.length >>> 2;
  for (let b = 0; b < blocks; b++) {
    const i = b * 4;
    let k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    for (let r = rest - 1; r >= 0; r--) k = (k << 8) | (bytes[tail + r] as number);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = new TextEncoder();
const reference = (text: string, seed: number): number => referenceMurmur3(utf8.encode(text), seed);

/** Deterministic PRNG (mulberry32) so statistical tests give the same verdict on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper-tail p-value of a chi-squared statistic, by the Wilson–Hilferty cube-root normal approximation. */
function chiSquaredP(statistic: number, degreesOfFreedom: number): number {
  const k = degreesOfFreedom;
  const z = (Math.cbrt(statistic / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
  return erfc(z / Math.SQRT2) / 2;
}

function chiSquaredUniform(counts: ArrayLike<number>, total: number): number {
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++)
    statistic += ((counts[i] as number) - expected) ** 2 / expected;
  return chiSquaredP(statistic, counts.length - 1);
}

function uniformity(ids: Iterable<string>, salt: string): { fine: number; coarse: number } {
  const bucket = createBucketer(salt);
  const fine = new Uint32Array(BUCKET_COUNT);
  const coarse = new Uint32Array(100);
  let total = 0;
  for (const id of ids) {
    const b = bucket(id);
    fine[b] = (fine[b] as number) + 1;
    coarse[Math.floor(b / 100)] = (coarse[Math.floor(b / 100)] as number) + 1;
    total++;
  }
  return { fine: chiSquaredUniform(fine, total), coarse: chiSquaredUniform(coarse, total) };
}

function* sequentialIds(n: number): Iterable<string> {
  for (let i = 0; i < n; i++) yield `user-${i}`;
}

function* randomIds(n: number, seed: number): Iterable<string> {
  const next = random(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
  for (let i = 0; i < n; i++) {
    let id = '';
    const length = 6 + Math.floor(next() * 30);
    for (let j = 0; j < length; j++) id += alphabet.charAt(Math.floor(next() * alphabet.length));
    yield id;
  }
}

describe('murmur3', () => {
  it('matches published MurmurHash3_x86_32 values', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3('\0\0\0\0', 0)).toBe(0x2362f9de);
    expect(murmur3('aaaa', 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3('abc', 0)).toBe(0xb3dd93fa);
    expect(murmur3('hello', 0)).toBe(0x248bfa47);
    expect(murmur3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes the UTF-8 bytes of non-ASCII text, lone surrogates as U+FFFD', () => {
    const texts = [
      'é',
      'café',
      'ab日本',
      '日本',
      '😀',
      'a😀',
      'ab😀cd',
      '👩‍👩‍👧‍👦',
      '\ud800',
      '\udfff',
      'a\ud800b',
      'x\ud83d',
      '\ude00\ud83d',
      '\u007f\u0080\u07ff\u0800\uffff',
      'é'.repeat(33),
    ];
    for (const text of texts) {
      for (const seed of [0, 1, 0x9747b28c, 0xffffffff]) {
        expect(murmur3(text, seed), `${JSON.stringify(text)} seed ${seed}`).toBe(
          reference(text, seed),
        );
      }
    }
    expect(murmur3('\ud800', 7)).toBe(murmur3('\ufffd', 7));
  });

  it('agrees with the byte-level reference on arbitrary UTF-16 strings and seeds', () => {
    const codeUnits = fc
      .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0xffff })), {
        maxLength: 40,
      })
      .map((units) => String.fromCharCode(...units));
    const text = fc.oneof(codeUnits, fc.string({ unit: 'binary', maxLength: 40 }), fc.string());
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 0xffffffff }), (t, seed) => {
        expect(murmur3(t, seed)).toBe(reference(t, seed));
      }),
      { numRuns: 5000 },
    );
  });

  it('returns an unsigned 32-bit integer', () => {
    for (const id of randomIds(1000, 3)) {
      const h = murmur3(id, 42);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});

interface Vector {
  unitId: string;
  salt: string;
  version: HashVersion;
  bucket: number;
  murmur3: number;
}

describe('golden vectors (test/vectors/bucketing.json)', () => {
  const file = JSON.parse(
    readFileSync(new URL('./vectors/bucketing.json', import.meta.url), 'utf8'),
  ) as { hashVersion: number; bucketCount: number; vectors: Vector[] };

  it('covers the current version with enough cases', () => {
    expect(file.hashVersion).toBe(CURRENT_HASH_VERSION);
    expect(file.bucketCount).toBe(BUCKET_COUNT);
    expect(file.vectors.length).toBeGreaterThanOrEqual(200);
    expect(file.vectors.some((v) => v.unitId === '')).toBe(true);
    expect(file.vectors.some((v) => v.unitId.length >= 1000)).toBe(true);
  });

  it('reproduces every released bucket and hash', () => {
    for (const v of file.vectors) {
      const label = `${JSON.stringify(v.unitId)} / ${JSON.stringify(v.salt)}`;
      expect(murmur3(v.unitId, murmur3(v.salt, 0)), label).toBe(v.murmur3);
      expect(bucketOf(v.unitId, v.salt, v.version), label).toBe(v.bucket);
      expect(createBucketer(v.salt, v.version)(v.unitId), label).toBe(v.bucket);
      // The vectors were checked against an independent implementation, not just this one.
      expect(reference(v.unitId, reference(v.salt, 0)), label).toBe(v.murmur3);
    }
  });
});

describe('bucketOf / createBucketer', () => {
  it('knows exactly the released versions', () => {
    expect(HASH_VERSIONS).toEqual([1]);
    expect(CURRENT_HASH_VERSION).toBe(1);
    expect(() => bucketOf('u', 's', 2 as HashVersion)).toThrow(/unknown bucketing hash version 2/);
    expect(() => createBucketer('s', 0 as HashVersion)).toThrow(RangeError);
  });

  it('is floor(h * 10000 / 2^32) of the salt-seeded hash, and the bucketer agrees', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, salt) => {
        const h = murmur3(id, murmur3(salt, 0));
        const b = bucketOf(id, salt);
        expect(b).toBe(Math.floor((h * 10000) / 2 ** 32));
        expect(Number.isInteger(b) && b >= 0 && b < BUCKET_COUNT).toBe(true);
        expect(createBucketer(salt)(id)).toBe(b);
        expect(bucketOf(id, salt, 1)).toBe(b);
      }),
    );
  });

  it('spreads 1,000,000 sequential and 1,000,000 random ids uniformly (chi-squared, p > 0.001)', () => {
    const sequential = uniformity(sequentialIds(1_000_000), 'launch-checkout-v2');
    const randomSet = uniformity(randomIds(1_000_000, 20261124), 'f2a9c3e0-launch-17');
    for (const p of [sequential.fine, sequential.coarse, randomSet.fine, randomSet.coarse]) {
      expect(p).toBeGreaterThan(0.001);
    }
  });

  it('puts independent salts on independent buckets (10×10 contingency, overlap of two 10% rollouts)', () => {
    const a = createBucketer('launch-a');
    const b = createBucketer('launch-b');
    const n = 200_000;
    const table = new Float64Array(100);
    let bothIn = 0;
    for (const id of sequentialIds(n)) {
      const x = a(id);
      const y = b(id);
      const cell = Math.floor(x / 1000) * 10 + Math.floor(y / 1000);
      table[cell] = (table[cell] as number) + 1;
      if (x < 1000 && y < 1000) bothIn++;
    }
    const rows = new Float64Array(10);
    const cols = new Float64Array(10);
    for (let r = 0; r < 10; r++) {
      for (let c = 0; c < 10; c++) {
        const count = table[r * 10 + c] as number;
        rows[r] = (rows[r] as number) + count;
        cols[c] = (cols[c] as number) + count;
      }
    }
    let statistic = 0;
    for (let r = 0; r < 10; r++) {
      for (let c = 0; c < 10; c++) {
        const expected = ((rows[r] as number) * (cols[c] as number)) / n;
        statistic += ((table[r * 10 + c] as number) - expected) ** 2 / expected;
      }
    }
    expect(chiSquaredP(statistic, 81)).toBeGreaterThan(0.001);
    // 1% expected (2,000 units, sd ≈ 45): ±0.15 points is more than six standard deviations.
    expect(Math.abs(bothIn / n - 0.01)).toBeLessThan(0.0015);
  });
});

describe('chi-squared helper (sanity of the test itself)', () => {
  it('gives textbook p-values', () => {
    expect(chiSquaredP(9999, 9999)).toBeCloseTo(0.498, 3);
    expect(chiSquaredP(124.342, 100)).toBeCloseTo(0.05, 2);
    expect(chiSquaredP(135.807, 100)).toBeCloseTo(0.01, 3);
    expect(chiSquaredP(200, 100)).toBeLessThan(1e-6);
  });
});

describe('shareToBuckets', () => {
  it('maps shares to 0.01% steps', () => {
    expect(shareToBuckets(0)).toBe(0);
    expect(shareToBuckets(0.0001)).toBe(1);
    expect(shareToBuckets(0.005)).toBe(50);
    expect(shareToBuckets(0.1)).toBe(1000);
    expect(shareToBuckets(0.29)).toBe(2900);
    expect(shareToBuckets(0.5)).toBe(5000);
    expect(shareToBuckets(1)).toBe(BUCKET_COUNT);
  });

  it('rounds to the nearest step, halves up as written in decimal', () => {
    expect(shareToBuckets(0.00015)).toBe(2); // 1.4999999999999998 in binary, 1.5 as written
    expect(shareToBuckets(0.00025)).toBe(3);
    expect(shareToBuckets(0.000149)).toBe(1);
    expect(shareToBuckets(0.00004)).toBe(0);
    expect(shareToBuckets(0.00005)).toBe(1);
    expect(shareToBuckets(0.99995)).toBe(10000);
    expect(shareToBuckets(0.123456)).toBe(1235);
  });

  it('rejects shares outside [0, 1]', () => {
    for (const bad of [-0.01, 1.0001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => shareToBuckets(bad)).toThrow(RangeError);
    }
  });

  it('is monotonic: every unit in at a share is in at any larger share', () => {
    const ids = [...sequentialIds(2000)];
    const bucket = createBucketer('monotonic');
    const buckets = ids.map(bucket);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, y) => {
          const [s1, s2] = x <= y ? [x, y] : [y, x];
          const t1 = shareToBuckets(s1);
          const t2 = shareToBuckets(s2);
          expect(t1).toBeLessThanOrEqual(t2);
          const lost = buckets.filter(
            (b) => armOf(b, t1, 'rest') === 'treatment' && armOf(b, t2, 'rest') !== 'treatment',
          );
          expect(lost).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('admits about the share of 1,000,000 units', () => {
    const bucket = createBucketer('share');
    const t = shareToBuckets(0.05);
    let inside = 0;
    for (const id of sequentialIds(1_000_000)) if (bucket(id) < t) inside++;
    // sd of the fraction ≈ 0.00022
    expect(Math.abs(inside / 1_000_000 - 0.05)).toBeLessThan(0.0015);
  });
});

describe('armOf', () => {
  const arms = (t: number, control: 'rest' | 'holdout'): Arm[] =>
    Array.from({ length: BUCKET_COUNT }, (_, b) => armOf(b, t, control));
  const count = (list: Arm[], arm: Arm): number => list.filter((a) => a === arm).length;

  it('splits treatment from the rest', () => {
    expect(armOf(0, 1, 'rest')).toBe('treatment');
    expect(armOf(1, 1, 'rest')).toBe('control');
    expect(armOf(9999, 10000, 'rest')).toBe('treatment');
    expect(armOf(0, 0, 'rest')).toBe('control');
    expect(count(arms(2500, 'rest'), 'control')).toBe(7500);
  });

  it('takes a same-size holdout from the top', () => {
    expect(armOf(0, 100, 'holdout')).toBe('treatment');
    expect(armOf(99, 100, 'holdout')).toBe('treatment');
    expect(armOf(100, 100, 'holdout')).toBe('excluded');
    expect(armOf(9899, 100, 'holdout')).toBe('excluded');
    expect(armOf(9900, 100, 'holdout')).toBe('control');
    expect(armOf(9999, 100, 'holdout')).toBe('control');
    expect(armOf(6000, 6000, 'holdout')).toBe('control');
    expect(count(arms(0, 'holdout'), 'excluded')).toBe(BUCKET_COUNT);
    expect(count(arms(10000, 'holdout'), 'treatment')).toBe(BUCKET_COUNT);
  });

  it('keeps treatment and holdout the same size up to 50%, and treatment ∪ control = all above', () => {
    for (let t = 0; t <= BUCKET_COUNT; t += 37) {
      const list = arms(t, 'holdout');
      const treatment = count(list, 'treatment');
      const control = count(list, 'control');
      expect(treatment).toBe(t);
      if (t <= 5000) expect(control).toBe(t);
      else expect(control).toBe(BUCKET_COUNT - t);
    }
  });

  it('moves units only forward when the share rises: never out of treatment, never control → excluded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BUCKET_COUNT }),
        fc.integer({ min: 0, max: BUCKET_COUNT }),
        fc.constantFrom<'rest' | 'holdout'>('rest', 'holdout'),
        (x, y, control) => {
          const [t1, t2] = x <= y ? [x, y] : [y, x];
          let backwards = 0;
          for (let b = 0; b < BUCKET_COUNT; b++) {
            const before = armOf(b, t1, control);
            const after = armOf(b, t2, control);
            if (before === 'treatment' && after !== 'treatment') backwards++;
            if (before === 'control' && after === 'excluded') backwards++;
          }
          expect(backwards).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
