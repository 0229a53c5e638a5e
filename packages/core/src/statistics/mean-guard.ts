/**
 * Comparisons and hard limits for KPIs that are means per unit (occurrence,
 * count, mean) or ratios of sums (ratio), from their arm estimates.
 *
 * A comparison is one randomized experiment: with the arm means as the outcome
 * model, the difference in means is the augmented inverse-propensity-weighted
 * estimator of Waudby-Smith et al. (2024) for randomized experiments, whose
 * per-unit score has variance N·V over the N = n_T + n_C units, V = Var(T̂) + Var(Ĉ).
 * Its confidence sequence is therefore estimate ± z(N)·√V.
 */
import type { KpiKind } from '../plan/index.js';
import type { ArmEstimate, Difference } from './arm-estimate.js';
import { differenceOf } from './arm-estimate.js';
import { formatCount, formatPercent, formatSigned, formatValue } from './format-number.js';
import type { GuardResult } from './guard-result.js';
import {
  defaultTuneUnits,
  explains,
  gateQuietly,
  gateVerdict,
  judgeHarm,
} from './guard-verdict.js';
import type { Judgement, RuleOutcome, RuleSettings } from './guard-verdict.js';
import { armBoundsInto, baselineInterval, halfWidth } from './arm-bounds.js';
import { mixtureRho2, msprtLogStatistic } from './mixture-boundary.js';
import { varianceAtChange } from './occurrence-bounds.js';

/** A comparison's outcome with the fields it fills in the GuardResult. */
export interface ComparisonOutcome {
  outcome: RuleOutcome;
  comparison: NonNullable<GuardResult['comparison']>;
  evidence?: GuardResult['evidence'];
  /** Point estimates already computed on the way (quantiles), so callers need not redo them. */
  values?: { treatment: number; control: number };
}

/** Method names reported in GuardResult.method. */
export const METHOD_NAMES = {
  'confidence-sequence': 'asymptotic-confidence-sequence',
  msprt: 'msprt',
} as const;

/** Values of these kinds are never negative, so a relative change is never below −100%. */
function nonNegative(kind: KpiKind | undefined): boolean {
  return kind === 'occurrence' || kind === 'count';
}

/** Formats a difference in the comparison's scale. */
function scaleFormatter(relative: boolean): (x: number) => string {
  return relative ? (x) => formatPercent(x) : formatSigned;
}

/**
 * A comparison's fields, key by key in the order they are reported: V8 (Node 20)
 * builds `{ ...base, difference, interval }` property by property at about 1 µs
 * each, and a rehearsal compares at every look of every simulated launch.
 */
export function comparisonOf(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  difference: number | null,
  interval: [number, number] | null,
): NonNullable<GuardResult['comparison']> {
  const { bad, margin, relative } = compare;
  return {
    bad,
    relative,
    margin,
    threshold: bad === 'increase' ? margin : -margin,
    difference,
    interval,
  };
}

/**
 * A comparison's numbers beyond the difference (judgeMeans writes them): the
 * variance the interval used, the interval, and the mSPRT's mixing variance.
 */
export interface MeanInterval {
  variance: number;
  lo: number;
  hi: number;
  /** τ² of the mSPRT's evidence (NaN with confidence sequences). */
  mixing: number;
}

// Bounds of an interval being built: one rule at a time, read before the next one.
const BOUNDS = new Float64Array(4);

// compareMeans's own numbers: one comparison at a time, read before the next one.
const INTERVAL: MeanInterval = { variance: 0, lo: 0, hi: 0, mixing: NaN };

/**
 * Treatment against control with a margin in the bad direction. For occurrence
 * and count KPIs the interval's variance is the larger of the observed one and
 * the one at the margin (see varianceAtChange), so rare events keep the budget
 * in both directions. With `settings.baseline` the control is a fixed earlier sample,
 * not a concurrent arm: the interval combines each arm's bounds at α/2.
 */
