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

/**
 * Build the samplers; `unitsPrefix` is the prefix sum of history.units. `listed`:
 * quantile sketches list their buckets (the reference path) instead of giving
 * the same counts as running counts.
 */
export function buildSamplers(
  plan: Plan,
  history: History,
  unitsPrefix: Float64Array,
  injections: readonly Injection[],
  listed = false,
): KpiSampler[] {
  return planKpis(plan).map((kpi) => {
    switch (kpi.kind) {
      case 'occurrence':
      case 'count':
      case 'mean':
        return new MomentSampler(kpi, history, unitsPrefix);
      case 'ratio':
        return new RatioSampler(kpi, history, unitsPrefix);
      case 'quantile': {
        // Relative injections move values by a factor: keep buckets for them.
        let shift = 0;
        for (const inj of injections)
          for (const e of inj.effects)
            if (e.kpi === kpi.name && e.relative)
              shift = Math.max(shift, Math.abs(Math.log1p(e.size)));
        return new QuantileSampler(kpi, history, unitsPrefix, shift, listed);
      }
      case 'slo-burn':
        return new BurnSampler(kpi, history);
    }
  });
}
