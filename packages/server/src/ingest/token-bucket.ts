/** A per-key token bucket: `rate` tokens per second, at most `burst` saved up. */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size (the largest burst); at least one batch's worth. */
  burst: number;
  /** Clock in milliseconds (injected so tests and replays control time). */
  now: () => number;
  /** Keys idle longer than this are forgotten (default 10 min), bounding memory. */
  idleMs?: number;
}

/** Outcome of a take: allowed, or how long until it would be. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Token buckets by key (e.g. token id), refilled continuously. */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #lastSweep = 0;

  constructor(private readonly o: TokenBucketOptions) {}

  /** Takes `cost` tokens from `key`'s bucket, or says when they will be there. */
  take(key: string, cost: number): TakeResult {
    const now = this.o.now();
    this.#sweep(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.o.burst, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.o.burst, bucket.tokens + elapsed * this.o.rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    // A cost above the burst could never pass; treat it as a full bucket's worth.
    const need = Math.min(cost, this.o.burst);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((need - bucket.tokens) / this.o.rate) * 1000 };
  }

  #sweep(now: number): void {
    const idle = this.o.idleMs ?? 600_000;
    if (now - this.#lastSweep < idle) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at > idle) this.#buckets.delete(key);
    }
  }
}
