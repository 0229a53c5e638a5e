/**
 * Time-uniform (anytime-valid) boundaries, written as multipliers of the
 * estimate's standard error: the interval at one look is estimate ± z·SE, where z
 * replaces the fixed-horizon normal quantile and grows slowly with the sample so
 * that the chance of EVER leaving the interval, over all looks, stays ≤ α.
 *
 * Two constructions, both normal-mixture martingales (Robbins 1970):
 *
 * - Asymptotic confidence sequences: I. Waudby-Smith, D. Arbour, R. Sinha,
 *   E. H. Kennedy, A. Ramdas, "Time-uniform central limit theory and asymptotic
 *   confidence sequences", Annals of Statistics 52(6), 2024 (arXiv:2103.06476).
 *   Their Gaussian-mixture asymptotic CS for a mean is the two-sided boundary
 *     μ̂_t ± σ̂_t · sqrt( 2(tρ²+1)/(t²ρ²) · log( sqrt(tρ²+1)/α ) )
 *   with ρ tuned for a time t* (ρ² = (−2 log α + log(−2 log α + 1))/t*). We use the
 *   one-sided version of the same mixture (a half-normal mixing distribution, as in
 *   S. R. Howard, A. Ramdas, J. McAuliffe, J. Sekhon, "Time-uniform, nonparametric,
 *   nonasymptotic confidence sequences", Annals of Statistics 49(2), 2021, §3), because
 *   a guard only ever asks one-sided questions.
 * - Mixture SPRT: R. Johari, P. Koomen, L. Pekelis, D. Walsh, "Peeking at A/B
 *   tests: why it matters, and what to do about it", KDD 2017 (Operations Research
 *   70(3), 2022). With a normal mixing distribution N(θ₀, τ²) over the effect,
 *     Λ = sqrt(V/(V+τ²)) · exp( τ²(θ̂−θ₀)² / (2V(V+τ²)) ),
 *   where V is the variance of the estimate θ̂ (2σ²/n for n units per arm gives their
 *   formula); H₀: θ = θ₀ is rejected when Λ ≥ 1/α.
 */
import { mixtureRoot, useColdMixtureRoot } from './mixture-root.js';

/**
 * Mixture precision ρ² that makes the two-sided boundary tightest near time t*
 * (the closed form of Waudby-Smith et al., from the asymptotic expansion of the
 * Lambert W function).
 */
export function mixtureRho2(alpha: number, tStar: number): number {
  return rho2Numerator(alpha) / tStar;
}

// The numerator of ρ² depends on α alone, the same at every look of a guard: the
// last two α (a comparison's and its arms' half) are kept.
let rho2AlphaA = NaN;
let rho2ValueA = NaN;
let rho2AlphaB = NaN;
let rho2ValueB = NaN;

function rho2Numerator(alpha: number): number {
  if (alpha === rho2AlphaA) return rho2ValueA;
  if (alpha === rho2AlphaB) return rho2ValueB;
  const l = -2 * Math.log(alpha);
  const value = l + Math.log(l + 1);
  rho2AlphaB = rho2AlphaA;
  rho2ValueB = rho2ValueA;
  rho2AlphaA = alpha;
  rho2ValueA = value;
  return value;
}

/**
 * Two-sided normal-mixture multiplier for intrinsic time x = tρ² (or x = τ²/V for
 * the mSPRT): z = sqrt( 2(x+1)/x · log( sqrt(x+1)/α ) ). The paper's radius is
 * σ̂/√t times this.
 */
export function twoSidedMixtureMultiplier(x: number, alpha: number): number {
  if (!(x > 0)) return Infinity;
  return Math.sqrt((2 * (x + 1) * (0.5 * Math.log1p(x) - Math.log(alpha))) / x);
}

// The last RECENT answers of oneSidedMixtureMultiplier, overwritten in turn. A pure
// function's results, so remembering them changes no answer.
const RECENT = 8;
const recentX = new Float64Array(RECENT).fill(NaN);
const recentAlpha = new Float64Array(RECENT).fill(NaN);
const recentZ = new Float64Array(RECENT);
let nextSlot = 0;
let lastSlot = 0;

/**
 * One-sided normal-mixture multiplier for intrinsic time x = tρ²: the z at which
 * the half-normal mixture martingale
 *   M = 2/sqrt(1+x) · exp(w²/2) · Φ(w),  w = z·sqrt(x/(1+x)),
 * reaches 1/α (Ville's inequality then bounds the chance of ever crossing by α).
 * w is the root of w²/2 + log Φ(w) = log(1/α) − log 2 + log(1+x)/2, a convex
 * increasing function of w, read from a table of Taylor polynomials (mixture-root.ts).
 */
export function oneSidedMixtureMultiplier(x: number, alpha: number): number {
  if (!(x > 0)) return Infinity;
  // The same (x, α) comes back within a look (comparisons over the same units and
  // budget share) and across looks (a fixed baseline): answer it from the last few.
  // The comparisons of one look ask for the same one in a row: the last answer first.
  if (recentX[lastSlot] === x && recentAlpha[lastSlot] === alpha)
    return recentZ[lastSlot] as number;
  for (let i = 0; i < RECENT; i++)
    if (recentX[i] === x && recentAlpha[i] === alpha) {
      lastSlot = i;
      return recentZ[i] as number;
    }
  const z = solveOneSided(x, alpha);
  recentX[nextSlot] = x;
  recentAlpha[nextSlot] = alpha;
  recentZ[nextSlot] = z;
  lastSlot = nextSlot;
  nextSlot = (nextSlot + 1) % RECENT;
  return z;
}

/**
 * Test hook: solve from the cold start of ADR 0039 (`on`) or from the table, and
 * forget remembered answers so that none crosses over.
 */
export function useColdMixtureSolve(on: boolean): void {
  useColdMixtureRoot(on);
  recentX.fill(NaN);
  recentAlpha.fill(NaN);
}

function solveOneSided(x: number, alpha: number): number {
  const target = -Math.log(alpha) - Math.LN2 + 0.5 * Math.log1p(x);
  return mixtureRoot(target) * Math.sqrt((1 + x) / x);
}

/** log Λ of the mixture SPRT for H₀: θ = θ₀, given the estimate, its variance V and the mixing variance τ². */
export function msprtLogStatistic(
  estimate: number,
  variance: number,
  theta0: number,
  tau2: number,
): number {
  if (!(variance > 0)) return estimate === theta0 ? 0 : Infinity;
  const d = estimate - theta0;
  return (
    0.5 * Math.log(variance / (variance + tau2)) +
    (tau2 * d * d) / (2 * variance * (variance + tau2))
  );
}
