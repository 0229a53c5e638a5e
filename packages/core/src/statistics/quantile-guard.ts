/**
 * Quantile KPIs (p95 latency…): comparisons by an asymptotic confidence sequence
 * on the difference of the arms' sample quantiles; hard limits by anytime-valid
 * rank bounds on the treatment's quantile.
 *
 * Comparisons (ADR 0018): the sample quantile is asymptotically linear (Bahadur),
 * Q̂ − Q ≈ (q − F̂(Q))/f(Q), so the difference of two arms' sample quantiles is
 * asymptotically an average of per-unit influence values and gets the same
 * asymptotic confidence sequence as a difference of means (Waudby-Smith et al.
 * 2024): D̂ ± z(N)·√(SE_T² + SE_C²), with SE² = q(1−q)/(n·f(Q)²) and the
 * sparsity 1/f(Q) read off the sketch (quantileEstimate).
 *
 * Hard limits (S. R. Howard, A. Ramdas, "Sequential estimation of quantiles with
 * applications to A/B-testing and best-arm identification", Bernoulli 28(3), 2022,
 * §2): for the true quantile θ = Q(q), the number of values ≤ θ after t values is a
 * sum of Bernoulli(q) draws, so a confidence sequence for a mean with known variance
 * q(1−q) bounds it time-uniformly: |#{X ≤ θ} − t·q| < b_t. Hence
 *   X₍k_L₎ ≤ θ < X₍k_U₎,  k_L = ⌊t(q−δ)⌋ + 1,  k_U = ⌈t(q+δ)⌉,  δ = b_t / t,
 * where X₍k₎ is the k-th smallest value. We use the one-sided asymptotic boundary
 * (mixture-boundary.ts) for b_t and read X₍k₎ from the sketch as the edges of the
 * bucket holding rank k, so the sketch's ±1% rounding can only widen the bounds.
 *
 * Values of one unit are not independent, so both use the number of units as the
 * sample size (never more than the number of values): a unit that sends a thousand
 * values cannot shrink the interval a thousandfold. The normal approximation needs
 * enough values on both sides of the quantile: nothing is judged before
 * units·min(q, 1−q) ≥ MIN_TAIL_UNITS.
 */
import { formatCount, formatPercent, formatSigned, formatValue } from './format-number.js';
import type { GuardResult } from './guard-result.js';
import {
  MIN_UNITS_FOR_VERDICT,
  defaultTuneUnits,
  explains,
  gateQuietly,
  gateVerdict,
  judgeHarm,
  sequenceMultiplier,
} from './guard-verdict.js';
import type { Judgement, RuleOutcome, RuleSettings } from './guard-verdict.js';
import type { QuantileSketch, RunningCounts } from './kpi-aggregate.js';
import { checkCount, differenceOf, isCount } from './arm-estimate.js';
import { normalDensity, normalQuantile } from './normal-distribution.js';
import { comparisonOf, limitOutcome } from './mean-guard.js';
import type { ComparisonOutcome } from './mean-guard.js';
import { locateRanks, locateThreeRanks, rankEdgesInto, rememberSorted } from './quantile-sketch.js';

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
function bucketTotal(
  buckets: [number, number][],
  arm: string,
  side: 'positive' | 'negative',
): number | string {
  let total = 0;
  let sorted = true;
  let previous = -Infinity;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (!Array.isArray(b) || !Number.isInteger(b[0]) || !(b[1] >= 0 && b[1] !== Infinity))
      return `${arm}.sketch.${side}[${i}] must be [integer index, non-negative count]`;
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
  if (!(isCount(s.units) && isCount(s.count) && isCount(s.zeroCount))) {
    const bad =
      checkCount(s.units, `${arm}.sketch.units`) ??
      checkCount(s.count, `${arm}.sketch.count`) ??
      checkCount(s.zeroCount, `${arm}.sketch.zeroCount`);
    if (bad !== undefined) return bad;
  }
  if (!Array.isArray(s.positive) || !Array.isArray(s.negative))
    return `${arm}.sketch.positive and .negative must be arrays of [index, count]`;
  if (s.running !== undefined) return checkRunning(s, s.running, arm);
  const positive = bucketTotal(s.positive, arm, 'positive');
  if (typeof positive === 'string') return positive;
  const negative = bucketTotal(s.negative, arm, 'negative');
  if (typeof negative === 'string') return negative;
  const total = s.zeroCount + positive + negative;
  if (total !== s.count)
    return `${arm}.sketch.count (${s.count}) differs from the total of its buckets (${total})`;
  if (s.count > 0 && !(Number.isFinite(s.min) && Number.isFinite(s.max) && s.min <= s.max))
    return `${arm}.sketch.min and .max must be finite with min ≤ max`;
  return undefined;
}

