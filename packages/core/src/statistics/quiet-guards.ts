/**
 * The verdict-only path for a caller that owns its results (the rehearsal's
 * simulator, which reads a look's verdicts and drops them): a mean-type KPI's
 * guard computed into the caller's result of the previous look, with no object
 * built at the look. The rules are the full path's own (judgeMeans, limitInterval,
 * gateQuietly, combineTwo), so every number is the same double; anything out of
 * the ordinary (missing, thin or malformed data, a shape this result does not
 * have) goes to evaluateGuard, which says why in a new result.
 */
import type { Kpi, KpiCategory } from '../plan/index.js';
import { differenceInto, momentEstimateInto, ratioEstimateInto } from './arm-estimate.js';
import type { ArmEstimate, Difference } from './arm-estimate.js';
import { alphaOf, findGuard, methodOf, resultOf, withBaseline } from './evaluate-guard.js';
import type { GuardOptions } from './evaluate-guard.js';
import type { GuardResult } from './guard-result.js';
import { DEFAULT_MIN_UNITS, combineTwo, gateQuietly } from './guard-verdict.js';
import type { RuleOutcome, RuleSettings } from './guard-verdict.js';
import type { ArmAggregates, KpiAggregate } from './kpi-aggregate.js';
import {
  METHOD_NAMES,
  comparisonOf,
  judgeMeans,
  limitInterval,
  limitJudgement,
  limitRule,
  msprtEvidenceInto,
} from './mean-guard.js';
import type { MeanInterval } from './mean-guard.js';

/**
 * Results a caller lends the verdict-only path, one per KPI of one plan, reused
 * from look to look. The caller must not keep a look's results past the next
 * call, or must call forget() first (the simulator does when decide() made
 * decisions, which may quote them).
 */
export class GuardScratch {
  /** The array evaluateGuards returns, the same at every call. */
  results: GuardResult[] = [];
  /** Per KPI in matrix order: the result this path writes into (null: none yet). */
  owned: (GuardResult | null)[] = [];
  /** The plan's KPIs the results are for (evaluateGuards's own list): another plan starts afresh. */
  matrix: readonly unknown[] = [];
  /**
   * The data record last lent and each KPI's arms in it (matrix order), read once:
   * a record lent again must hold the same ArmAggregates object under each KPI's
   * name (their numbers may change), as the simulator's does.
   */
  data: Record<string, ArmAggregates> | null = null;
  arms: (ArmAggregates | undefined)[] = [];
  /** The look's options passed checkOptions (else every guard goes to evaluateGuard). */
  checked = false;
  /** The look's share of the budget per guard, before a window's share. */
  guardAlpha = 0;
  /** The look's time into its phase, for windowed KPIs (ms). */
  phaseElapsedMs = 0;
  /** evaluateGuards's options for each guard, every key always set. */
  readonly options: GuardOptions = {
    alpha: 0,
    launchAlpha: 0,
    phases: undefined,
    baseline: undefined,
    method: 'confidence-sequence',
    minUnits: undefined,
    nowMs: undefined,
    tuneUnits: undefined,
    category: undefined,
    explain: false,
  };

  /** Give up every result handed out so far: the next call builds new ones. */
  forget(): void {
    this.results = [];
    this.owned = [];
    this.data = null;
  }
}

// One guard at a time: the arms' estimates, their change, the comparison's interval,
// a limit's bounds and the rules' settings, all overwritten at the next guard.
const T: ArmEstimate = { value: 0, variance: 0, units: 0 };
const C: ArmEstimate = { value: 0, variance: 0, units: 0 };
const DIFF: Difference = { value: 0, variance: 0 };
const INTERVAL: MeanInterval = { variance: 0, lo: 0, hi: 0, mixing: Number.NaN };
const LIMIT = new Float64Array(2);
// Every key at once, as evaluateGuard builds them (absent ones undefined).
const SETTINGS: RuleSettings = {
  alpha: 0,
  method: 'confidence-sequence',
  minUnits: DEFAULT_MIN_UNITS,
  tuneUnits: undefined,
  explain: false,
  baseline: undefined,
};

export type MeanKind = 'occurrence' | 'count' | 'mean' | 'ratio';
type Compare = NonNullable<Kpi['guard']['compare']>;

/**
 * What a look reads of a KPI, read off the plan once: the plan's objects come in
 * many shapes, so reading them at every look is slow.
 */
