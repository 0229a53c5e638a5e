/**
 * How the live controller turns a look's data into evidence, as the rehearsal
 * reads it. The rules themselves live in decide/planned-split.ts, shared with
 * the controller (packages/server/src/controller/gather-evidence.ts), so the
 * rehearsal cannot drift from what a launch sees.
 */
import { guardOptionsFor, plannedSplit } from '../decide/index.js';
import type { LookGuardOptions, PhaseTraffic } from '../decide/index.js';
import type { Kpi, Phase, Plan } from '../plan/index.js';
import { KPI_CATEGORIES } from '../plan/index.js';

export { guardOptionsFor, plannedSplit };

/** The plan's KPIs in matrix order: the order of evaluateGuards' results and of every per-KPI array. */
export function planKpis(plan: Plan): Kpi[] {
  return KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
}

/** Share of units in control for a treatment share p, as the bucketing assigns it (0 at 100%). */
export function controlShare(plan: Plan, p: number): number {
  return plannedSplit(plan, p).control;
}

/** The guard options of a look in a phase, exactly as the live controller passes them. */
export function guardOptions(
  plan: Plan,
  phase: Pick<Phase, 'min_units' | 'min_duration'>,
  traffic: number,
  seen?: PhaseTraffic,
): LookGuardOptions {
  return guardOptionsFor(plan, phase, traffic, seen);
}
