/**
 * A KPI read as per-interval samples (ADR 0015: a Prometheus KPI), simulated as
 * the source presents it: the arms' per-unit draws are pooled over each `step`
 * of the phase (or of its current window), aligned to its start as query_range
 * aligns them, and each completed step becomes one sample per arm — a
 * (numerator, denominator) pair for a ratio, the interval's value for a mean or
 * a quantile. The guard then counts intervals, not units.
 */
import type { Kpi } from '../plan/index.js';
import type { ArmAggregates, KpiAggregate } from '../statistics/index.js';
import { DEFAULT_INTERVAL_STEP_MS, windowIndex } from '../statistics/index.js';
import type { ActiveEffect, KpiSampler } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';

/** The running state of one per-interval KPI. */
export interface IntervalState {
  stepMs: number;
  lookMs: number;
  ratio: boolean;
  /** The sampler's statistics of the interval in progress, per arm. */
  pendT: Float64Array;
  pendC: Float64Array;
  /** The treatment alone: what the source reads while the control arm has no interval. */
  treatmentOnly: ArmAggregates;
  /**
   * In a phase without a control arm: the treatment against the control of the
   * baseline phase (as the controller reads it again from the source); else null.
   */
  withBaseline: ArmAggregates | null;
}

/** Per-interval accumulators: intervals, Σv, Σv² (mean); intervals, Σy, Σx, Σy², Σx², Σxy (ratio). */
export function intervalWidth(kpi: Kpi): number {
  return kpi.kind === 'ratio' ? 6 : 3;
}

/** The state of a per-interval KPI whose looks are `lookMs` apart. */
export function createIntervalState(
  kpi: Kpi,
  sampler: KpiSampler,
  lookMs: number,
  treatment: KpiAggregate,
): IntervalState {
  return {
    stepMs: kpi.step ?? DEFAULT_INTERVAL_STEP_MS,
    lookMs,
    ratio: kpi.kind === 'ratio',
    pendT: new Float64Array(sampler.width),
    pendC: new Float64Array(sampler.width),
    treatmentOnly: { treatment },
    withBaseline: null,
  };
}

/** A fresh per-interval aggregate: a ratio of per-interval counts, or a mean of per-interval values. */
export function createIntervalAggregate(kpi: Kpi, sampler: KpiSampler): KpiAggregate {
  return kpi.kind === 'ratio'
    ? sampler.createAggregate()
    : { kind: 'mean', units: 0, sum: 0, sumSquares: 0 };
}

/** The slot's fields this file reads and updates. */
interface IntervalSlot {
  sampler: KpiSampler;
  interval: IntervalState | null;
  accT: Float64Array;
  accC: Float64Array;
  windowMs: number;
  window: number;
  incT: Float64Array;
  incC: Float64Array;
  aggregates: ArmAggregates & { control: KpiAggregate };
}

/**
 * Draw one look of a per-interval KPI: split the look's units over the pieces
 * the step boundaries cut it into, pool each arm's draws per interval, and turn
 * every interval that ends in this look into one sample.
 */
