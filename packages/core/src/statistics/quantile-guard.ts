/**
 * Quantile KPIs (p95 latency…): anytime-valid bounds on each arm's q-quantile from
 * its sketch, then comparisons and limits from those bounds.
 *
 * Method (S. R. Howard, A. Ramdas, "Sequential estimation of quantiles with
 * applications to A/B-testing and best-arm identification", Bernoulli 28(3), 2022,
 * §2): for the true quantile θ = Q(q), the number of values ≤ θ after t values is a
 * sum of Bernoulli(q) draws, so a confidence sequence for a mean with known variance
 * q(1−q) bounds it time-uniformly: |#{X ≤ θ} − t·q| < b_t. Hence
 *   X₍k_L₎ ≤ θ < X₍k_U₎,  k_L = ⌊t(q−δ)⌋ + 1,  k_U = ⌈t(q+δ)⌉,  δ = b_t / t,
 * where X₍k₎ is the k-th smallest value. We use the one-sided asymptotic boundary
 * (mixture-boundary.ts) for b_t and read X₍k₎ from the sketch as the edges of the
 * bucket holding rank k, so the sketch's ±1% rounding can only widen the bounds.
 *
 * Values of one unit are not independent, so δ is computed with the number of
 * units as the sample size (never more than the number of values): a unit that
 * sends a thousand values cannot shrink the interval a thousandfold. The normal
 * approximation needs enough values on both sides of the quantile: bounds are
 * given only when units·min(q, 1−q) ≥ MIN_TAIL_UNITS.
 *
 * A comparison combines one-sided bounds of both arms, each at α/2 (so a false
 * breach needs one of two events of probability ≤ α/2): for bad = increase the
 * lower bound of the difference is L_T − U_C (or L_T/U_C − 1), the upper U_T − L_C.
 */
import { formatCount, formatPercent, formatSigned, formatValue } from './format-number.js';
import type { GuardResult } from './guard-result.js';
import {
  MIN_UNITS_FOR_VERDICT,
  defaultTuneUnits,
  explains,
  gateVerdict,
  judgeHarm,
  sequenceMultiplier,
} from './guard-verdict.js';
import type { Judgement, RuleOutcome, RuleSettings } from './guard-verdict.js';
import type { QuantileSketch } from './kpi-aggregate.js';
import { checkCount } from './arm-estimate.js';
import { limitOutcome } from './mean-guard.js';
import type { ComparisonOutcome } from './mean-guard.js';
import { locateRanks, rememberSorted } from './quantile-sketch.js';

/** Units needed on the smaller side of the quantile before its interval is trusted (n·min(q,1−q)). */
export const MIN_TAIL_UNITS = 10;

/** One arm's quantile: the point estimate and its anytime-valid bounds (±Infinity when unbounded yet). */
export interface QuantileBounds {
  value: number;
  lower: number;
  upper: number;
  /** Units behind the bounds (the effective sample size). */
  units: number;
}

/** Sum of a bucket array's counts, or a message naming the bad bucket. */
function bucketTotal(buckets: [number, number][], field: string): number | string {
  let total = 0;
  let sorted = true;
  let previous = -Infinity;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (!Array.isArray(b) || !Number.isInteger(b[0]) || !(b[1] >= 0 && b[1] !== Infinity))
      return `${field}[${i}] must be [integer index, non-negative count]`;
    total += b[1];
    if (b[0] <= previous) sorted = false;
    previous = b[0];
  }
  // Validation already walked the buckets: spare the readers a second check of the order.
  if (sorted) rememberSorted(buckets);
  return total;
}

/** Validate a sketch; a message naming the field when it is unusable. */
export function checkSketch(s: QuantileSketch, arm: string): string | undefined {
  const bad =
    checkCount(s.units, `${arm}.sketch.units`) ??
    checkCount(s.count, `${arm}.sketch.count`) ??
    checkCount(s.zeroCount, `${arm}.sketch.zeroCount`);
  if (bad !== undefined) return bad;
  if (!Array.isArray(s.positive) || !Array.isArray(s.negative))
    return `${arm}.sketch.positive and .negative must be arrays of [index, count]`;
  const positive = bucketTotal(s.positive, `${arm}.sketch.positive`);
  if (typeof positive === 'string') return positive;
  const negative = bucketTotal(s.negative, `${arm}.sketch.negative`);
  if (typeof negative === 'string') return negative;
  const total = s.zeroCount + positive + negative;
  if (total !== s.count)
    return `${arm}.sketch.count (${s.count}) differs from the total of its buckets (${total})`;
  if (s.count > 0 && !(Number.isFinite(s.min) && Number.isFinite(s.max) && s.min <= s.max))
    return `${arm}.sketch.min and .max must be finite with min ≤ max`;
  return undefined;
}

/** Effective sample size of a sketch: its units, but never more than its values. */
export function sketchUnits(s: QuantileSketch): number {
  return s.units > 0 ? Math.min(s.units, s.count) : s.count;
}

/**
 * Anytime-valid bounds on the q-quantile of a sketch's population, each bound
 * one-sided at level alpha; undefined when the sample is too small for them.
 */
