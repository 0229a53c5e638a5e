/** Every guard of a plan's KPI matrix at one look, under one launch-wide false alarm budget. */
import { KPI_CATEGORIES } from '../plan/index.js';
import type { Kpi, Plan } from '../plan/index.js';
import { evaluateGuard } from './evaluate-guard.js';
import type { GuardOptions } from './evaluate-guard.js';
import type { GuardResult } from './guard-result.js';
import type { ArmAggregates } from './kpi-aggregate.js';

/**
 * Each statistical guard's share of the launch-wide false alarm budget: a
 * Bonferroni split, launchAlpha / kpiCount. Since every share bounds the chance
 * that its guard EVER breaches falsely (the guards are anytime-valid), the chance
 * that any guard of the launch ever does is at most launchAlpha, however the KPIs
 * are correlated and however often anyone looks.
 */
export function splitFalseAlarmBudget(launchAlpha: number, kpiCount: number): number {
  if (!(launchAlpha > 0 && launchAlpha < 1))
    throw new RangeError(`launchAlpha must be between 0 and 1, got ${String(launchAlpha)}`);
  if (!(Number.isInteger(kpiCount) && kpiCount >= 0))
    throw new RangeError(`kpiCount must be a non-negative integer, got ${String(kpiCount)}`);
  return kpiCount === 0 ? launchAlpha : launchAlpha / kpiCount;
}

/** Whether a KPI's guard is a statistical test (a comparison or hard limits) and so takes a budget share. */
export function takesFalseAlarmShare(kpi: Kpi): boolean {
  return (
    kpi.guard.compare !== undefined ||
    kpi.guard.max !== undefined ||
    kpi.guard.min !== undefined ||
    kpi.guard.burn_rate !== undefined
  );
}

/** Options of evaluateGuards. */
export interface GuardsOptions {
  /** Units per arm before a pass (the phase's min_units; default 100). */
  minUnits?: number;
  /** Where the confidence sequences are tightest; see GuardOptions.tuneUnits. */
  tuneUnits?: number;
  /** false: verdicts without reason sentences (see GuardOptions.explain). */
  explain?: boolean;
}

/**
 * Evaluate every KPI of the plan, in matrix order (efficiency, user-impact,
 * operational-health), with data keyed by KPI name (whatever the KPI's source).
 * The plan's false_alarm_rate is split evenly across the statistical guards
 * (burn-rate guards included: a window pair breaches on confidence bounds, so it
 * spends its share across its pairs).
 */
export function evaluateGuards(
  plan: Plan,
  data: Record<string, ArmAggregates>,
  options: GuardsOptions = {},
): GuardResult[] {
  // Plain loops and one options object: a rehearsal calls this millions of times.
  let statistical = 0;
  for (const category of KPI_CATEGORIES)
    for (const kpi of plan.kpis[category] ?? []) if (takesFalseAlarmShare(kpi)) statistical++;
  const launchAlpha = plan.analysis.false_alarm_rate;
  const guardOptions: GuardOptions = {
    alpha: splitFalseAlarmBudget(launchAlpha, statistical),
    launchAlpha,
    method: plan.analysis.method,
  };
  if (options.minUnits !== undefined) guardOptions.minUnits = options.minUnits;
  if (options.tuneUnits !== undefined) guardOptions.tuneUnits = options.tuneUnits;
  if (options.explain === false) guardOptions.explain = false;
  const results: GuardResult[] = [];
  for (const category of KPI_CATEGORIES) {
    // evaluateGuard copies what it reports, so one options object serves every KPI.
    guardOptions.category = category;
    for (const kpi of plan.kpis[category] ?? [])
      results.push(
        evaluateGuard(
          kpi,
          Object.hasOwn(data, kpi.name) ? data[kpi.name] : undefined,
          guardOptions,
        ),
      );
  }
  return results;
}
