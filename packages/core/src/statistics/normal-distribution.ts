/**
 * The standard normal distribution and the chi-squared tail with one degree of
 * freedom, to about 1e-14 relative precision (checked against SciPy in
 * test/vectors/statistics.json). Written out because core has no dependencies.
 */

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_PI = Math.log(SQRT_PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Below this the power series is used, above it the continued fraction (both converge fast there). */
const SERIES_LIMIT = 2;

/** erf(x) for 0 ≤ x ≤ SERIES_LIMIT: 2/√π · e^(−x²) · Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)); all terms positive, so no cancellation. */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
}

/**
 * For x > SERIES_LIMIT: the continued fraction erfc(x) = e^(−x²)/√π · 1/K with
 * K = x + (1/2)/(x + 1/(x + (3/2)/(x + …))), evaluated by the modified Lentz method.
 * Returns K so that callers can take logarithms without underflow.
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** Complementary error function erfc(x) = 1 − erf(x), accurate in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x <= SERIES_LIMIT) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return Math.exp(-x * x) / (SQRT_PI * erfcContinuedFraction(x));
}

/** log(erfc(x)), finite far into the upper tail where erfc itself underflows. */
export function logErfc(x: number): number {
  if (x <= SERIES_LIMIT) return Math.log(erfc(x));
  return -x * x - LOG_SQRT_PI - Math.log(erfcContinuedFraction(x));
}

/** Standard normal cumulative distribution Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** Standard normal upper tail 1 − Φ(x), without cancellation for large x. */
export function normalSurvival(x: number): number {
  return 0.5 * erfc(x / SQRT2);
}

/** log Φ(x), accurate for very negative x. */
export function logNormalCdf(x: number): number {
  if (x > 0) return Math.log1p(-normalSurvival(x));
  return Math.log(0.5) + logErfc(-x / SQRT2);
}

/** Standard normal density φ(x). */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

// Acklam's rational approximation of the normal quantile (relative error 1.15e-9),
// refined below by one Halley step against normalCdf to full double precision.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [
  7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416,
] as const;
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (−∞ at 0, +∞ at 1, NaN outside). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // The upper half is the mirror of the lower one, so the tail is always computed
  // from the small probability and keeps its precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklam(p);
  const e = normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/** Upper tail P(χ²₁ ≥ x) of the chi-squared distribution with one degree of freedom. */
export function chiSquaredSurvival1(x: number): number {
  if (!(x > 0)) return x === 0 ? 1 : NaN;
  return erfc(Math.sqrt(x / 2));
}
