/**
 * What each phase can detect, from the statistics engine's own MDE and
 * required-duration functions, fed with the history's traffic and variance.
 */
import type { Kpi, Phase, Plan } from '../plan/index.js';
import { formatDuration } from '../plan/index.js';
import type { DetectableEffectInput, RequiredDurationInput } from '../statistics/index.js';
import {
  DEFAULT_INTERVAL_STEP_MS,
  MIN_INTERVAL_SAMPLES,
  falseAlarmSplit,
  minimumDetectableEffect,
  normalQuantile,
  readsPerInterval,
  requiredDuration,
} from '../statistics/index.js';
import type { KpiSampler } from './kpi-sampler.js';
import { controlShare, guardOptionsFor, planKpis, plannedSplit } from './live-evidence.js';
import type { PhaseDetectableEffects } from './rehearsal-report.js';
import { roundSignificant } from './summary-stats.js';

/** Shares a phase could move to, for "or 5% for 2h". */
const TRAFFIC_LADDER = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5];

/** What the MDE computations share for one plan and history. */
export interface DetectionContext {
  plan: Plan;
  samplers: readonly KpiSampler[];
  /** Mean new units per minute over the history. */
  unitsPerMinute: number;
  /** Per phase index, the share of units matching its audience. */
  audience: readonly number[];
}

/** A KPI's share of the budget in one phase, as the guards get it (see falseAlarmSplit). */
function alphaOf(plan: Plan): number {
  return falseAlarmSplit(plan).guard;
}

/** The engine's MDE input for one KPI at a traffic share, before the sample size; or why there is none. */
function baseInput(
  ctx: DetectionContext,
  kpiIndex: number,
  phase: Phase,
  traffic: number,
):
  | { input: Omit<DetectableEffectInput, 'unitsPerArm'>; perMinute: number; stepMs?: number }
  | { note: string } {
  const sampler = ctx.samplers[kpiIndex] as KpiSampler;
  const kpi = sampler.kpi;
  const compare = kpi.guard.compare;
  if (kpi.kind === 'slo-burn')
    return { note: 'burn rate: judged on the treatment arm alone, no comparison with control' };
  if (compare === undefined) return { note: 'hard limit only: no comparison with control' };
  const cs = controlShare(ctx.plan, traffic);
  if (!(cs > 0)) return { note: 'no control arm at 100%: judged in earlier phases' };
  const b = sampler.baseline();
  const phaseIndex = ctx.plan.phases.indexOf(phase);
  const audience = ctx.audience[phaseIndex] ?? 1;
  const input: Omit<DetectableEffectInput, 'unitsPerArm'> = {
    kind: kpi.kind,
    controlRatio: cs / traffic,
    baselineMean: b.value,
    alpha: alphaOf(ctx.plan),
    relative: compare.relative,
    margin: compare.margin,
    method: ctx.plan.analysis.method,
    minUnits: phase.min_units,
  };
  // Tuned as the live guards will be: to the phase's expected sample at this traffic
  // (what they will have seen by the phase's min_duration).
  const split = plannedSplit(ctx.plan, traffic);
  const tuneUnits = guardOptionsFor(ctx.plan, phase, traffic, {
    units:
      (ctx.unitsPerMinute * audience * (split.treatment + split.control) * phase.min_duration) /
      60_000,
    elapsedMs: phase.min_duration,
  }).tuneUnits;
  if (tuneUnits !== undefined) input.tuneUnits = tuneUnits;
  if (b.variance !== null) input.baselineVariance = b.variance;
  if (kpi.kind === 'quantile') input.quantile = { q: kpi.q ?? 0.5, logSd: b.logSd ?? 0 };
  const perMinute = ctx.unitsPerMinute * audience * traffic * b.unitShare;
  if (readsPerInterval(kpi)) return perIntervalInput(kpi, input, perMinute, cs / traffic);
  return { input, perMinute };
}

/**
 * The same KPI read as per-interval samples (ADR 0015): its samples are the
 * phase's steps, the same number in both arms, each the statistic of the units
 * that arrived in it, so its variance is the per-unit variance over the units of
 * a step (a quantile: the interval quantile's sampling variance), averaged over
 * the arms; a quantile is judged as the mean of its intervals' quantiles.
 */
