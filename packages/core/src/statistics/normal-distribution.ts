/**
 * The standard normal distribution and the chi-squared tail with one degree of
 * freedom, to about 1e-13 relative precision (checked against SciPy in
 * test/vectors/statistics.json). Written out because core has no dependencies.
 */

const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * Chebyshev coefficients of g(t) = log(erfc(z)/t) + z² on t = 2/(2+z) ∈ [0, 1], in
 * y = 2t − 1 (the form of Numerical Recipes' erfccheb). Computed with mpmath by
 * scripts/reference/erfc_chebyshev.py; the first omitted term is below 3e-18.
 */
const ERFC_CHEBYSHEV = [
  -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
  -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-5, -2.0278578112534242e-5,
  -1.6242900046470256e-6, 1.3036558355805232e-6, 1.5626441722066142e-8, -8.523809591492654e-8,
  6.5290544390988515e-9, 5.059343495551469e-9, -9.91364156493033e-10, -2.273651222931836e-10,
  9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090725e-13,
  3.130921399342958e-13, -1.1270822361367252e-13, 3.810905255189232e-16, 7.106097613609237e-15,
  -1.5230282014571041e-15, -9.457494571291254e-17, 1.210237189224273e-16, -2.816663087746774e-17,
] as const;

/** log(erfc(z)) = log t − z² + g(t) for z ≥ 0, by Clenshaw's recurrence. */
function logErfcPositive(z: number): number {
  const t = 2 / (2 + z);
  const y = 2 * t - 1;
  const y2 = 2 * y;
  let b1 = 0;
  let b2 = 0;
  for (let k = ERFC_CHEBYSHEV.length - 1; k >= 1; k--) {
    const b = (ERFC_CHEBYSHEV[k] as number) + y2 * b1 - b2;
    b2 = b1;
    b1 = b;
  }
  return Math.log(t) - z * z + (ERFC_CHEBYSHEV[0] + y * b1 - b2);
}

/** Complementary error function erfc(x) = 1 − erf(x), accurate in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  return Math.exp(logErfcPositive(x));
}

/** log(erfc(x)), finite far into the upper tail where erfc itself underflows. */
export function logErfc(x: number): number {
  if (x < 0) return Math.log(erfc(x));
  if (x === Infinity) return -Infinity;
  return logErfcPositive(x);
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

/**
 * Φ⁻¹(p) by Acklam's approximation alone (relative error about 1e-9, no
 * refinement): a starting point for searches, never a reported number.
 */
export function roughNormalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  return p > 0.5 ? -acklam(1 - p) : acklam(p);
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