export interface QuietKpi {
  kpi: Kpi;
  name: string;
  category: KpiCategory;
  window: number | undefined;
  /** The kind, when mean-guard judges it (the quiet path can take it), else null. */
  mean: MeanKind | null;
  compare: Compare | undefined;
  limits: { max: number | undefined; min: number | undefined };
  /** Rule groups: the comparison, the hard limits. */
  groups: number;
}

/** A KPI of the matrix as quietMeanGuard reads it. */
export function quietKpi(kpi: Kpi, category: KpiCategory): QuietKpi {
  const { compare, max, min } = kpi.guard;
  const kind = kpi.kind;
  const mean =
    kind === 'occurrence' || kind === 'count' || kind === 'mean' || kind === 'ratio' ? kind : null;
  return {
    kpi,
    name: kpi.name,
    category,
    window: kpi.window,
    mean,
    compare,
    limits: { max, min },
    groups: (compare !== undefined ? 1 : 0) + (max !== undefined || min !== undefined ? 1 : 0),
  };
}

/** A mean-type arm's estimate written to `out`; false when the aggregate is not one of `kind`'s or is malformed. */
export function meanEstimateInto(kind: MeanKind, a: KpiAggregate, out: ArmEstimate): boolean {
  if (kind === 'ratio') return a.kind === 'ratio' && ratioEstimateInto(a, out);
  return a.kind === kind && momentEstimateInto(kind, a, out);
}

/**
 * A mean-type KPI's verdict-only result written into `into` (or a new result of
 * the same shape when `into` is null or shaped for other options): the result, or
 * null when the data or options are out of the ordinary (the caller then asks
 * evaluateGuard). `options` must have passed checkOptions but for alpha.
 */
export function quietMeanGuard(
  q: QuietKpi,
  kind: MeanKind,
  treatment: KpiAggregate | undefined,
  control: KpiAggregate | undefined,
  options: GuardOptions,
  into: GuardResult | null,
): GuardResult | null {
  const alpha = options.alpha;
  if (!(alpha > 0 && alpha < 1)) return null;
  if (treatment === undefined || treatment === null) return null;
  const { compare, limits, groups } = q;
  const limited = limits.max !== undefined || limits.min !== undefined;
  if (groups === 0) return null;
  if (!meanEstimateInto(kind, treatment, T)) return null;
  // A control that is there must be an estimate (else evaluateGuard says why).
  const controlled = control !== undefined;
  if (controlled && (control === null || !meanEstimateInto(kind, control, C))) return null;
  const settings = SETTINGS;
  settings.alpha = alpha / groups;
  settings.method = options.method;
  settings.minUnits = options.minUnits ?? DEFAULT_MIN_UNITS;
  settings.tuneUnits = options.tuneUnits;
  settings.baseline = options.baseline;
  let outcome: RuleOutcome | undefined;
  if (compare !== undefined) {
    if (!controlled || !differenceInto(T, C, compare.relative, DIFF)) return null;
    const judgement = judgeMeans(compare, T, C, settings, kind, DIFF, INTERVAL);
    outcome = gateQuietly(judgement, Math.min(T.units, C.units), settings.minUnits, 'compare');
  }
  if (limited) {
    limitInterval(limits, T, settings, kind, LIMIT);
    const lo = LIMIT[0] as number;
    const hi = LIMIT[1] as number;
    const rule = limitRule(limits, lo, hi);
    const limit = gateQuietly(limitJudgement(limits, lo, hi), T.units, settings.minUnits, rule);
    outcome = outcome === undefined ? limit : combineTwo(outcome, limit);
  }
  const r = shaped(into, q, options) ?? newResult(q.kpi, options);
  const o = outcome as RuleOutcome;
  r.category = q.category;
  r.verdict = o.verdict;
  r.rule = o.rule;
  r.reason = o.reason;
  r.estimate.treatment = T.value;
  r.estimate.control = controlled ? C.value : null;
  r.units.treatment = T.units;
  r.units.control = controlled ? C.units : 0;
  r.alpha.guard = alpha;
  r.alpha.launch = options.launchAlpha;
  if (options.phases !== undefined) r.alpha.phases = options.phases;
  if (r.comparison !== undefined) {
    r.comparison.difference = DIFF.value;
    const interval = r.comparison.interval as [number, number];
    interval[0] = INTERVAL.lo;
    interval[1] = INTERVAL.hi;
    if (options.baseline !== undefined) r.comparison.baseline = options.baseline;
    if (r.evidence !== undefined)
      msprtEvidenceInto(compare as Compare, DIFF.value, INTERVAL, r.evidence);
  }
  if (r.limit !== undefined) {
    const interval = r.limit.interval as [number, number];
    interval[0] = LIMIT[0] as number;
    interval[1] = LIMIT[1] as number;
  }
  return r;
}

