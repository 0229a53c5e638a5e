/**
 * Intervals for occurrence KPIs (a share of units) that stay valid when the
 * events are rare. The normal approximation around the OBSERVED share (Wald)
 * fails in the lower tail: 2 events where 9.5 were expected look like a
 * certain drop, because the variance is read off the low count itself. Score
 * methods read the variance at the value being tested instead, as Wilson's
 * interval does for one share and the Farrington–Manning / Miettinen–Nurminen
 * tests do for two; the guards take the larger of the two variances, so a
 * bound is never narrower than either method's.
 *
 * References: E. B. Wilson, "Probable inference, the law of succession, and
 * statistical inference", JASA 22(158), 1927; C. P. Farrington, G. Manning,
 * "Test statistics and sample size formulae for comparative binomial trials
 * with null hypothesis of non-zero risk difference or non-unity relative risk",
 * Statistics in Medicine 9(12), 1990.
 */
import type { ArmEstimate } from './arm-estimate.js';

/**
 * Wilson's score bounds for a share with x events in n units at multiplier z:
 * the shares p with |x/n − p| ≤ z·sqrt(p(1−p)/n). Always within [0, 1].
 */
export function wilsonBounds(x: number, n: number, z: number): [number, number] {
  const out = new Float64Array(2);
  wilsonBoundsInto(x, n, z, out, 0);
  return [out[0] as number, out[1] as number];
}

/** wilsonBounds written to out[at] (lower) and out[at + 1] (upper), without an array a call. */
export function wilsonBoundsInto(
  x: number,
  n: number,
  z: number,
  out: Float64Array,
  at: number,
): void {
  if (!(n > 0) || !Number.isFinite(z)) {
    out[at] = 0;
    out[at + 1] = 1;
    return;
  }
  const p = Math.min(1, Math.max(0, x / n));
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const spread = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  // At a share of exactly 0 or 1 that end is exact; rounding must not move it.
  out[at] = p === 0 ? 0 : Math.max(0, centre - spread);
  out[at + 1] = p === 1 ? 1 : Math.min(1, centre + spread);
}

/**
 * Variance of the change treatment − control (or treatment / control − 1 when
 * `relative`) if the true change were `theta`, with the arms' means estimated
 * under that constraint from both arms (for relative changes the Poisson-limit
 * maximum likelihood estimate, exact for rare events; for differences the
 * pooled one). Occurrence: binomial variances p(1−p). Count: the pooled
 * dispersion (per-unit variance over mean, 1 for Poisson counts) times the
 * mean. undefined when the constraint leaves no valid mean (a share outside
 * (0, 1), a count mean ≤ 0), where the observed variance alone applies.
 */
export function varianceAtChange(
  t: ArmEstimate,
  c: ArmEstimate,
  relative: boolean,
  theta: number,
  kind: 'occurrence' | 'count' = 'occurrence',
): number | undefined {
  const nT = t.units;
  const nC = c.units;
  if (!(nT > 0 && nC > 0)) return undefined;
  const events = t.value * nT + c.value * nC;
  let c0: number;
  let t0: number;
  if (relative) {
    if (!(1 + theta > 0)) return undefined;
    c0 = events / (nT * (1 + theta) + nC);
    t0 = c0 * (1 + theta);
  } else {
    c0 = (events - nT * theta) / (nT + nC);
    t0 = c0 + theta;
  }
  let vT: number;
  let vC: number;
  if (kind === 'count') {
    if (!(c0 > 0 && t0 > 0)) return undefined;
    const mean = events / (nT + nC);
    // Per-unit variances back from the estimates' variances (floors included).
    const pooled = (t.variance * nT * nT + c.variance * nC * nC) / (nT + nC);
    const dispersion = mean > 0 ? pooled / mean : 1;
    vT = (dispersion * t0) / nT;
    vC = (dispersion * c0) / nC;
  } else {
    if (!(c0 > 0 && c0 < 1 && t0 > 0 && t0 < 1)) return undefined;
    vT = (t0 * (1 - t0)) / nT;
    vC = (c0 * (1 - c0)) / nC;
  }
  if (!relative) return vT + vC;
  const ratio = t0 / c0;
  return vT / (c0 * c0) + (ratio * ratio * vC) / (c0 * c0);
}
