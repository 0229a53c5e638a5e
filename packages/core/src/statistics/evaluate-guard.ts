/**
 * One KPI's guard at one look: every rule of the guard (comparison, hard limits,
 * burn rate) on the KPI's aggregates, combined into one verdict. Never throws:
 * missing, thin or malformed data is insufficient-evidence with a reason.
 */
import type { Kpi, KpiCategory } from '../plan/index.js';
import { momentEstimate, ratioEstimate } from './arm-estimate.js';
import type { ArmEstimateOutcome } from './arm-estimate.js';
import { checkBurnWindows, errorRatio, evaluateBurnRate } from './burn-rate-guard.js';
import type { GuardResult } from './guard-result.js';
import { DEFAULT_MIN_UNITS, combineTwo } from './guard-verdict.js';
import type { RuleOutcome, RuleSettings } from './guard-verdict.js';
import type { ArmAggregates, KpiAggregate } from './kpi-aggregate.js';
import { METHOD_NAMES, compareMeans, limitMean } from './mean-guard.js';
import { checkSketch, compareQuantiles, limitQuantile, sketchUnits } from './quantile-guard.js';
import { sketchQuantile, sortedSketch } from './quantile-sketch.js';

/** Options of evaluateGuard. */
export interface GuardOptions {
  /** This KPI's share of the launch-wide false alarm budget (see splitFalseAlarmBudget). */
  alpha: number;
  /** The launch-wide false alarm budget, reported in the result. */
  launchAlpha: number;
  /** Phases the launch budget is split across, reported in the result (see falseAlarmSplit). */
  phases?: number;
  /**
   * The phase has no control arm; `data.control` is the control arm of this
   * earlier phase, a fixed baseline (see RuleSettings.baseline).
   */
  baseline?: string;
  method: 'confidence-sequence' | 'msprt';
  /** Units per arm before a pass (the phase's min_units; default 100). */
  minUnits?: number;
  /**
   * Accepted for callers that pass the look's time; burn-rate windows arrive
   * already counted over their trailing windows, so no rule reads it.
   */
  nowMs?: number;
  /**
   * Samples in the sequence at which its interval should be tightest (default:
   * 2 × max(minUnits, 30) for comparisons, max(minUnits, 30) for one arm). A caller
   * that knows the phase's traffic share s can pass minUnits / min(s, 1 − s).
   */
  tuneUnits?: number;
  /** The KPI's category in the matrix, reported in the result (default operational-health). */
  category?: KpiCategory;
  /**
   * false: the verdict-only path (rehearsals). The same code computes every verdict,
   * estimate and interval; only the rules' reason sentences are left empty ('').
   * Default true: live launches record every reason.
   */
  explain?: boolean;
}

const QUANTILE_METHOD = 'quantile-confidence-sequence';
const BURN_METHOD = 'multiwindow-burn-rate';

/** What the rules found, before the KPI's identity and budget are added. */
export interface Finding {
  outcome: RuleOutcome;
  estimate: GuardResult['estimate'];
  units: GuardResult['units'];
  comparison?: GuardResult['comparison'];
  limit?: GuardResult['limit'];
  burn?: GuardResult['burn'];
  evidence?: GuardResult['evidence'];
  method?: string;
}

/** A finding's outcome until its rules are combined (every finding with rules replaces it). */
const PENDING: RuleOutcome = Object.freeze({
  verdict: 'insufficient-evidence',
  rule: 'min-sample',
  reason: '',
});

/** The category of a KPI is not on the Kpi object; evaluateGuards passes it. */
const DEFAULT_CATEGORY = 'operational-health' as const;

function isStatistical(kpi: Kpi): boolean {
  const g = kpi.guard;
  return (
    g.compare !== undefined ||
    g.max !== undefined ||
    g.min !== undefined ||
    g.burn_rate !== undefined
  );
}

function insufficient(reason: string, units = { treatment: 0, control: 0 }): Finding {
  return {
    outcome: { verdict: 'insufficient-evidence', rule: 'min-sample', reason },
    estimate: { treatment: null, control: null },
    units,
  };
}

