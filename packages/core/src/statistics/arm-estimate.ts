/**
 * One arm's KPI value and the variance of that value, from per-unit sufficient
 * statistics. Units are the samples (a unit seen a thousand times is one sample).
 */
import type { MomentAggregate, RatioAggregate } from './kpi-aggregate.js';

/** An arm's estimate: the KPI value, the variance of that estimate, and its units. */
export interface ArmEstimate {
  value: number;
  /** Variance of `value` as an estimate (per-unit variance / units, or the delta method's). */
  variance: number;
  units: number;
}

/** An estimate, or why there is none (a person-readable sentence naming the field). */
export type ArmEstimateOutcome =
  { ok: true; estimate: ArmEstimate } | { ok: false; reason: string };

const fail = (reason: string): ArmEstimateOutcome => ({ ok: false, reason });

/** A message naming the field when a unit count is not a whole non-negative number. */
function checkUnits(value: unknown, field: string): string | undefined {
  const bad = checkCount(value, field);
  if (bad !== undefined) return bad;
  return Number.isInteger(value)
    ? undefined
    : `${field} must be a whole number, got ${String(value)}`;
}

/** A message naming the field when a number is not finite or is negative; undefined when fine. */
export function checkCount(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `${field} must be a finite number, got ${String(value)}`;
  if (value < 0) return `${field} must not be negative, got ${value}`;
  return undefined;
}

/** Whether checkCount accepts a value (a finite number of 0 or more), without naming a field. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Whether checkFinite accepts a value. */
function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkFinite(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `${field} must be a finite number, got ${String(value)}`;
  return undefined;
}

/** Unbiased per-unit variance from Σx and Σx², clamped at 0 against rounding. */
function sampleVariance(n: number, sum: number, sumSquares: number): number {
  if (n < 2) return 0;
  const mean = sum / n;
  return Math.max(0, (sumSquares - sum * mean) / (n - 1));
}

/**
 * occurrence, count and mean KPIs: the mean per unit.
 * - occurrence uses the Agresti–Caffo variance p̃(1−p̃), p̃ = (x+1)/(n+2), so that
 *   rates of exactly 0 or 1 never produce a zero-width interval.
 * - count uses at least the variance of one event among n units (1/n), for the
 *   same reason when no unit has an event yet.
 * - mean has no floor: identical values really do have no spread.
 */
export function momentEstimate(
  kind: 'occurrence' | 'count' | 'mean',
  a: MomentAggregate,
  arm: string,
): ArmEstimateOutcome {
  const estimate: ArmEstimate = { value: 0, variance: 0, units: 0 };
  if (momentEstimateInto(kind, a, estimate)) return { ok: true, estimate };
  // Why not, in words: only now (this runs at every look).
  const bad =
    checkUnits(a.units, `${arm}.units`) ??
    (kind === 'mean' ? checkFinite(a.sum, `${arm}.sum`) : checkCount(a.sum, `${arm}.sum`)) ??
    checkCount(a.sumSquares, `${arm}.sumSquares`);
  if (bad !== undefined) return fail(bad);
  const n = a.units;
  if (n === 0) return fail(`${arm} has no units yet`);
  if (kind === 'occurrence' && a.sum > n)
    return fail(`${arm}.sum (${a.sum} units with the event) exceeds ${arm}.units (${n})`);
  return outOfRange(estimate, arm);
}

/**
 * momentEstimate's numbers written into `out` (the verdict-only path's own object),
 * true when there is an estimate; false where momentEstimate says why not (`out`
 * then holds what was computed, for that sentence).
 */
export function momentEstimateInto(
  kind: 'occurrence' | 'count' | 'mean',
  a: MomentAggregate,
  out: ArmEstimate,
): boolean {
  if (!(
    isCount(a.units) &&
    Number.isInteger(a.units) &&
    (kind === 'mean' ? isFiniteNumber(a.sum) : isCount(a.sum)) &&
    isCount(a.sumSquares)
  ))
    return false;
  const n = a.units;
  if (n === 0) return false;
  if (kind === 'occurrence' && a.sum > n) return false;
  const value = a.sum / n;
  let unitVariance: number;
  if (kind === 'occurrence') {
    const p = (a.sum + 1) / (n + 2);
    unitVariance = p * (1 - p);
  } else {
    unitVariance = sampleVariance(n, a.sum, a.sumSquares);
    if (kind === 'count') unitVariance = Math.max(unitVariance, 1 / n);
  }
  return finiteInto(value, unitVariance / n, n, out);
}

