/**
 * How the launch-wide false alarm budget is spent: across the plan's phases
 * (aggregates restart at each phase, so each phase is a new sequence), across
 * the statistical KPIs of the matrix, and for a KPI with a `window`, across the
 * consecutive windows of a phase. Every share bounds the chance that its
 * sequence EVER breaches falsely, so by the union bound the chance that any
 * guard of the launch ever does is at most the plan's false_alarm_rate. The
 * live controller, the rehearsal and `plan explain` all read it here.
 */
import { KPI_CATEGORIES } from '../plan/index.js';
import type { Kpi, Plan } from '../plan/index.js';

/** Whether a KPI's guard is a statistical test (a comparison, hard limits or a burn rate) and so takes a budget share. */
export function takesFalseAlarmShare(kpi: Kpi): boolean {
  return (
    kpi.guard.compare !== undefined ||
    kpi.guard.max !== undefined ||
    kpi.guard.min !== undefined ||
    kpi.guard.burn_rate !== undefined
  );
}

/** Number of KPIs of the plan that take a share of the budget. */
export function statisticalKpiCount(plan: Pick<Plan, 'kpis'>): number {
  let count = 0;
  for (const category of KPI_CATEGORIES)
    for (const kpi of plan.kpis[category] ?? []) if (takesFalseAlarmShare(kpi)) count++;
  return count;
}

/** The split of a plan's budget: the launch's, and the share of each KPI in each phase. */
export interface FalseAlarmSplit {
  /** The plan's false_alarm_rate, for the whole launch. */
  launch: number;
  /** Phases the budget is split across (every phase of the plan, the bake included in the last). */
  phases: number;
  /** Statistical KPIs the budget is split across. */
  kpis: number;
  /** One KPI's share in one phase: launch / (phases × kpis). */
  guard: number;
}

/**
 * The Bonferroni split of the plan's false_alarm_rate over phases and KPIs.
 * A KPI with a `window` divides its share further across its windows (see
 * windowShare).
 */
export function falseAlarmSplit(plan: Pick<Plan, 'kpis' | 'phases' | 'analysis'>): FalseAlarmSplit {
  const launch = plan.analysis.false_alarm_rate;
  const phases = Math.max(1, plan.phases.length);
  const kpis = statisticalKpiCount(plan);
  return { launch, phases, kpis, guard: launch / (phases * Math.max(1, kpis)) };
}

/**
 * Share of a windowed KPI's phase budget that its `index`-th window (0-based)
 * spends: 6 / (π² (index + 1)²), which sums to 1 over all windows however long
 * the phase runs. The first window gets 61%, the second 15%, the tenth 0.6%.
 */
export function windowShare(index: number): number {
  const k = Math.max(0, Math.floor(index)) + 1;
  return 6 / (Math.PI * Math.PI * k * k);
}

/**
 * Which window of its phase a windowed KPI is in, `elapsedMs` after the phase
 * started: windows are consecutive and disjoint, [i·window, (i+1)·window).
 */
export function windowIndex(elapsedMs: number, windowMs: number): number {
  if (!(elapsedMs > 0) || !(windowMs > 0)) return 0;
  return Math.floor(elapsedMs / windowMs);
}

/** Start (ms) of the window a windowed KPI is judged on at `nowMs`: the data from it to now. */
export function windowStartMs(phaseStartMs: number, nowMs: number, windowMs: number): number {
  return phaseStartMs + windowIndex(nowMs - phaseStartMs, windowMs) * windowMs;
}
