/**
 * How a look's data becomes evidence, in one place: the split the split check
 * expects and the options the guards run with. The live controller
 * (packages/server/src/controller/gather-evidence.ts), the rehearsal
 * (packages/core/src/rehearsal/live-evidence.ts) and decide() all read them
 * here, so a rehearsal sees what a launch sees and neither can drift from the
 * bucketing SDKs apply.
 */
import { BUCKET_COUNT, armBuckets, shareToBuckets } from '../bucketing/index.js';
import type { Phase, Plan } from '../plan/index.js';

/** Share of all units planned in each arm (the rest of the population is excluded). */
export interface PlannedSplit {
  treatment: number;
  control: number;
}

/** Options of evaluateGuards for one look (see GuardsOptions). */
export interface LookGuardOptions {
  minUnits: number;
  tuneUnits?: number;
}

/** Treatment buckets of a traffic share; a value outside [0, 1] is clamped, since evidence must never throw. */
function bucketsOf(traffic: number): number {
  if (!(traffic > 0)) return 0;
  return shareToBuckets(Math.min(1, traffic));
}

/**
 * The planned shares of the arms at a traffic share, exactly as armOf assigns
 * buckets: treatment the bottom buckets, control the rest, or with
 * `control: holdout` a same-size slice from the top, which above 50% is the
 * rest and at 100% is empty. Control 0 means the launch has no control arm.
 */
export function plannedSplit(plan: Pick<Plan, 'control'>, traffic: number): PlannedSplit {
  const arms = armBuckets(bucketsOf(traffic), plan.control);
  return { treatment: arms.treatment / BUCKET_COUNT, control: arms.control / BUCKET_COUNT };
}

/** Units of the launch's arms seen so far in the phase, over the time they took (the traffic estimate). */
export interface PhaseTraffic {
  units: number;
  elapsedMs: number;
}

/**
 * The guard options of a look in a phase at a traffic share: the phase's
 * min_units, and tuneUnits, the sample (units of the launch, excluded units not
 * counted) where the confidence sequences are tightest. That is the phase's
 * expected sample by its min_duration, projected from the units seen so far per
 * unit time (`seen`); never earlier than when the smaller arm reaches min_units
 * (min_units × (treatment + control) / smaller arm), which is also the tuning
 * when nothing better is known (fewer units seen than that, no time yet, no
 * min_duration).
 * Tuning moves only where the boundary is tightest, never its validity: the
 * chance of ever crossing stays α for every tuning fixed in advance, and the
 * projection is a function of arrivals alone (not of any KPI value), which settles
 * within the phase's first looks. Without a control arm (100%) the guards' own
 * one-arm default applies.
 */
export function guardOptionsFor(
  plan: Pick<Plan, 'control'>,
  phase: Pick<Phase, 'min_units'> & Partial<Pick<Phase, 'min_duration'>>,
  traffic: number,
  seen?: PhaseTraffic,
): LookGuardOptions {
  const minUnits = phase.min_units;
  const arms = armBuckets(bucketsOf(traffic), plan.control);
  const smaller = Math.min(arms.treatment, arms.control);
  if (!(smaller > 0 && minUnits > 0)) return { minUnits };
  const atMinimum = (minUnits * (arms.treatment + arms.control)) / smaller;
  // Project only from as many units as the floor itself: a handful seen in the first
  // seconds of a phase says little about its traffic.
  const projected =
    seen !== undefined && seen.units >= atMinimum ? expectedPhaseUnits(phase, seen) : 0;
  return { minUnits, tuneUnits: Math.max(atMinimum, projected) };
}

/** Units the phase's arms are expected to hold at its min_duration at the rate seen so far; 0 when unknown. */
export function expectedPhaseUnits(
  phase: Partial<Pick<Phase, 'min_duration'>>,
  seen: PhaseTraffic | undefined,
): number {
  const duration = phase.min_duration ?? 0;
  if (seen === undefined || !(duration > 0) || !(seen.elapsedMs > 0) || !(seen.units > 0)) return 0;
  const expected = (seen.units * duration) / seen.elapsedMs;
  return Number.isFinite(expected) ? expected : 0;
}
