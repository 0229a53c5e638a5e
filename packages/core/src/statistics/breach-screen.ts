/**
 * Whether any guard can breach at a look, for a caller that only needs to know
 * that (the rehearsal's looks before a phase's minimum duration, where a breach
 * is all decide() can act on). Where a rule allows a cheap proof, no interval is
 * computed; every other guard is judged exactly, on the verdict-only path.
 */
import type { Plan } from '../plan/index.js';
import { differenceInto } from './arm-estimate.js';
import type { ArmEstimate, Difference } from './arm-estimate.js';
import { quietResultAt, startQuietLook } from './evaluate-guards.js';
import type { GuardsOptions } from './evaluate-guards.js';
import { MIN_UNITS_FOR_VERDICT } from './guard-verdict.js';
import type { ArmAggregates } from './kpi-aggregate.js';
import { quantilesCannotBreach } from './quantile-guard.js';
import { meanEstimateInto } from './quiet-guards.js';
import type { GuardScratch, QuietKpi } from './quiet-guards.js';

// One KPI at a time, read before the next.
const T: ArmEstimate = { value: 0, variance: 0, units: 0 };
const C: ArmEstimate = { value: 0, variance: 0, units: 0 };
const DIFF: Difference = { value: 0, variance: 0 };

/**
 * True exactly when evaluateGuards gives no breach on `data` with `options`
 * (quantile sketches of running counts must keep their contract: whole,
 * non-decreasing counts); false when a guard breaches. A false answer says
 * nothing more: call evaluateGuards for the verdicts. Results of the guards it
 * judged in full are left in `scratch`, the others keep an earlier look's.
 */
export function noGuardBreaches(
  plan: Plan,
  data: Record<string, ArmAggregates>,
  options: GuardsOptions,
  scratch: GuardScratch,
): boolean {
  const matrix = startQuietLook(plan, data, options, scratch);
  const screen = scratch.checked && options.baseline === undefined;
  for (let i = 0; i < matrix.length; i++) {
    const q = matrix[i] as QuietKpi;
    if (
      screen &&
      (meansCannotBreach(q, scratch.arms[i]) || quantileCannotBreach(q, scratch.arms[i]))
    )
      continue;
    if (quietResultAt(matrix, i, scratch).verdict === 'breach') return false;
  }
  return true;
}

/**
 * A comparison of means with no hard limit and a concurrent control breaches
 * only when its interval's bound on the bad side passes the margin (judgeMeans),
 * and that interval is the point difference ± a half-width of 0 or more (the
 * clamp at −100% only raises a lower bound to −1, on the good side of any margin,
 * which is never negative). So when
 * the point difference is on the good side of the margin, or an arm has fewer
 * units than any verdict needs, it cannot breach. The estimates and difference
 * are quietMeanGuard's own functions: the same doubles. False: not proven.
 */
function meansCannotBreach(q: QuietKpi, arms: ArmAggregates | undefined): boolean {
  const kind = q.mean;
  const compare = q.compare;
  if (kind === null || compare === undefined || q.groups !== 1) return false;
  if (typeof arms !== 'object' || arms === null) return false;
  const t = arms.treatment;
  const c = arms.control;
  if (t === undefined || t === null || c === undefined || c === null) return false;
  try {
    if (!meanEstimateInto(kind, t, T) || !meanEstimateInto(kind, c, C)) return false;
    if (Math.min(T.units, C.units) < MIN_UNITS_FOR_VERDICT) return true;
    if (!differenceInto(T, C, compare.relative, DIFF)) return false;
  } catch {
    return false;
  }
  const harm = compare.bad === 'increase' ? DIFF.value : -DIFF.value;
  return harm <= compare.margin;
}

/** A quantile comparison with no hard limit: quantilesCannotBreach on its arms' sketches. */
function quantileCannotBreach(q: QuietKpi, arms: ArmAggregates | undefined): boolean {
  const compare = q.compare;
  if (q.kpi.kind !== 'quantile' || compare === undefined || q.groups !== 1) return false;
  if (typeof arms !== 'object' || arms === null) return false;
  const t = arms.treatment;
  const c = arms.control;
  if (t?.kind !== 'quantile' || c?.kind !== 'quantile') return false;
  if (typeof t.sketch !== 'object' || t.sketch === null) return false;
  if (typeof c.sketch !== 'object' || c.sketch === null) return false;
  try {
    return quantilesCannotBreach(compare, q.kpi.q, t.sketch, c.sketch);
  } catch {
    return false;
  }
}