/** Why options cannot be used (every guard is then insufficient-evidence with it), else undefined. */
export function checkOptions(o: GuardOptions): string | undefined {
  if (!(o.alpha > 0 && o.alpha < 1))
    return `options.alpha must be between 0 and 1, got ${String(o.alpha)}`;
  if (!(o.launchAlpha > 0 && o.launchAlpha < 1))
    return `options.launchAlpha must be between 0 and 1, got ${String(o.launchAlpha)}`;
  if (o.method !== 'confidence-sequence' && o.method !== 'msprt')
    return `options.method must be confidence-sequence or msprt, got ${String(o.method)}`;
  if (o.minUnits !== undefined && !(Number.isFinite(o.minUnits) && o.minUnits >= 0))
    return `options.minUnits must be a non-negative number, got ${String(o.minUnits)}`;
  if (o.tuneUnits !== undefined && !(Number.isFinite(o.tuneUnits) && o.tuneUnits > 0))
    return `options.tuneUnits must be a positive number, got ${String(o.tuneUnits)}`;
  return undefined;
}

/**
 * Combine rule outcomes: any breach wins, a pass needs every rule to pass. A KPI
 * has at most two rule groups (a comparison and its hard limits).
 */
function combine(outcomes: RuleOutcome[]): RuleOutcome {
  const [first, second] = outcomes;
  if (first === undefined) return { verdict: 'pass', rule: 'compare', reason: '' };
  return second === undefined ? first : combineTwo(first, second);
}

function limitsOf(kpi: Kpi): { max?: number; min?: number } | undefined {
  const { max, min } = kpi.guard;
  if (max === undefined && min === undefined) return undefined;
  const limits: { max?: number; min?: number } = {};
  if (max !== undefined) limits.max = max;
  if (min !== undefined) limits.min = min;
  return limits;
}

function emptyComparison(compare: NonNullable<Kpi['guard']['compare']>) {
  const { bad, margin, relative } = compare;
  return {
    bad,
    relative,
    margin,
    threshold: bad === 'increase' ? margin : -margin,
    difference: null,
    interval: null,
  };
}

function estimateOf(kind: Kpi['kind'], a: KpiAggregate, arm: string): ArmEstimateOutcome {
  if (a.kind === 'ratio') return ratioEstimate(a, arm);
  if (a.kind === 'occurrence' || a.kind === 'count' || a.kind === 'mean')
    return momentEstimate(a.kind, a, arm);
  return { ok: false, reason: `${arm} aggregate of kind ${kind} is not a mean or ratio` };
}

function unitsOf(a: KpiAggregate): number {
  if (a.kind === 'quantile') return Number.isFinite(a.sketch?.units) ? sketchUnits(a.sketch) : 0;
  if (a.kind === 'slo-burn') return 0;
  return Number.isFinite(a.units) && a.units > 0 ? a.units : 0;
}

function evaluateMeans(kpi: Kpi, data: ArmAggregates, settings: RuleSettings): Finding {
  const t = estimateOf(kpi.kind, data.treatment, 'treatment');
  const c = data.control === undefined ? undefined : estimateOf(kpi.kind, data.control, 'control');
  const found: Finding = {
    outcome: PENDING,
    estimate: {
      treatment: t.ok ? t.estimate.value : null,
      control: c?.ok ? c.estimate.value : null,
    },
    units: {
      treatment: t.ok ? t.estimate.units : unitsOf(data.treatment),
      control: c?.ok ? c.estimate.units : data.control === undefined ? 0 : unitsOf(data.control),
    },
  };
  // The comparison's outcome, then the limits'; combined only when there are both.
  let first: RuleOutcome | undefined;
  let second: RuleOutcome | undefined;
  const compare = kpi.guard.compare;
  if (compare !== undefined) {
    if (!t.ok || c === undefined || !c.ok) {
      const reason = !t.ok
        ? t.reason
        : c?.ok === false
          ? c.reason
          : 'no control arm to compare with';
      first = { verdict: 'insufficient-evidence', rule: 'min-sample', reason };
      found.comparison = emptyComparison(compare);
    } else {
      const r = compareMeans(compare, t.estimate, c.estimate, settings, kpi.kind);
      first = r.outcome;
      found.comparison = r.comparison;
      if (r.evidence !== undefined) found.evidence = r.evidence;
    }
  }
  const limits = limitsOf(kpi);
  if (limits !== undefined) {
    let outcome: RuleOutcome;
    if (!t.ok) {
      outcome = { verdict: 'insufficient-evidence', rule: 'min-sample', reason: t.reason };
      found.limit = { ...limits, interval: null };
    } else {
      const r = limitMean(limits, t.estimate, settings, kpi.kind);
      outcome = r.outcome;
      found.limit = r.limit;
    }
    if (first === undefined) first = outcome;
    else second = outcome;
  }
  found.outcome =
    second === undefined ? (first ?? combine([])) : combineTwo(first as RuleOutcome, second);
  return found;
}