export function compareMeans(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  t: ArmEstimate,
  c: ArmEstimate,
  settings: RuleSettings,
  kind?: KpiKind,
): ComparisonOutcome {
  const diff = differenceOf(t, c, compare.relative);
  if ('reason' in diff) {
    return {
      outcome: { verdict: 'insufficient-evidence', rule: 'compare', reason: diff.reason },
      comparison: comparisonOf(compare, null, null),
    };
  }
  const judgement = judgeMeans(compare, t, c, settings, kind, diff, INTERVAL);
  const { lo, hi } = INTERVAL;
  const outcome = explains(settings)
    ? gateVerdict(
        judgement,
        [
          { label: 'treatment', units: t.units },
          { label: 'control', units: c.units },
        ],
        settings.minUnits,
        'compare',
        (j: Judgement) => compareText(j, compare, t, c, settings, diff.value, lo, hi),
      )
    : gateQuietly(judgement, Math.min(t.units, c.units), settings.minUnits, 'compare');
  const result: ComparisonOutcome = {
    outcome,
    comparison: comparisonOf(compare, diff.value, [lo, hi]),
  };
  if (settings.method === 'msprt') {
    const evidence: NonNullable<GuardResult['evidence']> = {
      statistic: 'msprt-log-likelihood-ratio',
      value: 0,
      pValue: 1,
    };
    msprtEvidenceInto(compare, diff.value, INTERVAL, evidence);
    result.evidence = evidence;
  }
  return result;
}

/**
 * The comparison's rule: its interval (written to `out`) and what that interval
 * says against the margin, before the sample rules. compareMeans and the
 * verdict-only path (quiet-guards.ts) both judge by it.
 */
export function judgeMeans(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  t: ArmEstimate,
  c: ArmEstimate,
  settings: RuleSettings,
  kind: KpiKind | undefined,
  diff: Difference,
  out: MeanInterval,
): Judgement {
  const { bad, margin, relative } = compare;
  const threshold = bad === 'increase' ? margin : -margin;
  const n = t.units + c.units;
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 2);
  const tau2 = settings.method === 'msprt' && margin > 0 ? margin * margin : undefined;
  let variance = diff.variance;
  if (kind === 'occurrence' || kind === 'count') {
    const atMargin = varianceAtChange(t, c, relative, threshold, kind);
    if (atMargin !== undefined && atMargin > variance) variance = atMargin;
  }
  let lo: number;
  let hi: number;
  if (settings.baseline !== undefined) {
    baselineInterval(t, c, relative, settings, kind, BOUNDS);
    lo = BOUNDS[0] as number;
    hi = BOUNDS[1] as number;
  } else {
    const r = halfWidth(variance, n, settings.alpha, settings, tune, tau2);
    lo = diff.value - r;
    hi = diff.value + r;
  }
  if (relative && nonNegative(kind) && lo < -1) lo = -1;
  out.variance = variance;
  out.lo = lo;
  out.hi = hi;
  out.mixing =
    settings.method === 'msprt'
      ? (tau2 ?? mixtureRho2(settings.alpha, tune) * n * variance)
      : Number.NaN;
  // Two numbers, not a destructured pair: this runs at every look of every guard.
  const harmLo = bad === 'increase' ? lo : -hi;
  const harmHi = bad === 'increase' ? hi : -lo;
  return judgeHarm(harmLo, harmHi, margin);
}

/**
 * The mSPRT's evidence of a comparison judged by judgeMeans, written into its
 * `value` and `pValue`: one-sided reading of the two-sided test, only the bad
 * side counts as evidence.
 */
export function msprtEvidenceInto(
  compare: { bad: 'increase' | 'decrease'; margin: number },
  difference: number,
  m: MeanInterval,
  out: { value: number; pValue: number },
): void {
  const { bad, margin } = compare;
  const threshold = bad === 'increase' ? margin : -margin;
  const logStatistic = msprtLogStatistic(difference, m.variance, threshold, m.mixing);
  const badSide = bad === 'increase' ? difference > margin : difference < -margin;
  out.value = logStatistic;
  out.pValue = badSide ? Math.min(1, Math.exp(-logStatistic)) : 1;
}

/** The reason sentence of a comparison of means (built only when a reason is wanted). */
function compareText(
  j: Judgement,
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  t: ArmEstimate,
  c: ArmEstimate,
  settings: RuleSettings,
  difference: number,
  lo: number,
  hi: number,
): string {
  const { bad, margin, relative } = compare;
  const f = scaleFormatter(relative);
  const m = relative ? formatPercent(margin, false) : formatValue(margin);
  const interval = `anytime-valid interval ${f(lo)} to ${f(hi)}`;
  const n =
    settings.baseline === undefined
      ? `${formatCount(t.units)} treatment and ${formatCount(c.units)} control units`
      : `${formatCount(t.units)} treatment units against the ${formatCount(c.units)} control units of ${settings.baseline}, the baseline`;
  const change = `change ${f(difference)}`;
  if (j === 'breach')
    return `worse than control beyond the margin: ${change}, ${interval} lies past the allowed ${bad} of ${m} (${n})`;
  if (j === 'pass')
    return `within the margin: ${change}, ${interval} rules out an ${bad} beyond ${m} (${n})`;
  return `not conclusive yet: ${change}, ${interval} still straddles the allowed ${bad} of ${m} (${n})`;
}

