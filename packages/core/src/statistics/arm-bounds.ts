/**
 * Anytime-valid intervals of one estimate or one arm, shared by the comparisons
 * and hard limits of mean-type KPIs (mean-guard.ts): half-widths from the
 * mixture multipliers, one arm's bounds (with Wilson's for rare events), and a
 * change's interval against a fixed baseline. Bounds are written into the
 * caller's Float64Array: no pair is built at every look.
 */
import type { KpiKind } from '../plan/index.js';
import type { ArmEstimate } from './arm-estimate.js';
import { sequenceMultiplier } from './guard-verdict.js';
import type { RuleSettings } from './guard-verdict.js';
import { defaultTuneUnits } from './guard-verdict.js';
import { mixtureRho2, twoSidedMixtureMultiplier } from './mixture-boundary.js';
import { wilsonBoundsInto } from './occurrence-bounds.js';

/**
 * Half-width of the anytime-valid interval of an estimate with variance V over a
 * sequence of t samples: one-sided confidence sequence, or the inverted mSPRT with
 * mixing variance τ² (the margin² when there is one, else matched to the sequence's
 * tuning: τ = ρ·σ with σ² = t·V the per-sample variance).
 */
export function halfWidth(
  variance: number,
  t: number,
  alpha: number,
  settings: RuleSettings,
  tuneUnits: number,
  tau2?: number,
): number {
  if (variance === 0) return 0;
  if (settings.method === 'msprt') {
    const mixing = tau2 ?? mixtureRho2(alpha, tuneUnits) * t * variance;
    return twoSidedMixtureMultiplier(mixing / variance, alpha) * Math.sqrt(variance);
  }
  return sequenceMultiplier(t, alpha, tuneUnits) * Math.sqrt(variance);
}

/** The interval's multiplier of the standard error for one arm of t samples (no margin-based mixing). */
function oneArmMultiplier(t: number, alpha: number, settings: RuleSettings, tune: number): number {
  if (settings.method === 'msprt')
    return twoSidedMixtureMultiplier(mixtureRho2(alpha, tune) * t, alpha);
  return sequenceMultiplier(t, alpha, tune);
}

/**
 * One arm's anytime-valid bounds at `alpha` per side: value ± z·SE, and for
 * occurrence the hull of that and Wilson's score bounds, within [0, 1]. With
 * rare events the binomial's lower tail is lighter than the normal's and its
 * upper tail heavier: Wilson's variance (at the bound) keeps the lower bound
 * honest when the count is low, the observed one the upper bound when it is high.
 * Written to out[at] (lower) and out[at + 1] (upper): no pair is built at every look.
 */
export function armBoundsInto(
  a: ArmEstimate,
  alpha: number,
  settings: RuleSettings,
  tune: number,
  kind: KpiKind | undefined,
  out: Float64Array,
  at: number,
): void {
  const z = oneArmMultiplier(a.units, alpha, settings, tune);
  const r = a.variance === 0 ? 0 : z * Math.sqrt(a.variance);
  if (kind !== 'occurrence') {
    out[at] = a.value - r;
    out[at + 1] = a.value + r;
    return;
  }
  wilsonBoundsInto(a.value * a.units, a.units, z, out, at);
  out[at] = Math.max(0, Math.min(out[at] as number, a.value - r));
  out[at + 1] = Math.min(1, Math.max(out[at + 1] as number, a.value + r));
}

/**
 * The change's interval against a fixed baseline, written to out[0] and out[1]:
 * each arm's one-sided bounds at α/2 (the treatment's sequence tuned as one arm,
 * the baseline's bounds valid at whatever time its phase ended), combined: a
 * false breach needs one of the two to be wrong.
 */
export function baselineInterval(
  t: ArmEstimate,
  c: ArmEstimate,
  relative: boolean,
  settings: RuleSettings,
  kind: KpiKind | undefined,
  out: Float64Array,
): void {
  const tune = settings.tuneUnits ?? defaultTuneUnits(settings.minUnits, 1);
  armBoundsInto(t, settings.alpha / 2, settings, tune, kind, out, 0);
  baselineBoundsInto(c, settings.alpha / 2, settings, tune, kind, out);
  const tLo = out[0] as number;
  const tHi = out[1] as number;
  const cLo = out[2] as number;
  const cHi = out[3] as number;
  if (!relative) {
    out[0] = tLo - cHi;
    out[1] = tHi - cLo;
  } else {
    out[0] = cHi > 0 ? tLo / cHi - 1 : -Infinity;
    out[1] = cLo > 0 ? tHi / cLo - 1 : Infinity;
  }
}

// The baseline arms' bounds last asked, by every number they depend on: a fixed
// baseline (an earlier phase's control) asks the same at every look of a phase at
// 100%, and its multiplier would fall out of the multiplier's short memory between
// looks. A pure function's results, so remembering them changes no answer.
const KEPT = 8;
const KEY = 6;
const keptKeys = new Float64Array(KEPT * KEY).fill(Number.NaN);
const keptBounds = new Float64Array(KEPT * 2);
let keptNext = 0;

/** armBoundsInto of a baseline arm, written to out[2] and out[3], remembered. */
function baselineBoundsInto(
  c: ArmEstimate,
  alpha: number,
  settings: RuleSettings,
  tune: number,
  kind: KpiKind | undefined,
  out: Float64Array,
): void {
  const flags = (settings.method === 'msprt' ? 2 : 0) + (kind === 'occurrence' ? 1 : 0);
  // A zero could be −0, which === does not tell apart: such arms are not remembered.
  const keep = c.value !== 0 && c.variance !== 0;
  if (keep)
    for (let i = 0; i < KEPT; i++) {
      const k = i * KEY;
      if (
        keptKeys[k] === c.value &&
        keptKeys[k + 1] === c.variance &&
        keptKeys[k + 2] === c.units &&
        keptKeys[k + 3] === alpha &&
        keptKeys[k + 4] === tune &&
        keptKeys[k + 5] === flags
      ) {
        out[2] = keptBounds[2 * i] as number;
        out[3] = keptBounds[2 * i + 1] as number;
        return;
      }
    }
  armBoundsInto(c, alpha, settings, tune, kind, out, 2);
  if (!keep) return;
  const k = keptNext * KEY;
  keptKeys[k] = c.value;
  keptKeys[k + 1] = c.variance;
  keptKeys[k + 2] = c.units;
  keptKeys[k + 3] = alpha;
  keptKeys[k + 4] = tune;
  keptKeys[k + 5] = flags;
  keptBounds[2 * keptNext] = out[2] as number;
  keptBounds[2 * keptNext + 1] = out[3] as number;
  keptNext = (keptNext + 1) % KEPT;
}
