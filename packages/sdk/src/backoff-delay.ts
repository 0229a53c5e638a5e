/**
 * Exponential backoff with full jitter: a uniformly random delay in
 * `[0, min(capMs, baseMs * 2^attempt))` ("Exponential Backoff and Jitter", AWS 2015).
 * `attempt` counts from 0. `random` is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
