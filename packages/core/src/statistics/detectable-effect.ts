/**
 * Minimum detectable effect (MDE), required sample and required duration for the
 * anytime-valid guards actually used, so that plan checks and rehearsals can say
 * "phase canary (1% for 30m) cannot detect +20%: it needs 2h".
 *
 * The guard breaches when the lower end of its anytime-valid interval passes the
 * margin: D̂ − z·SE > margin, where z is the sequence's multiplier at that sample
 * (not the fixed-horizon 1.96). With D̂ ≈ N(δ, SE(δ)²), it breaches at a given look
 * with probability Φ((δ − margin)/SE(δ) − z), so the smallest harm δ it catches
 * with the requested power at that look solves
 *   δ = margin + (z + Φ⁻¹(power)) · SE(δ).
 * SE(δ) is the standard error the guard will see WHEN the harm is δ: the treatment
 * arm's variance at the alternative (for a rate p, (p+δ)(1−p−δ), or p(1+δ)(1−p(1+δ))
 * for a relative change), and for relative changes the delta method for T/C − 1
 * (Deng, Knoblich & Lu, KDD 2018), whose control term is scaled by (T/C)² = (1+δ)².
 * Using the baseline variance for both arms understated SE(δ) and promised 55%
 * power where the guard had 44% for a +10% rate change.
 * By default the power counts the looks before the last too (a launch is looked at
 * every few minutes): Φ(θ − z) becomes the first-passage chance of sequentialPower,
 * still a lower bound for frequent looks. Without it the planner asked for about
 * 20% more units than simulated launches needed.
 */
import type { KpiKind } from '../plan/index.js';
import {
  MIN_UNITS_FOR_VERDICT,
  DEFAULT_MIN_UNITS,
  defaultTuneUnits,
  sequenceMultiplier,
} from './guard-verdict.js';
import { mixtureRho2, twoSidedMixtureMultiplier } from './mixture-boundary.js';
import { logNormalCdf, normalCdf, normalDensity, normalQuantile } from './normal-distribution.js';
import { MIN_TAIL_UNITS } from './quantile-guard.js';

/** What the MDE depends on. Effects and margins are harm magnitudes (positive = worse). */
export interface DetectableEffectInput {
  kind: KpiKind;
  /** Treatment units at the look (e.g. expected units in the phase). */
  unitsPerArm: number;
  /** Control units per treatment unit: 1 for a holdout, 99 for a 1% canary against the rest. Default 1. */
  controlRatio?: number;
  /** Baseline KPI value (a rate, a mean per unit, a ratio; for quantile KPIs, the quantile). */
  baselineMean: number;
  /**
   * Variance of the per-unit value (for ratio KPIs: of yᵢ − R·xᵢ divided by x̄², the
   * delta method's per-unit variance). Occurrence defaults to p(1−p) for control and
   * to the alternative's rate for treatment; given explicitly, both arms use it
   * (the spread is assumed not to change with the harm). Quantile KPIs use
   * `quantile` instead.
   */
  baselineVariance?: number;
  /** The guard's share of the false alarm budget. */
  alpha: number;
  /** Chance of breaching when the harm is the MDE (default 0.8). */
  power?: number;
  /**
   * 'continuous' (default): the chance of a breach at any look up to the sample,
   * for a launch looked at often (see sequentialPower). 'single-look': the chance
   * at a look with that sample alone, as if nobody had looked before.
   */
  monitoring?: 'continuous' | 'single-look';
  /** MDE as a fraction of the baseline (default false: in the KPI's units). */
  relative?: boolean;
  /** The guard's margin in the same scale (default 0). */
  margin?: number;
  method?: 'confidence-sequence' | 'msprt';
  /** The phase's min_units (tunes the confidence sequence as the guard does; default 100). */
  minUnits?: number;
  /** As GuardOptions.tuneUnits. */
  tuneUnits?: number;
  /** For quantile KPIs: q, and the standard deviation of ln(value) (a log-normal model of the values). */
  quantile?: { q: number; logSd: number };
}