function evaluateQuantile(kpi: Kpi, data: ArmAggregates, settings: RuleSettings): Finding {
  const q = kpi.q;
  if (q === undefined || !(q > 0 && q < 1))
    return insufficient(`KPI ${kpi.name} of kind quantile needs q between 0 and 1`);
  const rawT = (data.treatment as Extract<KpiAggregate, { kind: 'quantile' }>).sketch;
  const rawC = (data.control as Extract<KpiAggregate, { kind: 'quantile' }> | undefined)?.sketch;
  const bad =
    checkSketch(rawT, 'treatment') ??
    (rawC === undefined ? undefined : checkSketch(rawC, 'control'));
  if (bad !== undefined) return insufficient(bad);
  // Sort bucket arrays once (the store may send them in any order) for every read below.
  const t = sortedSketch(rawT);
  const c = rawC === undefined ? undefined : sortedSketch(rawC);
  const found: Finding = {
    outcome: PENDING,
    estimate: { treatment: null, control: null },
    units: { treatment: sketchUnits(t), control: c === undefined ? 0 : sketchUnits(c) },
    method: QUANTILE_METHOD,
  };
  const outcomes: RuleOutcome[] = [];
  const compare = kpi.guard.compare;
  if (compare !== undefined) {
    if (c === undefined) {
      outcomes.push({
        verdict: 'insufficient-evidence',
        rule: 'min-sample',
        reason: 'no control arm to compare with',
      });
      found.comparison = emptyComparison(compare);
    } else {
      const r = compareQuantiles(compare, q, t, c, settings);
      outcomes.push(r.outcome);
      found.comparison = r.comparison;
      // The comparison's values are a new object, this result's own.
      if (r.values !== undefined) found.estimate = r.values;
    }
  }
  const limits = limitsOf(kpi);
  if (limits !== undefined) {
    const r = limitQuantile(limits, q, t, settings);
    outcomes.push(r.outcome);
    found.limit = r.limit;
  }
  found.outcome = combine(outcomes);
  if (found.estimate.treatment === null)
    found.estimate = {
      treatment: sketchQuantile(t, q),
      control: c === undefined ? null : sketchQuantile(c, q),
    };
  return found;
}

function evaluateBurn(kpi: Kpi, data: ArmAggregates, alpha: number): Finding {
  const burn = kpi.guard.burn_rate;
  if (burn === undefined)
    return insufficient(`KPI ${kpi.name} of kind slo-burn needs a burn_rate guard`);
  const t = (data.treatment as Extract<KpiAggregate, { kind: 'slo-burn' }>).windows;
  const c = (data.control as Extract<KpiAggregate, { kind: 'slo-burn' }> | undefined)?.windows;
  const bad =
    checkBurnWindows(t, 'treatment') ??
    (c === undefined ? undefined : checkBurnWindows(c, 'control'));
  if (bad !== undefined) return insufficient(bad);
  const r = evaluateBurnRate(burn, t, alpha);
  return {
    outcome: r.outcome,
    estimate: { treatment: errorRatio(t), control: c === undefined ? null : errorRatio(c) },
    units: { treatment: 0, control: 0 },
    burn: r.burn,
    method: BURN_METHOD,
  };
}

function kindMismatch(kpi: Kpi, arm: string, a: KpiAggregate | undefined): string | undefined {
  return a !== undefined && a?.kind !== kpi.kind
    ? `${arm} aggregate is of kind ${String(a?.kind)}, but KPI ${kpi.name} is of kind ${kpi.kind}`
    : undefined;
}

