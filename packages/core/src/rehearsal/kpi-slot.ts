/**
 * One KPI's running statistics in a simulated launch: per arm, the sums since
 * the phase started (or since its current window started, or over every burn
 * window), kept in typed arrays allocated once and updated in place at every
 * look; and the control arm's sums over its whole phase, the baseline of a
 * later phase without a control arm.
 */
import type { Kpi } from '../plan/index.js';
import type { ArmAggregates, KpiAggregate } from '../statistics/index.js';
import { BurnSampler } from './burn-sampler.js';
import type { Effect } from './injection.js';
import type { ActiveEffect, KpiSampler } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';
import { readsPerInterval, windowIndex } from '../statistics/index.js';
import type { IntervalState } from './interval-slot.js';
import {
  createIntervalAggregate,
  createIntervalState,
  intervalBaseline,
  intervalWidth,
  stepIntervalSlot,
} from './interval-slot.js';

/** A KPI's sampler with its accumulators and the aggregates the guards read. */
export interface KpiSlot {
  kpi: Kpi;
  sampler: KpiSampler;
  burn: BurnSampler | null;
  /** A KPI read as per-interval samples (a Prometheus KPI other than a burn rate); else null. */
  interval: IntervalState | null;
  /**
   * One array holding, in order, incT, incC, accT, accC and phaseC (the fields
   * below are views of it): a look's draws and sums touch a few adjacent cache
   * lines rather than five arrays' headers and data apiece.
   */
  buf: Float64Array;
  /** The sampler's width (numbers per arm per look). */
  width: number;
  /** Accumulated statistics per arm: the phase (or its current window; burn: every window). */
  accT: Float64Array;
  accC: Float64Array;
  /** The control arm over the whole phase (non-burn KPIs): a later phase's baseline. */
  phaseC: Float64Array;
  /** The baseline's statistics while the phase has no control arm and one exists; else null. */
  baselineC: Float64Array | null;
  /** Whether the control aggregate holds the baseline already (it does not change until a reset). */
  baselineWritten: boolean;
  /** The KPI's window (ms; 0: none) and the index of the window the sums are in. */
  windowMs: number;
  window: number;
  incT: Float64Array;
  incC: Float64Array;
  /** Last `ringLooks` increments per arm (burn KPIs), oldest overwritten. */
  ringLooks: number;
  ringT: Float64Array | null;
  ringC: Float64Array | null;
  /** Burn windows in looks. */
  burnLooks: number[];
  aggregates: ArmAggregates & { control: KpiAggregate };
  effect: Effect | null;
  effectFrom: number;
  active: ActiveEffect | null;
}

/** A slot for one KPI; `effectFrom` is the index of the phase its effect starts in. */
export function createSlot(
  sampler: KpiSampler,
  lookIntervalMs: number,
  effect: Effect | null,
  effectFrom: number,
): KpiSlot {
  const kpi = sampler.kpi;
  const burn = sampler instanceof BurnSampler ? sampler : null;
  const burnLooks = burn === null ? [] : burn.windowsMs.map((ms) => Math.ceil(ms / lookIntervalMs));
  const ringLooks = burn === null ? 0 : Math.max(1, ...burnLooks);
  const width = sampler.width;
  const perInterval = burn === null && readsPerInterval(kpi);
  const accWidth = perInterval ? intervalWidth(kpi) : burn === null ? width : 2 * burnLooks.length;
  const aggregates = perInterval
    ? {
        treatment: createIntervalAggregate(kpi, sampler),
        control: createIntervalAggregate(kpi, sampler),
      }
    : { treatment: sampler.createAggregate(), control: sampler.createAggregate() };
  const buf = new Float64Array(2 * width + 3 * accWidth);
  const accAt = 2 * width;
  return {
    kpi,
    sampler,
    burn,
    interval: perInterval
      ? createIntervalState(kpi, sampler, lookIntervalMs, aggregates.treatment)
      : null,
    buf,
    width,
    accT: buf.subarray(accAt, accAt + accWidth),
    accC: buf.subarray(accAt + accWidth, accAt + 2 * accWidth),
    phaseC: buf.subarray(accAt + 2 * accWidth, accAt + 3 * accWidth),
    baselineC: null,
    baselineWritten: false,
    windowMs: burn === null ? (kpi.window ?? 0) : 0,
    window: 0,
    incT: buf.subarray(0, width),
    incC: buf.subarray(width, 2 * width),
    ringLooks,
    ringT: ringLooks > 0 ? new Float64Array(ringLooks * width) : null,
    ringC: ringLooks > 0 ? new Float64Array(ringLooks * width) : null,
    burnLooks,
    aggregates,
    effect,
    effectFrom: effect === null ? 0 : effectFrom,
    active: effect === null ? null : { size: effect.size, relative: effect.relative },
  };
}