export function stepIntervalSlot(
  s: IntervalSlot,
  x0: number,
  x1: number,
  arriving: number,
  a: number,
  c: number,
  effect: ActiveEffect | null,
  rng: SeededRandom,
  phaseElapsedMs: number,
): void {
  const st = s.interval as IntervalState;
  const { stepMs, lookMs } = st;
  let t1 = phaseElapsedMs;
  if (s.windowMs > 0) {
    // Consecutive windows from the phase start, as the source reads them: steps restart with each.
    const k = windowIndex(phaseElapsedMs, s.windowMs);
    if (k !== s.window) {
      s.window = k;
      s.accT.fill(0);
      s.accC.fill(0);
      st.pendT.fill(0);
      st.pendC.fill(0);
    }
    t1 -= k * s.windowMs;
  }
  const t0 = t1 - lookMs;
  let u = Math.max(0, t0);
  if (t1 > u && (a > 0 || c > 0)) {
    s.sampler.load(x0, x1, arriving);
    // Units that arrived before the window started belong to the window left behind.
    if (u > t0) {
      const kept = (t1 - u) / lookMs;
      a = rng.binomial(a, kept);
      c = rng.binomial(c, kept);
    }
  }
  while (u < t1) {
    const boundary = (Math.floor(u / stepMs) + 1) * stepMs;
    const next = Math.min(t1, boundary);
    const frac = (next - u) / (t1 - u);
    const ap = frac >= 1 ? a : a > 0 ? rng.binomial(a, frac) : 0;
    const cp = frac >= 1 ? c : c > 0 ? rng.binomial(c, frac) : 0;
    a -= ap;
    c -= cp;
    if (ap > 0) pool(s, ap, effect, rng, s.incT, st.pendT);
    if (cp > 0) pool(s, cp, null, rng, s.incC, st.pendC);
    if (next === boundary) {
      closeInterval(s, st, st.pendT, s.accT, rng);
      closeInterval(s, st, st.pendC, s.accC, rng);
    }
    u = next;
  }
  writeInterval(s, st, s.accT, s.aggregates.treatment);
  writeInterval(s, st, s.accC, s.aggregates.control);
}

/**
 * The aggregates the guard reads this look: without control while it has no
 * interval, unless a baseline stands in for it.
 */
export function intervalEvidence(s: IntervalSlot): ArmAggregates {
  const st = s.interval as IntervalState;
  return (s.accC[0] as number) > 0 ? s.aggregates : (st.withBaseline ?? st.treatmentOnly);
}

/**
 * Entering a phase: `take` keeps the control intervals of the phase left as the
 * baseline (a copy: the accumulators restart), `none` drops any baseline.
 */
export function intervalBaseline(s: IntervalSlot, baseline: 'keep' | 'take' | 'none'): void {
  const st = s.interval as IntervalState;
  if (baseline === 'none') st.withBaseline = null;
  else if (baseline === 'take')
    st.withBaseline =
      (s.accC[0] as number) > 0
        ? { treatment: s.aggregates.treatment, control: { ...s.aggregates.control } }
        : null;
}

function pool(
  s: IntervalSlot,
  n: number,
  effect: ActiveEffect | null,
  rng: SeededRandom,
  inc: Float64Array,
  pend: Float64Array,
): void {
  s.sampler.draw(n, effect, rng, inc);
  for (let j = 0; j < pend.length; j++) pend[j] = (pend[j] as number) + (inc[j] as number);
}

/** One interval ends: its statistic joins the arm's samples (an empty interval is none, as live). */
function closeInterval(
  s: IntervalSlot,
  st: IntervalState,
  pend: Float64Array,
  acc: Float64Array,
  rng: SeededRandom,
): void {
  if (st.ratio) {
    const y = pend[1] as number;
    const x = pend[2] as number;
    if (x > 0) {
      acc[0] = (acc[0] as number) + 1;
      acc[1] = (acc[1] as number) + y;
      acc[2] = (acc[2] as number) + x;
      acc[3] = (acc[3] as number) + y * y;
      acc[4] = (acc[4] as number) + x * x;
      acc[5] = (acc[5] as number) + x * y;
    }
  } else {
    const v = s.sampler.intervalValue?.(pend, rng) ?? null;
    if (v !== null && Number.isFinite(v)) {
      acc[0] = (acc[0] as number) + 1;
      acc[1] = (acc[1] as number) + v;
      acc[2] = (acc[2] as number) + v * v;
    }
  }
  pend.fill(0);
}

function writeInterval(
  s: IntervalSlot,
  st: IntervalState,
  acc: Float64Array,
  agg: KpiAggregate,
): void {
  if (st.ratio) {
    s.sampler.write(acc, agg);
    return;
  }
  const m = agg as { units: number; sum: number; sumSquares: number };
  m.units = acc[0] as number;
  m.sum = acc[1] as number;
  m.sumSquares = acc[2] as number;
}
