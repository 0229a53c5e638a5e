/**
 * Seeded randomness for the rehearsal: xoshiro128** (D. Blackman, S. Vigna,
 * "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021),
 * seeded through splitmix32 so that any (seed, stream) pair gives an
 * independent-looking sequence. 32-bit arithmetic only, so every JavaScript
 * engine produces the same numbers: the same seed gives the same report.
 */

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_53 = 1 / 9007199254740992;

/** A seeded generator of uniform, normal and binomial draws. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /**
   * `seed` is any safe integer; `stream` selects one of many independent
   * sequences of that seed (e.g. one per simulated launch).
   */
  constructor(seed: number, stream = 0) {
    const lo = (seed % TWO_POW_32) >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let h = splitmix32(lo ^ splitmix32(hi ^ splitmix32(stream >>> 0)));
    h = splitmix32(h ^ Math.floor(stream / TWO_POW_32));
    this.a = splitmix32(h);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = splitmix32(this.c);
    // An all-zero state would stay zero forever.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const b = this.b;
    const m = Math.imul(b, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) * TWO_POW_NEG_53;
  }

  /** An integer uniform on 0..n−1 (n ≥ 1). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 − u is in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /**
   * Binomial(n, p) for a whole n ≥ 0: exact inversion when the smaller expected
   * count is under 30, else the normal approximation rounded and clamped to
   * 0..n (its error is far below the Monte Carlo error of a rehearsal).
   */
  binomial(n: number, p: number): number {
    if (!(n > 0) || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const mean = n * p;
    if (mean < 30) return this.binomialInversion(n, p);
    const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal());
    return x < 0 ? 0 : x > n ? n : x;
  }

  /** Sequential search of the binomial distribution function (Kachitvichyanukul & Schmeiser's BINV). */
  private binomialInversion(n: number, p: number): number {
    const q = 1 - p;
    const s = p / q;
    const a = (n + 1) * s;
    let r = Math.exp(n * Math.log1p(-p));
    let u = this.uniform();
    let x = 0;
    while (u > r) {
      u -= r;
      x += 1;
      if (x > n) return n;
      r *= a / x - s;
      // Rounding can leave u above the remaining mass: stop in the far tail.
      if (r <= 0) return x;
    }
    return x;
  }
}