/**
 * Forget everything accumulated (a new launch, or a new phase). `baseline`:
 * the new phase has no control arm, and the phase left had one, whose sums
 * become the baseline (kept while later phases have no control arm either).
 */
export function resetSlot(s: KpiSlot, baseline: 'keep' | 'take' | 'none' = 'none'): void {
  if (s.interval !== null) intervalBaseline(s, baseline);
  if (baseline === 'take') {
    s.baselineC ??= new Float64Array(s.phaseC.length);
    s.baselineC.set(s.phaseC);
  } else if (baseline === 'none') s.baselineC = null;
  s.baselineWritten = false;
  s.accT.fill(0);
  s.accC.fill(0);
  s.phaseC.fill(0);
  s.ringT?.fill(0);
  s.ringC?.fill(0);
  s.interval?.pendT.fill(0);
  s.interval?.pendC.fill(0);
  s.window = 0;
}

/** Draw one KPI's arms for this look and fold them into its accumulators. */
export function stepSlot(
  s: KpiSlot,
  x0: number,
  x1: number,
  arriving: number,
  a: number,
  c: number,
  effect: ActiveEffect | null,
  rng: SeededRandom,
  launchLook: number,
  phaseElapsedMs: number,
): void {
  if (s.interval !== null) {
    stepIntervalSlot(s, x0, x1, arriving, a, c, effect, rng, phaseElapsedMs);
    return;
  }
  const { sampler, incT, incC } = s;
  if (a > 0 || c > 0) {
    sampler.load(x0, x1, arriving);
    sampler.draw(a, effect, rng, incT);
    sampler.draw(c, null, rng, incC);
  } else {
    incT.fill(0);
    incC.fill(0);
  }
  if (s.burn !== null) {
    stepBurn(s, launchLook);
    return;
  }
  const w = s.width;
  if (s.windowMs > 0) {
    // Consecutive windows, as the controller reads them: a new window starts from nothing.
    const k = windowIndex(phaseElapsedMs, s.windowMs);
    if (k !== s.window) {
      s.window = k;
      s.accT.fill(0);
      s.accC.fill(0);
    }
  }
  // buf: incT, incC, accT, accC, phaseC, each w long (not a burn KPI: accumulators are w wide).
  const buf = s.buf;
  for (let j = 0; j < w; j++) {
    const inT = buf[j] as number;
    const inC = buf[w + j] as number;
    buf[2 * w + j] = (buf[2 * w + j] as number) + inT;
    buf[3 * w + j] = (buf[3 * w + j] as number) + inC;
    buf[4 * w + j] = (buf[4 * w + j] as number) + inC;
  }
  sampler.write(s.accT, s.aggregates.treatment);
  if (s.baselineC === null) sampler.write(s.accC, s.aggregates.control);
  else if (!s.baselineWritten) {
    // A fixed baseline is written once, not at every look (a quantile's costs a search).
    sampler.write(s.baselineC, s.aggregates.control);
    s.baselineWritten = true;
  }
}

/** Burn windows run over the whole launch: each keeps the sum of its last L looks. */
function stepBurn(s: KpiSlot, look: number): void {
  const ringT = s.ringT as Float64Array;
  const ringC = s.ringC as Float64Array;
  for (let j = 0; j < s.burnLooks.length; j++) {
    const len = s.burnLooks[j] as number;
    const leaving = look - len;
    let outT0 = 0;
    let outT1 = 0;
    let outC0 = 0;
    let outC1 = 0;
    if (leaving >= 0) {
      const at = (leaving % s.ringLooks) * 2;
      outT0 = ringT[at] as number;
      outT1 = ringT[at + 1] as number;
      outC0 = ringC[at] as number;
      outC1 = ringC[at + 1] as number;
    }
    s.accT[2 * j] = (s.accT[2 * j] as number) + (s.incT[0] as number) - outT0;
    s.accT[2 * j + 1] = (s.accT[2 * j + 1] as number) + (s.incT[1] as number) - outT1;
    s.accC[2 * j] = (s.accC[2 * j] as number) + (s.incC[0] as number) - outC0;
    s.accC[2 * j + 1] = (s.accC[2 * j + 1] as number) + (s.incC[1] as number) - outC1;
  }
  const at = (look % s.ringLooks) * 2;
  ringT[at] = s.incT[0] as number;
  ringT[at + 1] = s.incT[1] as number;
  ringC[at] = s.incC[0] as number;
  ringC[at + 1] = s.incC[1] as number;
  s.sampler.write(s.accT, s.aggregates.treatment);
  s.sampler.write(s.accC, s.aggregates.control);
}