/** `into` when it has every key a mean-type KPI's result of these options has (newResult's), else null. */
function shaped(into: GuardResult | null, q: QuietKpi, options: GuardOptions): GuardResult | null {
  if (into === null || into.kpi !== q.name || into.kind !== q.mean) return null;
  if ((into.alpha.phases !== undefined) !== (options.phases !== undefined)) return null;
  if (into.method !== METHOD_NAMES[options.method]) return null;
  // A comparison or limit without an interval (evaluateGuard's when data was missing)
  // has its keys in another order.
  const c = into.comparison;
  if ((c !== undefined) !== (q.compare !== undefined)) return null;
  if (c !== undefined && (c.interval === null || c.difference === null)) return null;
  if (c !== undefined && (c.baseline !== undefined) !== (options.baseline !== undefined))
    return null;
  const limit = into.limit;
  if ((limit !== undefined) !== q.groups - (q.compare !== undefined ? 1 : 0) > 0) return null;
  if (limit !== undefined && limit.interval === null) return null;
  if (into.burn !== undefined) return null;
  const evidence = q.compare !== undefined && options.method === 'msprt';
  return (into.evidence !== undefined) === evidence ? into : null;
}

/**
 * evaluateGuard's result written into `into` when `into` has exactly the keys it
 * would have (a result of the same KPI's guard at an earlier look), else a new
 * one. `options` must have passed checkOptions.
 */
export function quietGuardInto(
  q: QuietKpi,
  data: ArmAggregates | undefined,
  options: GuardOptions,
  into: GuardResult | null,
): GuardResult {
  const kpi = q.kpi;
  const found = findGuard(kpi, data, options);
  if (into === null || into.kpi !== q.name || into.kind !== kpi.kind)
    return resultOf(kpi, found, options);
  withBaseline(found, options);
  if (
    (into.alpha.phases !== undefined) !== (options.phases !== undefined) ||
    (into.comparison !== undefined) !== (found.comparison !== undefined) ||
    (into.comparison?.baseline !== undefined) !== (found.comparison?.baseline !== undefined) ||
    (into.limit !== undefined) !== (found.limit !== undefined) ||
    (into.burn !== undefined) !== (found.burn !== undefined) ||
    (into.evidence !== undefined) !== (found.evidence !== undefined)
  )
    return resultOf(kpi, found, options);
  into.category = q.category;
  into.verdict = found.outcome.verdict;
  into.rule = found.outcome.rule;
  into.reason = found.outcome.reason;
  into.estimate = found.estimate;
  into.units = found.units;
  into.alpha.guard = alphaOf(kpi, options);
  into.alpha.launch = options.launchAlpha;
  if (options.phases !== undefined) into.alpha.phases = options.phases;
  into.method = found.method ?? methodOf(kpi, options);
  if (found.comparison !== undefined) into.comparison = found.comparison;
  if (found.limit !== undefined) into.limit = found.limit;
  if (found.burn !== undefined) into.burn = found.burn;
  if (found.evidence !== undefined) into.evidence = found.evidence;
  return into;
}

/**
 * A result with the keys evaluateGuard gives a mean-type KPI whose rules all ran,
 * in its order (JSON.stringify of both is the same); numbers are written next.
 */
function newResult(kpi: Kpi, options: GuardOptions): GuardResult {
  const r: GuardResult = {
    kpi: kpi.name,
    category: 'operational-health',
    kind: kpi.kind,
    verdict: 'insufficient-evidence',
    rule: 'min-sample',
    reason: '',
    estimate: { treatment: null, control: null },
    units: { treatment: 0, control: 0 },
    alpha: { guard: 0, launch: 0 },
    method: METHOD_NAMES[options.method],
  };
  if (options.phases !== undefined) r.alpha.phases = options.phases;
  const { compare, max, min } = kpi.guard;
  if (compare !== undefined) {
    r.comparison = comparisonOf(compare, 0, [0, 0]);
    if (options.baseline !== undefined) r.comparison.baseline = options.baseline;
  }
  if (max !== undefined || min !== undefined) {
    r.limit = { interval: [0, 0] };
    if (max !== undefined) r.limit.max = max;
    if (min !== undefined) r.limit.min = min;
  }
  if (compare !== undefined && options.method === 'msprt')
    r.evidence = { statistic: 'msprt-log-likelihood-ratio', value: 0, pValue: 1 };
  return r;
}