/** The hard limits of a KPI checked on the treatment arm alone. */
export function limitMean(
  limits: { max?: number; min?: number },
  t: ArmEstimate,
  settings: RuleSettings,
  kind?: KpiKind,
): { outcome: RuleOutcome; limit: NonNullable<GuardResult['limit']> } {
  limitInterval(limits, t, settings, kind, BOUNDS);
  const interval: [number, number] = [BOUNDS[0] as number, BOUNDS[1] as number];
  return limitOutcome(limits, t.value, interval, t.units, settings.minUnits, explains(settings));
}

/**
 * The treatment's interval of limitMean, written to out[0] and out[1]; the
 * verdict-only path (quiet-guards.ts) judges it with limitJudgement and limitRule.
 */
export function limitInterval(
  limits: { max?: number; min?: number },
  t: ArmEstimate,
  settings: RuleSettings,
  kind: KpiKind | undefined,
  out: Float64Array,
): void {
  const sides = (limits.max !== undefined ? 1 : 0) + (limits.min !== undefined ? 1 : 0);
  // A false breach can come from either side, so each side gets its share.
  const alpha = settings.alpha / sides;
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 1);
  if (kind === 'occurrence') {
    // With Wilson's bounds: a rare event's lower bound must not come from its own low count.
    armBoundsInto(t, alpha, settings, tune, kind, out, 0);
  } else {
    const r = halfWidth(t.variance, t.units, alpha, settings, tune);
    out[0] = t.value - r;
    out[1] = t.value + r;
  }
}

/** What an interval says against hard limits: a breach of either side, a pass of every side, else open. */
export function limitJudgement(
  limits: { max?: number; min?: number },
  lo: number,
  hi: number,
): Judgement {
  const max = limits.max === undefined ? 'pass' : judgeHarm(lo, hi, limits.max);
  const min = limits.min === undefined ? 'pass' : judgeHarm(-hi, -lo, -limits.min);
  if (max === 'breach' || min === 'breach') return 'breach';
  return max === 'pass' && min === 'pass' ? 'pass' : 'open';
}

/** The side a limits verdict names: the first in breach, else the first still open, else the first. */
export function limitRule(
  limits: { max?: number; min?: number },
  lo: number,
  hi: number,
): 'max' | 'min' {
  const max = limits.max === undefined ? undefined : judgeHarm(lo, hi, limits.max);
  const min = limits.min === undefined ? undefined : judgeHarm(-hi, -lo, -limits.min);
  if (max === 'breach') return 'max';
  if (min === 'breach') return 'min';
  if (max === 'open') return 'max';
  if (min === 'open') return 'min';
  return max !== undefined ? 'max' : min !== undefined ? 'min' : 'max';
}

/** Verdict of hard limits from the treatment's value and its anytime-valid interval. */
export function limitOutcome(
  limits: { max?: number; min?: number },
  value: number,
  [lo, hi]: [number, number],
  units: number,
  minUnits: number,
  explain = true,
): { outcome: RuleOutcome; limit: NonNullable<GuardResult['limit']> } {
  const judgement = limitJudgement(limits, lo, hi);
  const rule = limitRule(limits, lo, hi);
  const text = (j: Judgement): string => {
    const bounds = [
      limits.min !== undefined ? `at least ${formatValue(limits.min)}` : '',
      limits.max !== undefined ? `at most ${formatValue(limits.max)}` : '',
    ]
      .filter((x) => x !== '')
      .join(' and ');
    const detail = `value ${formatValue(value)}, anytime-valid interval ${formatValue(lo)} to ${formatValue(hi)} (${formatCount(units)} treatment units)`;
    if (j === 'breach') return `treatment breaks its hard limit (${bounds}): ${detail}`;
    if (j === 'pass') return `treatment keeps its hard limit (${bounds}): ${detail}`;
    return `not conclusive yet against the hard limit (${bounds}): ${detail}`;
  };
  const outcome = gateVerdict(
    judgement,
    [{ label: 'treatment', units }],
    minUnits,
    rule,
    explain ? text : null,
  );
  const limit: NonNullable<GuardResult['limit']> = { interval: [lo, hi] };
  if (limits.max !== undefined) limit.max = limits.max;
  if (limits.min !== undefined) limit.min = limits.min;
  return { outcome, limit };
}