export function quantileBounds(
  s: QuantileSketch,
  q: number,
  alpha: number,
  tuneUnits: number,
): QuantileBounds | undefined {
  const n = sketchUnits(s);
  if (n < MIN_UNITS_FOR_VERDICT || n * Math.min(q, 1 - q) < MIN_TAIL_UNITS) return undefined;
  const delta = sequenceMultiplier(n, alpha, tuneUnits) * Math.sqrt((q * (1 - q)) / n);
  const count = s.count;
  const kLow = Math.floor(count * (q - delta)) + 1;
  const kHigh = Math.ceil(count * (q + delta));
  const kPoint = Math.floor(q * (count - 1)) + 1;
  const ranks = [kLow, kPoint, kHigh].filter((k) => k >= 1 && k <= count).sort((a, b) => a - b);
  const located = locateRanks(s, ranks);
  const at = (k: number) => located[ranks.indexOf(k)];
  const point = at(kPoint);
  if (point === undefined) return undefined;
  return {
    value: point.value,
    lower: kLow >= 1 ? (at(kLow)?.lower ?? -Infinity) : -Infinity,
    upper: kHigh <= count ? (at(kHigh)?.upper ?? Infinity) : Infinity,
    units: n,
  };
}

function needed(q: number): number {
  return Math.max(MIN_UNITS_FOR_VERDICT, Math.ceil(MIN_TAIL_UNITS / Math.min(q, 1 - q)));
}

function tooFew(arm: string, s: QuantileSketch, q: number, explain: boolean): RuleOutcome {
  return {
    verdict: 'insufficient-evidence',
    rule: 'min-sample',
    reason: !explain
      ? ''
      : `too few units for a q=${q} quantile: ${arm} has ${formatCount(sketchUnits(s))}, needs ${formatCount(needed(q))} (at least ${MIN_TAIL_UNITS} beyond the quantile)`,
  };
}

/** Treatment's quantile against control's with a margin in the bad direction. */
export function compareQuantiles(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  q: number,
  t: QuantileSketch,
  c: QuantileSketch,
  settings: RuleSettings,
): ComparisonOutcome {
  const { bad, margin, relative } = compare;
  const base = { bad, relative, margin, threshold: bad === 'increase' ? margin : -margin };
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 1);
  const bt = quantileBounds(t, q, settings.alpha / 2, tune);
  const bc = quantileBounds(c, q, settings.alpha / 2, tune);
  if (bt === undefined || bc === undefined) {
    return {
      outcome:
        bt === undefined
          ? tooFew('treatment', t, q, explains(settings))
          : tooFew('control', c, q, explains(settings)),
      comparison: { ...base, difference: null, interval: null },
    };
  }
  let difference: number;
  let lo: number;
  let hi: number;
  if (relative) {
    if (!(bc.upper > 0) || !(bc.value > 0)) {
      return {
        outcome: {
          verdict: 'insufficient-evidence',
          rule: 'compare',
          reason: !explains(settings)
            ? ''
            : `a relative change needs a positive control quantile, and control's is ${formatValue(bc.value)} (upper bound ${formatValue(bc.upper)})`,
        },
        comparison: { ...base, difference: null, interval: null },
      };
    }
    difference = bt.value / bc.value - 1;
    // −∞/∞ (both ends still unbounded) is NaN: an unbounded end stays unbounded.
    const ratioLow = bt.lower / bc.upper;
    lo = Number.isNaN(ratioLow) ? -Infinity : ratioLow - 1;
    hi = bc.lower > 0 ? bt.upper / bc.lower - 1 : Infinity;
  } else {
    difference = bt.value - bc.value;
    lo = bt.lower - bc.upper;
    hi = bt.upper - bc.lower;
  }
  const harmLo = bad === 'increase' ? lo : -hi;
  const harmHi = bad === 'increase' ? hi : -lo;
  const text = (j: Judgement): string => {
    const f = relative ? (x: number) => formatPercent(x) : formatSigned;
    const m = relative ? formatPercent(margin, false) : formatValue(margin);
    const detail = `p${formatValue(q * 100)} ${formatValue(bt.value)} against ${formatValue(bc.value)}, change ${f(difference)}, anytime-valid interval ${f(lo)} to ${f(hi)} (${formatCount(bt.units)} treatment and ${formatCount(bc.units)} control units)`;
    if (j === 'breach') return `worse than control beyond the allowed ${bad} of ${m}: ${detail}`;
    if (j === 'pass') return `within the allowed ${bad} of ${m}: ${detail}`;
    return `not conclusive yet against the allowed ${bad} of ${m}: ${detail}`;
  };
  const outcome = gateVerdict(
    judgeHarm(harmLo, harmHi, margin),
    [
      { label: 'treatment', units: bt.units },
      { label: 'control', units: bc.units },
    ],
    settings.minUnits,
    'compare',
    explains(settings) ? text : null,
  );
  return {
    outcome,
    comparison: { ...base, difference, interval: [lo, hi] },
    values: { treatment: bt.value, control: bc.value },
  };
}

/** Hard limits on the treatment's quantile. */
export function limitQuantile(
  limits: { max?: number; min?: number },
  q: number,
  t: QuantileSketch,
  settings: RuleSettings,
): { outcome: RuleOutcome; limit: NonNullable<GuardResult['limit']> } {
  const sides = (limits.max !== undefined ? 1 : 0) + (limits.min !== undefined ? 1 : 0);
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 1);
  const b = quantileBounds(t, q, settings.alpha / sides, tune);
  if (b === undefined) {
    const limit: NonNullable<GuardResult['limit']> = { interval: null };
    if (limits.max !== undefined) limit.max = limits.max;
    if (limits.min !== undefined) limit.min = limits.min;
    return { outcome: tooFew('treatment', t, q, explains(settings)), limit };
  }
  return limitOutcome(
    limits,
    b.value,
    [b.lower, b.upper],
    b.units,
    settings.minUnits,
    explains(settings),
  );
}