function perIntervalInput(
  kpi: Kpi,
  unitInput: Omit<DetectableEffectInput, 'unitsPerArm'>,
  perMinute: number,
  controlRatio: number,
): { input: Omit<DetectableEffectInput, 'unitsPerArm'>; perMinute: number; stepMs: number } {
  const stepMs = kpi.step ?? DEFAULT_INTERVAL_STEP_MS;
  const perStep = (perMinute * stepMs) / 60_000;
  // Var(difference of two interval means) = V·(1/m_t + 1/m_c) = 2·V_step with equal counts.
  const spread = perStep > 0 ? (1 + 1 / controlRatio) / (2 * perStep) : Infinity;
  let variance = (unitInput.baselineVariance ?? 0) * spread;
  const { tuneUnits: _tuned, quantile, ...rest } = unitInput;
  const input: Omit<DetectableEffectInput, 'unitsPerArm'> = {
    ...rest,
    controlRatio: 1,
    minUnits: MIN_INTERVAL_SAMPLES,
  };
  if (kpi.kind !== 'ratio') input.kind = 'mean';
  if (quantile !== undefined) {
    const z = normalQuantile(quantile.q);
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const c = Math.sqrt(quantile.q * (1 - quantile.q)) / density;
    const sd = unitInput.baselineMean * quantile.logSd * c;
    variance = sd * sd * spread;
  }
  input.baselineVariance = variance;
  return { input, perMinute: 60_000 / stepMs, stepMs };
}

/** MDE of one KPI in one phase at a traffic share over a duration; a harm magnitude, or Infinity. */
function mdeAt(
  ctx: DetectionContext,
  kpiIndex: number,
  phase: Phase,
  traffic: number,
  ms: number,
  margin?: number,
): { mde: number; note?: undefined } | { note: string; mde?: undefined } {
  const base = baseInput(ctx, kpiIndex, phase, traffic);
  if ('note' in base) return { note: base.note };
  // A KPI with a window is judged on its last `window` of data only.
  const window = ctx.samplers[kpiIndex]?.kpi.window;
  const span = window === undefined ? ms : Math.min(ms, window);
  // Per-interval KPIs count completed steps.
  const units =
    base.stepMs === undefined ? (base.perMinute * span) / 60_000 : Math.floor(span / base.stepMs);
  if (!(units > 0)) return { mde: Infinity };
  try {
    const input = { ...base.input, unitsPerArm: units };
    if (margin !== undefined) input.margin = margin;
    return { mde: minimumDetectableEffect(input) };
  } catch (e) {
    return { note: e instanceof Error ? e.message : String(e) };
  }
}

/** The engine's required duration, Infinity where it has no answer. */
function durationFor(input: RequiredDurationInput): number {
  try {
    return requiredDuration(input);
  } catch {
    return Infinity;
  }
}

/** A duration of data a windowed KPI can never hold (longer than its window) is never reached. */
function withinWindow(ctx: DetectionContext, kpiIndex: number, durationMs: number): number {
  const window = ctx.samplers[kpiIndex]?.kpi.window;
  return window !== undefined && durationMs > window ? Infinity : durationMs;
}

/** The smallest share on the ladder above `from` for which `fits` holds, or null. */
function trafficFor(from: number, fits: (share: number) => boolean): number | null {
  for (const share of TRAFFIC_LADDER) if (share > from && fits(share)) return share;
  return null;
}

/**
 * What a phase needs for a KPI's comparison to pass with 80% chance when nothing
 * is wrong. A pass needs the interval's bad end inside the margin, D̂ + z·SE ≤
 * margin; with no true change that is the engine's detection condition with the
 * margin as the effect and a margin of 0, so its requiredDuration answers it.
 * Null when the KPI has no comparison to pass (or no control arm).
 */
export function phaseNeedsToPass(
  ctx: DetectionContext,
  kpiIndex: number,
  phaseIndex: number,
): { durationMs: number; traffic: number | null } | null {
  const phase = ctx.plan.phases[phaseIndex];
  const compare = ctx.samplers[kpiIndex]?.kpi.guard.compare;
  if (phase === undefined || compare === undefined) return null;
  const base = baseInput(ctx, kpiIndex, phase, phase.traffic);
  if ('note' in base) return null;
  if (!(compare.margin > 0)) return { durationMs: Infinity, traffic: null };
  const durationMs = withinWindow(
    ctx,
    kpiIndex,
    durationFor({
      ...base.input,
      margin: 0,
      effect: compare.margin,
      unitsPerMinutePerArm: base.perMinute,
    }),
  );
  const traffic = trafficFor(phase.traffic, (share) => {
    const m = mdeAt(ctx, kpiIndex, phase, share, phase.min_duration, 0);
    return m.mde !== undefined && m.mde <= compare.margin;
  });
  return { durationMs, traffic };
}

