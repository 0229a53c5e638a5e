/**
 * Delay before the next delivery attempt: exponential with "equal jitter" — half
 * of min(cap, base·2^attempt) fixed plus up to as much again at random — so
 * retries spread out yet never come back at once after a failure.
 */

/** Backoff settings of the outbox worker. */
export interface RetryPolicy {
  /** First retry after about this long (default 1 s). */
  baseMs: number;
  /** Longest wait between attempts (default 5 min). */
  capMs: number;
}

/** The default retry policy. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, capMs: 5 * 60_000 };

/** Delay (ms) before attempt `attempts + 1`, given `attempts` failures so far (≥ 1). */
export function retryDelay(
  attempts: number,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}