/** Validate a sketch of running counts in O(1): the ends of its counts against its count. */
function checkRunning(s: QuantileSketch, running: RunningCounts, arm: string): string | undefined {
  if (s.positive.length > 0 || s.negative.length > 0)
    return `${arm}.sketch has running counts, so it must list no buckets (only positive values)`;
  const { lowest, highest } = running;
  if (!(Number.isInteger(lowest) && Number.isInteger(highest) && lowest <= highest))
    return `${arm}.sketch.running must span whole bucket indexes, lowest to highest`;
  const total = running.upTo(highest);
  if (running.upTo(lowest - 1) !== 0 || s.zeroCount + total !== s.count)
    return `${arm}.sketch.count (${s.count}) differs from the total of its running counts (${s.zeroCount + total})`;
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

/** One arm's quantile for a comparison: the estimate, its standard error and its units. */
export interface QuantileEstimate {
  value: number;
  /** Standard error of `value`: √(q(1−q)/units) × dQ/dq, the slope read off the sketch. */
  se: number;
  units: number;
}

/** Normal quantile of 97.5%, the level in Hall and Sheather's bandwidth. */
const Z_BANDWIDTH = 1.959963984540054;

const Z_BANDWIDTH_POWER = Math.pow(Z_BANDWIDTH, 2 / 3);
// The last q's factor (see sparsityBandwidth).
let bandwidthQ = NaN;
let bandwidthFactor = NaN;
// The last two n's bandwidths at that q.
let bandwidthNA = NaN;
let bandwidthHA = NaN;
let bandwidthNB = NaN;
let bandwidthHB = NaN;

/**
 * Hall & Sheather's (1988) bandwidth for the slope of the quantile function
 * (the sparsity 1/f(Q(q))) at n samples: n^(−1/3) z^(2/3) (1.5 φ(Φ⁻¹(q))² /
 * (2Φ⁻¹(q)² + 1))^(1/3), kept inside half the distance to 0 or 1.
 */
export function sparsityBandwidth(q: number, n: number): number {
  // The factor of q alone is the same at every look of a KPI: computed once per q.
  if (q !== bandwidthQ) {
    const x = normalQuantile(q);
    const d = normalDensity(x);
    bandwidthFactor = Math.pow((1.5 * d * d) / (2 * x * x + 1), 1 / 3);
    bandwidthQ = q;
    bandwidthNA = NaN;
    bandwidthNB = NaN;
  }
  // Against a fixed baseline one arm's n stays the same from look to look: the last two kept.
  if (n === bandwidthNA) return bandwidthHA;
  if (n === bandwidthNB) return bandwidthHB;
  const h = Math.pow(n, -1 / 3) * Z_BANDWIDTH_POWER * bandwidthFactor;
  const bandwidth = Math.min(h, Math.min(q, 1 - q) / 2);
  bandwidthNB = bandwidthNA;
  bandwidthHB = bandwidthHA;
  bandwidthNA = n;
  bandwidthHA = bandwidth;
  return bandwidth;
}

/**
 * The q-quantile of a sketch with its standard error, for the comparison's
 * asymptotic confidence sequence: the sample quantile is asymptotically linear
 * (Bahadur), Q̂ − Q ≈ (q − F̂(Q))/f(Q), so its variance is q(1−q)/(n·f(Q)²). The
 * sparsity 1/f(Q) is the slope of the sample quantile function between the
 * ranks q ± h (Siddiqui; Bloch & Gastwirth), h by Hall & Sheather. Order
 * statistics are read interpolated within their buckets. Undefined below the
 * sample the bounds need (units·min(q, 1−q) ≥ MIN_TAIL_UNITS).
 */
export function quantileEstimate(s: QuantileSketch, q: number): QuantileEstimate | undefined {
  if (!estimateInto(s, q, ESTIMATE, 0)) return undefined;
  return { value: ESTIMATE[0] as number, se: ESTIMATE[1] as number, units: ESTIMATE[2] as number };
}

/**
 * quantileEstimate's numbers (value, se, units) written to `out` from `at`; false
 * where it gives undefined. The comparison reads two arms at every look: no objects.
 */
function estimateInto(s: QuantileSketch, q: number, out: Float64Array, at: number): boolean {
  const n = sketchUnits(s);
  if (n < MIN_UNITS_FOR_VERDICT || n * Math.min(q, 1 - q) < MIN_TAIL_UNITS) return false;
  const count = s.count;
  const h = sparsityBandwidth(q, n);
  const kPoint = rankOf(q, count);
  const kLow = rankOf(q - h, count);
  const kHigh = rankOf(q + h, count);
  // Low, point and high, four numbers each: lower, upper, value, interpolated.
  const r = RANKS;
  if (!locateThreeRanks(s, kLow, kPoint, kHigh, r)) return false;
  let spread = (r[11] as number) - (r[3] as number);
  // Ties (zeros, one value repeated) leave no spread between the ranks: fall back to
  // the buckets' edges rather than claim an exact quantile.
  if (!(spread > 0)) spread = (r[9] as number) - (r[0] as number);
  const slope = spread / (Math.max(1, kHigh - kLow) / count);
  out[at] = r[7] as number;
  out[at + 1] = slope * Math.sqrt((q * (1 - q)) / n);
  out[at + 2] = n;
  return true;
}

/** Whether estimateInto gives up on a sketch for its size alone (tooFew's rule). */
function tooFewFor(s: QuantileSketch, q: number): boolean {
  const n = sketchUnits(s);
  return n < MIN_UNITS_FOR_VERDICT || n * Math.min(q, 1 - q) < MIN_TAIL_UNITS;
}

// The point ranks' bucket edges: treatment's lower and upper, then control's.
const EDGES = new Float64Array(4);
// Far above the rounding of an interpolation within a bucket (a few ulps).
const EDGE_ROUNDING = 1e-9;

/**
 * True when compareQuantiles cannot breach on these sketches of running counts (a
 * simulation's): an arm too small for an estimate, or the point quantiles' change
 * on the good side of the margin whichever values in their buckets they take. Its
 * interval is that change ± a half-width of 0 or more, so its bad-side bound is
 * no further out than the change. False: not shown (sketches that list their
 * buckets, malformed ones, values at or below zero). One bucket search per arm
 * instead of three, and no bandwidth.
 */
export function quantilesCannotBreach(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  q: number | undefined,
  t: QuantileSketch,
  c: QuantileSketch,
): boolean {
  if (q === undefined || !(q > 0 && q < 1)) return false;
  if (t.running === undefined || c.running === undefined) return false;
  if (checkSketch(t, 'treatment') !== undefined || checkSketch(c, 'control') !== undefined)
    return false;
  if (tooFewFor(t, q) || tooFewFor(c, q)) return true;
  const e = EDGES;
  if (!rankEdgesInto(t, rankOf(q, t.count), e, 0) || !rankEdgesInto(c, rankOf(q, c.count), e, 2))
    return false;
  const tLo = e[0] as number;
  const tHi = (e[1] as number) * (1 + EDGE_ROUNDING);
  const cLo = e[2] as number;
  const cHi = (e[3] as number) * (1 + EDGE_ROUNDING);
  if (!(tLo > 0 && cLo > 0)) return false;
  const tLow = tLo * (1 - EDGE_ROUNDING);
  const cLow = cLo * (1 - EDGE_ROUNDING);
  const { bad, margin, relative } = compare;
  if (relative) return bad === 'increase' ? tHi / cLow - 1 <= margin : 1 - tLow / cHi <= margin;
  return bad === 'increase' ? tHi - cLow <= margin : cHi - tLow <= margin;
}

/** The rank of the p-quantile among `count` values (DDSketch's p·(count − 1)), within 1..count. */
function rankOf(p: number, count: number): number {
  return Math.min(count, Math.max(1, Math.floor(p * (count - 1)) + 1));
}

// Scratch for quantileEstimate's three rank locations (read before the next call).
const RANKS = new Float64Array(12);
// Scratch for estimates: quantileEstimate's (0..2), the comparison's treatment (3..5)
// and control (6..8), each read before the next call.
const ESTIMATE = new Float64Array(9);

/**
 * Treatment's quantile against control's with a margin in the bad direction: an
 * asymptotic confidence sequence on the difference (or on T/C − 1 by the delta
 * method), D̂ ± z(N)·√(SE_T² + SE_C²) over the N = n_T + n_C units, as for means:
 * the difference of sample quantiles is asymptotically an average of the units'
 * influence values (Howard & Ramdas 2022 compare arms by each arm's quantile
 * sequence; this is the tighter sequence on the difference, one α instead of α/2
 * per arm and a root-sum-of-squares instead of a sum of widths).
 */
export function compareQuantiles(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  q: number,
  t: QuantileSketch,
  c: QuantileSketch,
  settings: RuleSettings,
): ComparisonOutcome {
  const { bad, margin, relative } = compare;
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 2);
  const e = ESTIMATE;
  const hasT = estimateInto(t, q, e, 3);
  if (!hasT || !estimateInto(c, q, e, 6)) {
    return {
      outcome: !hasT
        ? tooFew('treatment', t, q, explains(settings))
        : tooFew('control', c, q, explains(settings)),
      comparison: comparisonOf(compare, null, null),
    };
  }
  const tValue = e[3] as number;
  const tSe = e[4] as number;
  const tUnits = e[5] as number;
  const cValue = e[6] as number;
  const cSe = e[7] as number;
  const cUnits = e[8] as number;
  const diff = differenceOf(
    { value: tValue, variance: tSe * tSe, units: tUnits },
    { value: cValue, variance: cSe * cSe, units: cUnits },
    relative,
  );
  if ('reason' in diff) {
    return {
      outcome: {
        verdict: 'insufficient-evidence',
        rule: 'compare',
        reason: !explains(settings)
          ? ''
          : `a relative change needs a positive control quantile, and control's is ${formatValue(cValue)}`,
      },
      comparison: comparisonOf(compare, null, null),
    };
  }
  const difference = diff.value;
  const r =
    diff.variance > 0
      ? sequenceMultiplier(tUnits + cUnits, settings.alpha, tune) * Math.sqrt(diff.variance)
      : 0;
  const lo = difference - r;
  const hi = difference + r;
  const harmLo = bad === 'increase' ? lo : -hi;
  const harmHi = bad === 'increase' ? hi : -lo;
  const judgement = judgeHarm(harmLo, harmHi, margin);
  const outcome = explains(settings)
    ? explainedOutcome(
        judgement,
        compare,
        q,
        [tValue, cValue, difference, lo, hi],
        tUnits,
        cUnits,
        settings.minUnits,
      )
    : gateQuietly(judgement, Math.min(tUnits, cUnits), settings.minUnits, 'compare');
  return {
    outcome,
    comparison: comparisonOf(compare, difference, [lo, hi]),
    values: { treatment: tValue, control: cValue },
  };
}

