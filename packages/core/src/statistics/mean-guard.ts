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
import type { ArmEstimate } from './arm-estimate.js';
import { differenceOf } from './arm-estimate.js';
import { formatCount, formatPercent, formatSigned, formatValue } from './format-number.js';
import type { GuardResult } from './guard-result.js';
import {
  defaultTuneUnits,
  explains,
  gateVerdict,
  judgeHarm,
  sequenceMultiplier,
} from './guard-verdict.js';
import type { Judgement, RuleOutcome, RuleSettings } from './guard-verdict.js';
import { mixtureRho2, msprtLogStatistic, twoSidedMixtureMultiplier } from './mixture-boundary.js';

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

/**
 * Half-width of the anytime-valid interval of an estimate with variance V over a
 * sequence of t samples: one-sided confidence sequence, or the inverted mSPRT with
 * mixing variance τ² (the margin² when there is one, else matched to the sequence's
 * tuning: τ = ρ·σ with σ² = t·V the per-sample variance).
 */
function halfWidth(
  variance: number,
  t: number,
  alpha: number,
  settings: RuleSettings,
  tuneUnits: number,
  tau2?: number,
): number {
  if (variance === 0) return 0;
  if (settings.method === 'msprt') {
    const mixing = tau2 ?? mixtureRho2(alpha, tuneUnits) * t * variance;
    return twoSidedMixtureMultiplier(mixing / variance, alpha) * Math.sqrt(variance);
  }
  return sequenceMultiplier(t, alpha, tuneUnits) * Math.sqrt(variance);
}

/** Formats a difference in the comparison's scale. */
function scaleFormatter(relative: boolean): (x: number) => string {
  return relative ? (x) => formatPercent(x) : formatSigned;
}

/** Treatment against control with a margin in the bad direction. */
export function compareMeans(
  compare: { bad: 'increase' | 'decrease'; margin: number; relative: boolean },
  t: ArmEstimate,
  c: ArmEstimate,
  settings: RuleSettings,
): ComparisonOutcome {
  const { bad, margin, relative } = compare;
  const base = { bad, relative, margin, threshold: bad === 'increase' ? margin : -margin };
  const diff = differenceOf(t, c, relative);
  if ('reason' in diff) {
    return {
      outcome: { verdict: 'insufficient-evidence', rule: 'compare', reason: diff.reason },
      comparison: { ...base, difference: null, interval: null },
    };
  }
  const n = t.units + c.units;
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 2);
  const tau2 = settings.method === 'msprt' && margin > 0 ? margin * margin : undefined;
  const r = halfWidth(diff.variance, n, settings.alpha, settings, tune, tau2);
  const lo = diff.value - r;
  const hi = diff.value + r;
  // Two numbers, not a destructured pair: this runs at every look of every guard.
  const harmLo = bad === 'increase' ? lo : -hi;
  const harmHi = bad === 'increase' ? hi : -lo;
  const judgement = judgeHarm(harmLo, harmHi, margin);
  const text = (j: Judgement): string => {
    const f = scaleFormatter(relative);
    const m = relative ? formatPercent(margin, false) : formatValue(margin);
    const interval = `anytime-valid interval ${f(lo)} to ${f(hi)}`;
    const n = `${formatCount(t.units)} treatment and ${formatCount(c.units)} control units`;
    const change = `change ${f(diff.value)}`;
    if (j === 'breach')
      return `worse than control beyond the margin: ${change}, ${interval} lies past the allowed ${bad} of ${m} (${n})`;
    if (j === 'pass')
      return `within the margin: ${change}, ${interval} rules out an ${bad} beyond ${m} (${n})`;
    return `not conclusive yet: ${change}, ${interval} still straddles the allowed ${bad} of ${m} (${n})`;
  };
  const outcome = gateVerdict(
    judgement,
    [
      { label: 'treatment', units: t.units },
      { label: 'control', units: c.units },
    ],
    settings.minUnits,
    'compare',
    explains(settings) ? text : null,
  );
  const result: ComparisonOutcome = {
    outcome,
    comparison: { ...base, difference: diff.value, interval: [lo, hi] },
  };
  if (settings.method === 'msprt') {
    const mixing = tau2 ?? mixtureRho2(settings.alpha, tune) * n * diff.variance;
    const logStatistic = msprtLogStatistic(diff.value, diff.variance, base.threshold, mixing);
    // One-sided reading of the two-sided test: only the bad side counts as evidence.
    const badSide = bad === 'increase' ? diff.value > margin : diff.value < -margin;
    result.evidence = {
      statistic: 'msprt-log-likelihood-ratio',
      value: logStatistic,
      pValue: badSide ? Math.min(1, Math.exp(-logStatistic)) : 1,
    };
  }
  return result;
}

/** The hard limits of a KPI checked on the treatment arm alone. */
export function limitMean(
  limits: { max?: number; min?: number },
  t: ArmEstimate,
  settings: RuleSettings,
): { outcome: RuleOutcome; limit: NonNullable<GuardResult['limit']> } {
  const sides = (limits.max !== undefined ? 1 : 0) + (limits.min !== undefined ? 1 : 0);
  // A false breach can come from either side, so each side gets its share.
  const alpha = settings.alpha / sides;
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 1);
  const r = halfWidth(t.variance, t.units, alpha, settings, tune);
  const lo = t.value - r;
  const hi = t.value + r;
  return limitOutcome(limits, t.value, [lo, hi], t.units, settings.minUnits, explains(settings));
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
  const judgements: { j: Judgement; rule: 'max' | 'min' }[] = [];
  if (limits.max !== undefined) judgements.push({ j: judgeHarm(lo, hi, limits.max), rule: 'max' });
  if (limits.min !== undefined)
    judgements.push({ j: judgeHarm(-hi, -lo, -limits.min), rule: 'min' });
  const breach = judgements.find((x) => x.j === 'breach');
  const judgement: Judgement =
    breach !== undefined ? 'breach' : judgements.every((x) => x.j === 'pass') ? 'pass' : 'open';
  const rule =
    breach?.rule ?? judgements.find((x) => x.j === 'open')?.rule ?? judgements[0]?.rule ?? 'max';
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