/** Per phase and KPI: the harm each guard catches with 80% power by the end of the minimum duration. */
export function detectableEffects(ctx: DetectionContext): PhaseDetectableEffects[] {
  const kpis = planKpis(ctx.plan);
  return ctx.plan.phases.map((phase) => {
    const perMinute = ctx.unitsPerMinute * (ctx.audience[ctx.plan.phases.indexOf(phase)] ?? 1);
    return {
      phase: phase.name,
      traffic: phase.traffic,
      minDurationMs: phase.min_duration,
      unitsPerArm: Math.round((perMinute * phase.traffic * phase.min_duration) / 60_000),
      kpis: kpis.map((kpi, i) => {
        const relative = kpi.guard.compare?.relative ?? false;
        const r = mdeAt(ctx, i, phase, phase.traffic, phase.min_duration);
        if (r.mde === undefined) return { kpi: kpi.name, mde: null, relative, note: r.note };
        if (!Number.isFinite(r.mde))
          return {
            kpi: kpi.name,
            mde: null,
            relative,
            note: readsPerInterval(kpi)
              ? `too few steps in ${phase.name}'s minimum duration for any verdict (one sample per ${formatDuration(kpi.step ?? DEFAULT_INTERVAL_STEP_MS)} step)`
              : `too few units in ${phase.name}'s minimum duration for any verdict`,
          };
        const sign = kpi.guard.compare?.bad === 'decrease' ? -1 : 1;
        return { kpi: kpi.name, mde: roundSignificant(sign * r.mde), relative, note: null };
      }),
    };
  });
}

/** What a phase would need to catch a harm: more time at its traffic, or more traffic in its time. */
export interface PhaseNeeds {
  /** The MDE at the phase's traffic and minimum duration, signed in the bad direction, in the guard's scale. */
  mde: number;
  /** Whether the guard's scale (and so `mde`) is relative. */
  relative: boolean;
  /** Time at the phase's traffic to catch it with 80% power (Infinity: never). */
  durationMs: number;
  /** The smallest share on the ladder that catches it within the minimum duration, or null. */
  traffic: number | null;
}

/**
 * For an injected change of a KPI (its own scale), what phase `phaseIndex` would
 * need; null when the guard cannot be sized (no comparison, no control) or the
 * change is not a harm beyond the margin.
 */
export function phaseNeeds(
  ctx: DetectionContext,
  kpiIndex: number,
  phaseIndex: number,
  change: { size: number; relative: boolean },
): PhaseNeeds | null {
  const phase = ctx.plan.phases[phaseIndex];
  const sampler = ctx.samplers[kpiIndex];
  if (phase === undefined || sampler === undefined) return null;
  const kpi: Kpi = sampler.kpi;
  const compare = kpi.guard.compare;
  if (compare === undefined) return null;
  const value = sampler.baseline().value;
  // Bring the change into the guard's scale, then into the harm direction.
  let size = change.size;
  if (change.relative && !compare.relative) size *= value;
  if (!change.relative && compare.relative) size = value !== 0 ? size / value : NaN;
  const harm = compare.bad === 'increase' ? size : -size;
  if (!(harm > compare.margin)) return null;
  const at = mdeAt(ctx, kpiIndex, phase, phase.traffic, phase.min_duration);
  if (at.mde === undefined) return null;
  const base = baseInput(ctx, kpiIndex, phase, phase.traffic);
  if ('note' in base) return null;
  const durationMs = withinWindow(
    ctx,
    kpiIndex,
    durationFor({
      ...base.input,
      effect: harm,
      unitsPerMinutePerArm: base.perMinute,
    }),
  );
  const traffic = trafficFor(phase.traffic, (share) => {
    const m = mdeAt(ctx, kpiIndex, phase, share, phase.min_duration);
    return m.mde !== undefined && m.mde <= harm;
  });
  const sign = compare.bad === 'increase' ? 1 : -1;
  return { mde: sign * (at.mde ?? Infinity), relative: compare.relative, durationMs, traffic };
}