/** Writes an estimate into `out`; true when both numbers are finite (else sums out of the range of doubles). */
function finiteInto(value: number, variance: number, units: number, out: ArmEstimate): boolean {
  out.value = value;
  out.variance = variance;
  out.units = units;
  return Number.isFinite(value) && Number.isFinite(variance);
}

/** Why an estimate whose numbers are not finite is none. */
function outOfRange(e: ArmEstimate, arm: string): ArmEstimateOutcome {
  return fail(`${arm} sums are out of range (value ${e.value}, variance ${e.variance})`);
}

/**
 * ratio KPIs: R = Σy/Σx with the delta-method variance
 *   Var(R̂) ≈ Σ(yᵢ − R·xᵢ)² / ((n−1) · n · x̄²)
 * (A. Deng, U. Knoblich, J. Lu, "Applying the delta method in metric analytics",
 * KDD 2018). With no numerator at all, the variance is at least that of one
 * numerator event, 1/(Σx)², so that "no errors yet" is not certainty.
 */
export function ratioEstimate(a: RatioAggregate, arm: string): ArmEstimateOutcome {
  const estimate: ArmEstimate = { value: 0, variance: 0, units: 0 };
  if (ratioEstimateInto(a, estimate)) return { ok: true, estimate };
  const bad =
    checkUnits(a.units, `${arm}.units`) ??
    checkFinite(a.sumNumerator, `${arm}.sumNumerator`) ??
    checkFinite(a.sumDenominator, `${arm}.sumDenominator`) ??
    checkCount(a.sumNumeratorSquares, `${arm}.sumNumeratorSquares`) ??
    checkCount(a.sumDenominatorSquares, `${arm}.sumDenominatorSquares`) ??
    checkFinite(a.sumProducts, `${arm}.sumProducts`);
  if (bad !== undefined) return fail(bad);
  if (a.units === 0) return fail(`${arm} has no units yet`);
  if (!(a.sumDenominator > 0))
    return fail(`${arm} has no denominator yet (${arm}.sumDenominator is ${a.sumDenominator})`);
  return outOfRange(estimate, arm);
}

/** ratioEstimate's numbers written into `out`, as momentEstimateInto. */
export function ratioEstimateInto(a: RatioAggregate, out: ArmEstimate): boolean {
  if (!(
    isCount(a.units) &&
    Number.isInteger(a.units) &&
    isFiniteNumber(a.sumNumerator) &&
    isFiniteNumber(a.sumDenominator) &&
    isCount(a.sumNumeratorSquares) &&
    isCount(a.sumDenominatorSquares) &&
    isFiniteNumber(a.sumProducts)
  ))
    return false;
  const n = a.units;
  if (n === 0) return false;
  if (!(a.sumDenominator > 0)) return false;
  const r = a.sumNumerator / a.sumDenominator;
  const residual = Math.max(
    0,
    a.sumNumeratorSquares - 2 * r * a.sumProducts + r * r * a.sumDenominatorSquares,
  );
  let variance = n < 2 ? 0 : (residual * n) / ((n - 1) * a.sumDenominator * a.sumDenominator);
  if (a.sumNumerator === 0)
    variance = Math.max(variance, 1 / (a.sumDenominator * a.sumDenominator));
  return finiteInto(r, variance, n, out);
}

/** A change between two arms and the variance of its estimate. */
export interface Difference {
  value: number;
  variance: number;
}

/** The difference treatment − control, or the relative change treatment/control − 1 by the delta method. */
export function differenceOf(
  t: ArmEstimate,
  c: ArmEstimate,
  relative: boolean,
): Difference | { reason: string } {
  const out: Difference = { value: 0, variance: 0 };
  if (differenceInto(t, c, relative, out)) return out;
  if (relative && !(c.value > 0))
    return {
      reason: `a relative change needs a positive control value, and control is ${c.value} so far`,
    };
  return { reason: `the change is out of range (${out.value}, variance ${out.variance})` };
}

/**
 * differenceOf's numbers written into `out` (the verdict-only path's own object):
 * true when there is a change, false where differenceOf says why not.
 */
export function differenceInto(
  t: ArmEstimate,
  c: ArmEstimate,
  relative: boolean,
  out: Difference,
): boolean {
  if (!relative) {
    out.value = t.value - c.value;
    out.variance = t.variance + c.variance;
  } else {
    if (!(c.value > 0)) return false;
    const ratio = t.value / c.value;
    out.value = ratio - 1;
    out.variance =
      t.variance / (c.value * c.value) + (ratio * ratio * c.variance) / (c.value * c.value);
  }
  return Number.isFinite(out.value) && Number.isFinite(out.variance);
}