function evaluateUnsafe(kpi: Kpi, data: ArmAggregates | undefined, options: GuardOptions): Finding {
  const badOption = checkOptions(options);
  if (badOption !== undefined) return insufficient(badOption);
  if (
    data === undefined ||
    data === null ||
    typeof data !== 'object' ||
    data.treatment === undefined
  )
    return insufficient(`no data yet for KPI ${kpi.name}`);
  const wrongKind =
    kindMismatch(kpi, 'treatment', data.treatment) ?? kindMismatch(kpi, 'control', data.control);
  if (wrongKind !== undefined) return insufficient(wrongKind);
  const groups =
    (kpi.guard.compare !== undefined ? 1 : 0) +
    (kpi.guard.max !== undefined || kpi.guard.min !== undefined ? 1 : 0);
  // Every key at once (absent ones undefined, which every rule reads as absent): one
  // object shape, built without growing at every look.
  const settings: RuleSettings = {
    // A KPI with both a comparison and hard limits splits its share between them.
    alpha: options.alpha / Math.max(1, groups),
    method: options.method,
    minUnits: options.minUnits ?? DEFAULT_MIN_UNITS,
    tuneUnits: options.tuneUnits,
    explain: options.explain === false ? false : undefined,
    baseline: options.baseline,
  };
  if (kpi.kind === 'slo-burn') return evaluateBurn(kpi, data, options.alpha);
  if (kpi.kind === 'quantile') return evaluateQuantile(kpi, data, settings);
  if (groups === 0) return insufficient(`KPI ${kpi.name} has no comparison or limit to check`);
  return evaluateMeans(kpi, data, settings);
}

/** The method a KPI's guard uses, also when there was no data to use it on. */
export function methodOf(kpi: Kpi, options: GuardOptions): string {
  if (kpi.kind === 'slo-burn') return BURN_METHOD;
  if (kpi.kind === 'quantile') return QUANTILE_METHOD;
  return METHOD_NAMES[options.method] ?? String(options.method);
}

/**
 * Evaluate one KPI's guard at one look. `options.alpha` is this KPI's share of the
 * launch's false alarm budget; a burn-rate guard is not a statistical test and
 * reports a share of 0.
 */
export function evaluateGuard(
  kpi: Kpi,
  data: ArmAggregates | undefined,
  options: GuardOptions,
): GuardResult {
  return resultOf(kpi, findGuard(kpi, data, options), options);
}

/** What a guard's rules found at one look (evaluateGuard's, before its result is built). */
export function findGuard(
  kpi: Kpi,
  data: ArmAggregates | undefined,
  options: GuardOptions,
): Finding {
  try {
    return evaluateUnsafe(kpi, data, options);
  } catch (e) {
    // Every input should become a verdict; this is the last line of defence so that a
    // bug yields insufficient-evidence with its message rather than a crashed look.
    return insufficient(
      `could not evaluate KPI ${kpi.name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** A finding as the guard's result, with the KPI's identity and budget. */
export function resultOf(kpi: Kpi, found: Finding, options: GuardOptions): GuardResult {
  const result: GuardResult = {
    kpi: kpi.name,
    category: options.category ?? DEFAULT_CATEGORY,
    kind: kpi.kind,
    verdict: found.outcome.verdict,
    rule: found.outcome.rule,
    reason: found.outcome.reason,
    estimate: found.estimate,
    units: found.units,
    alpha: { guard: alphaOf(kpi, options), launch: options.launchAlpha },
    method: found.method ?? methodOf(kpi, options),
  };
  if (options.phases !== undefined) result.alpha.phases = options.phases;
  if (found.comparison !== undefined) {
    withBaseline(found, options);
    result.comparison = found.comparison;
  }
  if (found.limit !== undefined) result.limit = found.limit;
  if (found.burn !== undefined) result.burn = found.burn;
  if (found.evidence !== undefined) result.evidence = found.evidence;
  return result;
}

/** The guard's share of the budget as reported: a burn-rate guard is not a statistical test. */
export function alphaOf(kpi: Kpi, options: GuardOptions): number {
  return isStatistical(kpi) && Number.isFinite(options.alpha) ? options.alpha : 0;
}

/** Names the baseline in a comparison that has a difference (the rules' comparison is new, its own). */
export function withBaseline(found: Finding, options: GuardOptions): void {
  if (
    found.comparison !== undefined &&
    options.baseline !== undefined &&
    found.comparison.difference !== null
  )
    found.comparison.baseline = options.baseline;
}
