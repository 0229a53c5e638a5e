/** Every guard of a plan's KPI matrix at one look, under one launch-wide false alarm budget. */
import { KPI_CATEGORIES } from '../plan/index.js';
import type { Plan } from '../plan/index.js';
import { checkOptions, evaluateGuard } from './evaluate-guard.js';
import { falseAlarmSplit, windowIndex, windowShare } from './false-alarm-budget.js';
import type { GuardOptions } from './evaluate-guard.js';
import type { GuardResult } from './guard-result.js';
import type { ArmAggregates } from './kpi-aggregate.js';
import { quietGuardInto, quietKpi, quietMeanGuard } from './quiet-guards.js';
import type { GuardScratch, QuietKpi } from './quiet-guards.js';

/**
 * Each statistical guard's share of a budget: a Bonferroni split, launchAlpha /
 * kpiCount. Since every share bounds the chance that its guard EVER breaches
 * falsely (the guards are anytime-valid), the chance that any guard does is at
 * most launchAlpha, however the KPIs are correlated and however often anyone
 * looks. evaluateGuards splits the plan's budget over phases too (falseAlarmSplit).
 */
export function splitFalseAlarmBudget(launchAlpha: number, kpiCount: number): number {
  if (!(launchAlpha > 0 && launchAlpha < 1))
    throw new RangeError(`launchAlpha must be between 0 and 1, got ${String(launchAlpha)}`);
  if (!(Number.isInteger(kpiCount) && kpiCount >= 0))
    throw new RangeError(`kpiCount must be a non-negative integer, got ${String(kpiCount)}`);
  return kpiCount === 0 ? launchAlpha : launchAlpha / kpiCount;
}

// The budget split once per plan object, as decide() indexes a plan once (plans are
// not changed after parsing; a new version is a new object).
const splits = new WeakMap<Plan, ReturnType<typeof falseAlarmSplit>>();
function splitOf(plan: Plan): ReturnType<typeof falseAlarmSplit> {
  let split = splits.get(plan);
  if (split === undefined) splits.set(plan, (split = falseAlarmSplit(plan)));
  return split;
}

/** Options of evaluateGuards. */
export interface GuardsOptions {
  /** Units per arm before a pass (the phase's min_units; default 100). */
  minUnits?: number;
  /** Where the confidence sequences are tightest; see GuardOptions.tuneUnits. */
  tuneUnits?: number;
  /** false: verdicts without reason sentences (see GuardOptions.explain). */
  explain?: boolean;
  /**
   * Time since the phase started (ms): which of its windows a KPI with a
   * `window` is in, and so that window's share of the budget (default: the first).
   */
  phaseElapsedMs?: number;
  /**
   * The phase has no control arm and the control aggregates are the control arm
   * of this earlier phase: comparisons are judged against that fixed baseline.
   */
  baseline?: string;
}

/**
 * Evaluate every KPI of the plan, in matrix order (efficiency, user-impact,
 * operational-health), with data keyed by KPI name (whatever the KPI's source).
 * The plan's false_alarm_rate is split evenly across its phases and statistical
 * guards (falseAlarmSplit; burn-rate guards included: a window pair breaches on
 * confidence bounds, so it spends its share across its pairs), and a windowed
 * KPI's share across its windows.
 *
 * With `scratch` and `explain: false`, the results are the scratch's, written
 * over at the next such call (see GuardScratch): the same verdicts and numbers
 * without building them anew at every look.
 */
export function evaluateGuards(
  plan: Plan,
  data: Record<string, ArmAggregates>,
  options: GuardsOptions = {},
  scratch?: GuardScratch,
): GuardResult[] {
  // Plain loops and one options object: a rehearsal calls this millions of times.
  if (scratch !== undefined && options.explain === false)
    return evaluateQuietly(plan, data, options, scratch);
  const split = splitOf(plan);
  const guardOptions: GuardOptions = {
    alpha: split.guard,
    launchAlpha: split.launch,
    method: plan.analysis.method,
    phases: split.phases,
  };
  if (options.baseline !== undefined) guardOptions.baseline = options.baseline;
  if (options.minUnits !== undefined) guardOptions.minUnits = options.minUnits;
  if (options.tuneUnits !== undefined) guardOptions.tuneUnits = options.tuneUnits;
  if (options.explain === false) guardOptions.explain = false;
  const results: GuardResult[] = [];
  for (const category of KPI_CATEGORIES) {
    // evaluateGuard copies what it reports, so one options object serves every KPI.
    guardOptions.category = category;
    for (const kpi of plan.kpis[category] ?? []) {
      // A windowed KPI starts a new sequence with each window: each spends its part of the share.
      guardOptions.alpha =
        kpi.window === undefined
          ? split.guard
          : split.guard * windowShare(windowIndex(options.phaseElapsedMs ?? 0, kpi.window));
      results.push(
        evaluateGuard(
          kpi,
          Object.hasOwn(data, kpi.name) ? data[kpi.name] : undefined,
          guardOptions,
        ),
      );
    }
  }
  return results;
}