function positive(value: number | undefined, field: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${field} must be a positive number, got ${String(value)}`);
  return value;
}

/**
 * Slope of the log of the q-quantile in q for log-normal values, σ/φ(Φ⁻¹(q)): the
 * relative standard error of a sample quantile is this × √(q(1−q)/n).
 */
function quantileSparsity(input: DetectableEffectInput): number {
  const { q, logSd } = input.quantile ?? { q: NaN, logSd: NaN };
  if (!(q > 0 && q < 1))
    throw new RangeError(`quantile.q must be between 0 and 1, got ${String(q)}`);
  positive(logSd, 'quantile.logSd');
  return (logSd * Math.sqrt(q * (1 - q))) / normalDensity(normalQuantile(q));
}

/**
 * The chance that a Brownian motion with drift θ per unit of information crosses
 * the level z by information 1: Φ(θ − z) + e^{2θz}·Φ(−θ − z) (the first-passage
 * law of a drifted Brownian motion). Standardized at the planned sample, the
 * guard's statistic is such a motion and its boundary z(n')·√(n'/n) lies below z
 * at every earlier sample n' < n, so for a launch looked at often this is a lower
 * bound on the chance of a breach by then; the last look alone, Φ(θ − z),
 * understated it by about a fifth of the sample.
 */
export function sequentialPower(drift: number, z: number): number {
  if (!(z > 0)) return normalCdf(drift - z);
  const earlier = Math.exp(2 * drift * z + logNormalCdf(-drift - z));
  return Math.min(1, normalCdf(drift - z) + (Number.isFinite(earlier) ? earlier : 0));
}

/** The drift θ at which sequentialPower(θ, z) reaches `power` (bisection; it increases in θ). */
function driftFor(z: number, power: number, zPower: number): number {
  if (!(z > 0)) return z + zPower;
  // The last look alone needs z + zPower; earlier looks only lower it.
  let hi = z + zPower;
  let lo = hi - 3;
  while (sequentialPower(lo, z) >= power) lo -= 3;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (sequentialPower(mid, z) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The smallest harm (beyond nothing: margin included) that the guard breaches on
 * with probability `power` by the time the treatment has `unitsPerArm` units;
 * Infinity below the sample where the guard can breach at all.
 * Throws a RangeError naming the field for invalid input.
 */
export function minimumDetectableEffect(input: DetectableEffectInput): number {
  const alpha = input.alpha;
  if (!(alpha > 0 && alpha < 1))
    throw new RangeError(`alpha must be between 0 and 1, got ${String(alpha)}`);
  const power = input.power ?? 0.8;
  if (!(power > 0 && power < 1))
    throw new RangeError(`power must be between 0 and 1, got ${String(power)}`);
  const nT = positive(input.unitsPerArm, 'unitsPerArm');
  const nC = nT * positive(input.controlRatio ?? 1, 'controlRatio');
  const margin = input.margin ?? 0;
  if (!(margin >= 0 && Number.isFinite(margin)))
    throw new RangeError(`margin must be a non-negative number, got ${String(margin)}`);
  if (input.kind === 'slo-burn')
    throw new RangeError(
      'kind slo-burn has no detectable effect: burn-rate guards compare one arm with a fixed factor',
    );
  const minUnits = input.minUnits ?? DEFAULT_MIN_UNITS;
  if (Math.min(nT, nC) < MIN_UNITS_FOR_VERDICT) return Infinity;
  const zPower = normalQuantile(power);
  const continuous = input.monitoring !== 'single-look';
  if (input.kind === 'quantile') {
    const q = input.quantile?.q ?? NaN;
    quantileSparsity(input);
    if (Math.min(nT, nC) * Math.min(q, 1 - q) < MIN_TAIL_UNITS) return Infinity;
  }
  const model = standardError(input, nT, nC, minUnits, margin);
  // Fixed-point iteration δ ← margin + (z + z_power)·SE(δ), started at the margin.
  // Where SE(δ) grows slower than δ, the iterates rise to the smallest solution
  // (typically in 30–100 steps). Where it grows as fast (a relative change with a
  // noisy, small control arm: SE of T/C − 1 scales with 1 + δ), there is no
  // solution: no harm, however large, reaches the power, and the iterates run off.
  let delta = margin;
  let lastZ = NaN;
  let drift = NaN;
  for (let i = 0; i < 10_000; i++) {
    const se = model.se(delta);
    const z = model.z(delta);
    if (z !== lastZ) {
      lastZ = z;
      drift = continuous ? driftFor(z, power, zPower) : z + zPower;
    }
    const next = margin + drift * se;
    if (!Number.isFinite(next) || next > 1e12 * (1 + margin)) return Infinity;
    if (Math.abs(next - delta) <= 1e-15 * Math.max(1, Math.abs(next))) return next;
    delta = next;
  }
  return Infinity;
}

/**
 * The guard's multiplier z at the look and its standard error as a function of the
 * true harm δ (in the MDE's scale); Infinity when δ is impossible (a rate past 1).
 */
function standardError(
  input: DetectableEffectInput,
  nT: number,
  nC: number,
  minUnits: number,
  margin: number,
): { z: (delta: number) => number; se: (delta: number) => number } {
  const relative = input.relative === true;
  if (input.kind === 'quantile') return quantileStandardError(input, nT, nC, minUnits);
  const occurrenceDefault = input.baselineVariance === undefined && input.kind === 'occurrence';
  let controlVariance = input.baselineVariance;
  const p = input.baselineMean;
  if (occurrenceDefault) {
    if (!(p >= 0 && p <= 1))
      throw new RangeError(
        `baselineMean of an occurrence KPI is a rate from 0 to 1, got ${String(p)}`,
      );
    controlVariance = p * (1 - p);
  }
  if (
    typeof controlVariance !== 'number' ||
    !(controlVariance >= 0) ||
    !Number.isFinite(controlVariance)
  )
    throw new RangeError(
      `baselineVariance must be a non-negative number, got ${String(controlVariance)}`,
    );
  const cv = controlVariance;
  const m = relative ? positive(input.baselineMean, 'baselineMean') : 1;
  // A relative harm of a mean or count scales each unit's value (a multiplicative
  // slowdown), so the treatment's spread grows with it; an absolute one shifts them.
  const scales = relative && (input.kind === 'mean' || input.kind === 'count');
  const se = (delta: number): number => {
    let treatmentVariance = scales ? cv * (1 + delta) * (1 + delta) : cv;
    if (occurrenceDefault) {
      // The treatment's rate under the alternative; past 1 the harm is impossible.
      const q = relative ? p * (1 + delta) : p + delta;
      if (q > 1) return Infinity;
      treatmentVariance = q * (1 - q);
    }
    // Delta method for T/C − 1: Var(T̂)/C² + (T/C)²·Var(Ĉ)/C², with T/C = 1 + δ.
    const ratio = relative ? 1 + delta : 1;
    return Math.sqrt((treatmentVariance / nT + (ratio * ratio * cv) / nC) / (m * m));
  };
  const n = nT + nC;
  const tune = input.tuneUnits ?? defaultTuneUnits(minUnits, 2);
  const csZ = sequenceMultiplier(n, input.alpha, tune);
  // The multiplier as the guard computes it from the variance it sees, which under
  // the alternative is SE(δ)²: the confidence sequence's does not depend on it,
  // mSPRT's mixing scale does.
  const z = (delta: number): number => {
    const v = se(delta) ** 2;
    if (v === 0) return 0;
    if (input.method !== 'msprt') return csZ;
    const tau2 = margin > 0 ? margin * margin : mixtureRho2(input.alpha, tune) * n * v;
    return twoSidedMixtureMultiplier(tau2 / v, input.alpha);
  };
  return { z, se };
}

/**
 * The quantile guard's standard error under a harm δ, for log-normal values: each
 * arm's sample quantile has relative standard error s·√(1/n), s = σ√(q(1−q))/φ(Φ⁻¹(q)),
 * and the guard combines them as it does means (delta method for T/C − 1); the
 * harm scales the treatment's values, so its quantile is Q·(1+δ) (or Q + δ).
 */
function quantileStandardError(
  input: DetectableEffectInput,
  nT: number,
  nC: number,
  minUnits: number,
): { z: (delta: number) => number; se: (delta: number) => number } {
  const s = quantileSparsity(input);
  const relative = input.relative === true;
  const qc = positive(input.baselineMean, 'baselineMean');
  const se = (delta: number): number => {
    if (relative) return (1 + delta) * s * Math.sqrt(1 / nT + 1 / nC);
    const qt = qc + delta;
    return s * Math.sqrt((qt * qt) / nT + (qc * qc) / nC);
  };
  const csZ = sequenceMultiplier(
    nT + nC,
    input.alpha,
    input.tuneUnits ?? defaultTuneUnits(minUnits, 2),
  );
  return { z: () => csZ, se };
}

/**
 * The chance that the guard breaches at a look with `unitsPerArm` treatment units
 * when the true harm is `effect`: Φ((effect − margin)/SE(effect) − z), the power
 * the MDE inverts (0 below the sample where the guard can breach at all).
 */
export function detectionPower(input: DetectableEffectInput & { effect: number }): number {
  const alpha = input.alpha;
  if (!(alpha > 0 && alpha < 1))
    throw new RangeError(`alpha must be between 0 and 1, got ${String(alpha)}`);
  const nT = positive(input.unitsPerArm, 'unitsPerArm');
  const nC = nT * positive(input.controlRatio ?? 1, 'controlRatio');
  const margin = input.margin ?? 0;
  if (input.kind === 'slo-burn')
    throw new RangeError(`kind ${input.kind} has no closed-form power here`);
  if (Math.min(nT, nC) < MIN_UNITS_FOR_VERDICT) return 0;
  if (input.kind === 'quantile') {
    const q = input.quantile?.q ?? NaN;
    quantileSparsity(input);
    if (Math.min(nT, nC) * Math.min(q, 1 - q) < MIN_TAIL_UNITS) return 0;
  }
  const { z, se } = standardError(input, nT, nC, input.minUnits ?? DEFAULT_MIN_UNITS, margin);
  const s = se(input.effect);
  if (!Number.isFinite(s)) return 0;
  if (s === 0) return input.effect > margin ? 1 : 0;
  const drift = (input.effect - margin) / s;
  const zAt = z(input.effect);
  return input.monitoring === 'single-look' ? normalCdf(drift - zAt) : sequentialPower(drift, zAt);
}

/** Input of requiredUnitsPerArm: the MDE's input with the target effect instead of the units. */
export type RequiredUnitsInput = Omit<DetectableEffectInput, 'unitsPerArm'> & {
  /** The harm to detect, in the MDE's scale (must exceed the margin). */
  effect: number;
};

const MAX_UNITS = 1e15;

/**
 * Treatment units needed for the guard to breach on `effect` with the requested
 * power (the smallest n with MDE(n) ≤ effect); Infinity when no sample suffices
 * (effect not beyond the margin).
 */
export function requiredUnitsPerArm(input: RequiredUnitsInput): number {
  const effect = input.effect;
  if (!(Number.isFinite(effect) && effect > 0))
    throw new RangeError(`effect must be a positive number, got ${String(effect)}`);
  const mde = (n: number) => minimumDetectableEffect({ ...input, unitsPerArm: n });
  if (!(mde(MAX_UNITS) <= effect)) return Infinity;
  let hi = MIN_UNITS_FOR_VERDICT;
  while (!(mde(hi) <= effect)) hi *= 2;
  let lo = Math.max(1, Math.floor(hi / 2));
  if (mde(lo) <= effect) return lo;
  // Invariant: mde(lo) > effect ≥ mde(hi).
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mde(mid) <= effect) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Input of requiredDuration: new treatment units arrive at a steady rate. */
export type RequiredDurationInput = RequiredUnitsInput & {
  /** New treatment units per minute (control gets controlRatio times as many). */
  unitsPerMinutePerArm: number;
};

/**
 * Time (ms) until the guard can detect `effect` with the requested power, with new
 * units arriving at a steady rate; Infinity when no duration suffices. Returning
 * units do not add samples, so a real launch takes at least this long.
 */
export function requiredDuration(input: RequiredDurationInput): number {
  const rate = positive(input.unitsPerMinutePerArm, 'unitsPerMinutePerArm');
  const units = requiredUnitsPerArm(input);
  return Number.isFinite(units) ? (units / rate) * 60_000 : Infinity;
}
