/** One sampler per KPI of a plan, in matrix order, over one history. */
import type { Plan } from '../plan/index.js';
import { BurnSampler } from './burn-sampler.js';
import type { History } from './history.js';
import type { Injection } from './injection.js';
import type { KpiSampler } from './kpi-sampler.js';
import { planKpis } from './live-evidence.js';
import { MomentSampler } from './moment-sampler.js';
import { QuantileSampler } from './quantile-sampler.js';
import { RatioSampler } from './ratio-sampler.js';
import { WindowLoads } from './window-sums.js';

/**
 * Build the samplers; `unitsPrefix` is the prefix sum of history.units. `listed`:
 * quantile sketches list their buckets (the reference path) instead of giving
 * the same counts as running counts. The samplers keep what they read of each
 * window in one shared table, a row per window (see WindowLoads).
 */
export function buildSamplers(
  plan: Plan,
  history: History,
  unitsPrefix: Float64Array,
  injections: readonly Injection[],
  listed = false,
): KpiSampler[] {
  const loads = new WindowLoads(history.length);
  return planKpis(plan).map((kpi) => {
    switch (kpi.kind) {
      case 'occurrence':
      case 'count':
      case 'mean':
        return new MomentSampler(kpi, history, unitsPrefix, loads);
      case 'ratio':
        return new RatioSampler(kpi, history, unitsPrefix, loads);
      case 'quantile': {
        // Relative injections move values by a factor: keep buckets for them.
        let shift = 0;
        for (const inj of injections)
          for (const e of inj.effects)
            if (e.kpi === kpi.name && e.relative)
              shift = Math.max(shift, Math.abs(Math.log1p(e.size)));
        return new QuantileSampler(kpi, history, unitsPrefix, shift, listed, loads);
      }
      case 'slo-burn':
        return new BurnSampler(kpi, history, loads);
    }
  });
}
