/**
 * Plan shares as HAProxy weights. A server's weight is a whole number from 0 to
 * 256 and the new version's share is treatment / (treatment + control), so a
 * share can be set exactly only when it is a fraction whose denominator (in
 * lowest terms) is at most 256: 1%, 5%, 10%, 12.5%, 50% can; 0.1% or 12.34%
 * cannot. Plans are checked against this before they run (ADR 0025), so the
 * share a rehearsal simulates is the share HAProxy serves.
 */

/** HAProxy's largest absolute server weight. */
export const HAPROXY_MAX_WEIGHT = 256;

const GRID = 10_000; // plan shares are multiples of 0.01%

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The weights that give exactly `share` (scaled up as far as 256 allows), or null when none do. */
export function haproxyWeights(share: number): { treatment: number; control: number } | null {
  if (!(share >= 0 && share <= 1)) return null;
  const k = Math.round(share * GRID);
  if (Math.abs(k / GRID - share) > 1e-12) return null;
  const g = gcd(k, GRID);
  const a = k / g;
  const b = GRID / g;
  if (b > HAPROXY_MAX_WEIGHT) return null;
  const m = Math.floor(HAPROXY_MAX_WEIGHT / b);
  return { treatment: a * m, control: (b - a) * m };
}

/** The share two weights give, or null when both are 0 (the backend serves neither version). */
export function shareOfWeights(treatment: number, control: number): number | null {
  const total = treatment + control;
  return total > 0 ? treatment / total : null;
}

/** The share nearest to `share` on the plan's 0.01% grid that HAProxy can set exactly. */
export function nearestHaproxyShare(share: number): number {
  const k = Math.round(share * GRID);
  for (let d = 1; d < GRID; d++) {
    for (const c of [k - d, k + d]) {
      if (c > 0 && c <= GRID && haproxyWeights(c / GRID) !== null) return c / GRID;
    }
  }
  return 1;
}
