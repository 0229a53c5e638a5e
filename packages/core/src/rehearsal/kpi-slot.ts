/**
 * One KPI's running statistics in a simulated launch: per arm, the sums since
 * the phase started (or over its trailing window, or every burn window), kept
 * in typed arrays allocated once and updated in place at every look.
 */
import type { Kpi } from '../plan/index.js';
import type { ArmAggregates, KpiAggregate } from '../statistics/index.js';
import { BurnSampler } from './burn-sampler.js';
import type { Effect } from './injection.js';
import type { ActiveEffect, KpiSampler } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';

/** A KPI's sampler with its accumulators and the aggregates the guards read. */
export interface KpiSlot {
  kpi: Kpi;
  sampler: KpiSampler;
  burn: BurnSampler | null;
  /** Accumulated statistics per arm: the phase (or its trailing window; burn: every window). */
  accT: Float64Array;
  accC: Float64Array;
  incT: Float64Array;
  incC: Float64Array;
  /** Last `ringLooks` increments per arm (windowed and burn KPIs), oldest overwritten. */
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
  const windowLooks = kpi.window === undefined ? 0 : Math.ceil(kpi.window / lookIntervalMs);
  const ringLooks = burn === null ? windowLooks : Math.max(1, ...burnLooks);
  const width = sampler.width;
  const accWidth = burn === null ? width : 2 * burnLooks.length;
  return {
    kpi,
    sampler,
    burn,
    accT: new Float64Array(accWidth),
    accC: new Float64Array(accWidth),
    incT: new Float64Array(width),
    incC: new Float64Array(width),
    ringLooks,
    ringT: ringLooks > 0 ? new Float64Array(ringLooks * width) : null,
    ringC: ringLooks > 0 ? new Float64Array(ringLooks * width) : null,
    burnLooks,
    aggregates: { treatment: sampler.createAggregate(), control: sampler.createAggregate() },
    effect,
    effectFrom: effect === null ? 0 : effectFrom,
    active: effect === null ? null : { size: effect.size, relative: effect.relative },
  };
}

/** Forget everything accumulated (a new launch, or a new phase). */
export function resetSlot(s: KpiSlot): void {
  s.accT.fill(0);
  s.accC.fill(0);
  s.ringT?.fill(0);
  s.ringC?.fill(0);
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
  phaseLook: number,
  launchLook: number,
): void {
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
  const w = sampler.width;
  if (s.ringT !== null && s.ringC !== null) {
    // A trailing window: add this look, drop the one that falls out of it.
    const slot = (phaseLook % s.ringLooks) * w;
    for (let j = 0; j < w; j++) {
      s.accT[j] = (s.accT[j] as number) + (incT[j] as number) - (s.ringT[slot + j] as number);
      s.accC[j] = (s.accC[j] as number) + (incC[j] as number) - (s.ringC[slot + j] as number);
      s.ringT[slot + j] = incT[j] as number;
      s.ringC[slot + j] = incC[j] as number;
    }
  } else {
    for (let j = 0; j < w; j++) {
      s.accT[j] = (s.accT[j] as number) + (incT[j] as number);
      s.accC[j] = (s.accC[j] as number) + (incC[j] as number);
    }
  }
  sampler.write(s.accT, s.aggregates.treatment);
  sampler.write(s.accC, s.aggregates.control);
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
