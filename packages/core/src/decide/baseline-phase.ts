/**
 * The baseline of a phase without a control arm (100%, whether the control is
 * the rest or a holdout): the control arm of the last earlier phase that had
 * one. The live controller reads that phase's control aggregates from the
 * store; the rehearsal keeps the simulated ones; `plan explain` names it.
 */
import type { Phase, Plan } from '../plan/index.js';
import { plannedSplit } from './planned-split.js';

/**
 * The phase whose control arm is the baseline of phase `phaseIndex`, or
 * undefined when the phase has a control arm of its own, or no earlier phase
 * had one.
 */
export function baselinePhase(
  plan: Pick<Plan, 'control' | 'phases'>,
  phaseIndex: number,
  traffic = plan.phases[phaseIndex]?.traffic ?? 0,
): Phase | undefined {
  if (plannedSplit(plan, traffic).control > 0) return undefined;
  for (let i = Math.min(phaseIndex, plan.phases.length) - 1; i >= 0; i--) {
    const p = plan.phases[i] as Phase;
    if (plannedSplit(plan, p.traffic).control > 0) return p;
  }
  return undefined;
}