/**
 * evaluateGuards's verdict-only path into a caller's scratch: mean-type KPIs
 * written into last look's results (quietMeanGuard), the rest (and anything
 * quietMeanGuard leaves) by evaluateGuard. Options are checked once a look, not
 * once a guard: invalid ones leave every guard to evaluateGuard, which says why.
 */
function evaluateQuietly(
  plan: Plan,
  data: Record<string, ArmAggregates>,
  options: GuardsOptions,
  scratch: GuardScratch,
): GuardResult[] {
  const matrix = startQuietLook(plan, data, options, scratch);
  const results = scratch.results;
  for (let i = 0; i < matrix.length; i++) quietResultAt(matrix, i, scratch);
  if (results.length !== matrix.length) results.length = matrix.length;
  return results;
}

/**
 * Ready `scratch` for one verdict-only look (its plan, options and arms) and
 * return the plan's KPIs in matrix order; quietResultAt then judges any of them.
 */
export function startQuietLook(
  plan: Plan,
  data: Record<string, ArmAggregates>,
  options: GuardsOptions,
  scratch: GuardScratch,
): readonly QuietKpi[] {
  const { split, matrix } = matrixOf(plan);
  if (scratch.matrix !== matrix) {
    scratch.forget();
    scratch.matrix = matrix;
  }
  // Every key set at every look (absent ones undefined, which evaluateGuard reads as
  // absent): one object of one shape for every look.
  const guardOptions = scratch.options;
  guardOptions.alpha = split.guard;
  guardOptions.launchAlpha = split.launch;
  guardOptions.method = plan.analysis.method;
  guardOptions.phases = split.phases;
  guardOptions.baseline = options.baseline;
  guardOptions.minUnits = options.minUnits;
  guardOptions.tuneUnits = options.tuneUnits;
  guardOptions.explain = false;
  scratch.checked = checkOptions(guardOptions) === undefined;
  scratch.guardAlpha = split.guard;
  scratch.phaseElapsedMs = options.phaseElapsedMs ?? 0;
  if (scratch.data !== data) {
    scratch.data = data;
    scratch.arms = matrix.map((q) => (Object.hasOwn(data, q.name) ? data[q.name] : undefined));
  }
  return matrix;
}

/** KPI `i`'s verdict-only result of the look startQuietLook readied, written into the scratch. */
export function quietResultAt(
  matrix: readonly QuietKpi[],
  i: number,
  scratch: GuardScratch,
): GuardResult {
  const q = matrix[i] as QuietKpi;
  const guardOptions = scratch.options;
  guardOptions.category = q.category;
  guardOptions.alpha =
    q.window === undefined
      ? scratch.guardAlpha
      : scratch.guardAlpha * windowShare(windowIndex(scratch.phaseElapsedMs, q.window));
  const a = scratch.arms[i];
  const into = scratch.owned[i] ?? null;
  let result: GuardResult | null = null;
  if (!scratch.checked) result = evaluateGuard(q.kpi, a, guardOptions);
  else if (q.mean !== null && typeof a === 'object' && a !== null)
    try {
      result = quietMeanGuard(q, q.mean, a.treatment, a.control, guardOptions, into);
    } catch {
      // quietGuardInto below turns whatever threw into insufficient evidence with its message.
      result = null;
    }
  // Every other guard (and anything quietMeanGuard leaves) by evaluateGuard's rules.
  if (result === null) result = quietGuardInto(q, a, guardOptions, into);
  scratch.owned[i] = result;
  scratch.results[i] = result;
  return result;
}

/** What evaluateGuards reads of a plan at every look, once per plan object. */
interface PlanGuards {
  split: ReturnType<typeof falseAlarmSplit>;
  /** The plan's KPIs in matrix order, as the quiet path reads them. */
  matrix: readonly QuietKpi[];
}

const planGuards = new WeakMap<Plan, PlanGuards>();
function matrixOf(plan: Plan): PlanGuards {
  let found = planGuards.get(plan);
  if (found === undefined) {
    const matrix: QuietKpi[] = [];
    for (const category of KPI_CATEGORIES)
      for (const kpi of plan.kpis[category] ?? []) matrix.push(quietKpi(kpi, category));
    planGuards.set(plan, (found = { split: splitOf(plan), matrix }));
  }
  return found;
}
