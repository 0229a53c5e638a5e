/**
 * How the live controller turns a look's data into evidence, mirrored for the
 * rehearsal so that both hand decide() the same thing. The controller's own
 * copy is packages/server/src/controller/gather-evidence.ts (plannedSplit and
 * the guard options); the two must change together.
 */
import type { Kpi, Plan } from '../plan/index.js';
import { KPI_CATEGORIES } from '../plan/index.js';

/** The plan's KPIs in matrix order: the order of evaluateGuards' results and of every per-KPI array. */
export function planKpis(plan: Plan): Kpi[] {
  return KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
}

/** Share of units in control for a treatment share p (the bucketing's rest or same-size holdout). */
export function controlShare(plan: Plan, p: number): number {
  if (plan.control === 'holdout') return Math.min(p, 1 - p);
  return 1 - p;
}

/**
 * The planned split the split check compares with, exactly as the live
 * controller passes it (packages/server/src/controller/gather-evidence.ts,
 * plannedSplit): the rehearsal must see what a launch sees.
 */
export function plannedSplit(plan: Plan, traffic: number): { treatment: number; control: number } {
  if (plan.control === 'holdout') return { treatment: traffic, control: traffic };
  return { treatment: traffic, control: Math.max(0, 1 - traffic) };
}

/** The guard options of a look, exactly as the live controller passes them (gather-evidence.ts). */
export function guardOptions(
  plan: Plan,
  minUnits: number,
  traffic: number,
): { minUnits: number; tuneUnits?: number } {
  const share = Math.min(traffic, 1 - traffic);
  return share > 0 && minUnits > 0 && plan.control !== 'holdout'
    ? { minUnits, tuneUnits: minUnits / share }
    : { minUnits };
}