/**
 * The comparison's outcome with its sentence (the live path). Its own function, so
 * the verdict-only path allocates no closure nor the variables the sentence reads.
 */
function explainedOutcome(
  judgement: Judgement,
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  q: number,
  numbers: [tValue: number, cValue: number, difference: number, lo: number, hi: number],
  tUnits: number,
  cUnits: number,
  minUnits: number,
): RuleOutcome {
  const { bad, margin, relative } = compare;
  const [tValue, cValue, difference, lo, hi] = numbers;
  const text = (j: Judgement): string => {
    const f = relative ? (x: number) => formatPercent(x) : formatSigned;
    const m = relative ? formatPercent(margin, false) : formatValue(margin);
    const detail = `p${formatValue(q * 100)} ${formatValue(tValue)} against ${formatValue(cValue)}, change ${f(difference)}, anytime-valid interval ${f(lo)} to ${f(hi)} (${formatCount(tUnits)} treatment and ${formatCount(cUnits)} control units)`;
    if (j === 'breach') return `worse than control beyond the allowed ${bad} of ${m}: ${detail}`;
    if (j === 'pass') return `within the allowed ${bad} of ${m}: ${detail}`;
    return `not conclusive yet against the allowed ${bad} of ${m}: ${detail}`;
  };
  return gateVerdict(
    judgement,
    [
      { label: 'treatment', units: tUnits },
      { label: 'control', units: cUnits },
    ],
    minUnits,
    'compare',
    text,
  );
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
