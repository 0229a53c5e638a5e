/**
 * slo-burn KPIs: bad and total events. An arm of n of the window's units gets
 * its share of the window's events (binomial) and each event is bad with the
 * window's bad fraction (binomial; an effect moves that fraction). The trailing
 * windows the guard reads are summed by the simulator across phases, as the
 * store counts them over the whole launch.
 */
import type { Kpi } from '../plan/index.js';
import type { BurnWindowCounts, KpiAggregate } from '../statistics/index.js';
import type { History } from './history.js';
import { historyColumn } from './history.js';
import type { ActiveEffect, KpiBaselineStats, KpiSampler } from './kpi-sampler.js';
import { nonNegative, shiftMean } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';
import { WindowLoads, prefixSums, windowTotal } from './window-sums.js';

/** Sampler of an slo-burn KPI. */
export class BurnSampler implements KpiSampler {
  readonly width = 2;
  private readonly n: number;
  private readonly pb: Float64Array;
  private readonly pt: Float64Array;
  private total = 0;
  private badShare = 0;
  private units = 0;
  /** The guard's window lengths (ms), ascending and distinct, as the store reports them. */
  readonly windowsMs: number[];
  /** Where this sampler's total and bad share sit in a row of `loads`. */
  private readonly field: number;

  constructor(
    readonly kpi: Kpi,
    history: History,
    /** Windows read so far (shared by a plan's samplers, see buildSamplers). */
    private readonly loads = new WindowLoads(history.length),
  ) {
    this.n = history.length;
    this.field = loads.reserve(2);
    this.pb = prefixSums(historyColumn(history, `${kpi.name}.bad`));
    this.pt = prefixSums(historyColumn(history, `${kpi.name}.total`));
    const lengths = new Set<number>();
    for (const w of kpi.guard.burn_rate?.windows ?? []) {
      lengths.add(w.long);
      lengths.add(w.short);
    }
    this.windowsMs = [...lengths].sort((a, b) => a - b);
  }

  load(x0: number, x1: number, units: number): void {
    this.units = units;
    const found = this.loads.find(x0, x1, units, this.field);
    if (found >= 0) {
      const kept = this.loads.numbers();
      this.total = kept[found] as number;
      this.badShare = kept[found + 1] as number;
      return;
    }
    this.total = Math.round(windowTotal(this.pt, this.n, x0, x1));
    const bad = windowTotal(this.pb, this.n, x0, x1);
    this.badShare = this.total > 0 ? Math.min(1, bad / this.total) : 0;
    const at = this.loads.keep(x0, x1, units, this.field);
    if (at >= 0) {
      const kept = this.loads.numbers();
      kept[at] = this.total;
      kept[at + 1] = this.badShare;
    }
  }

  draw(n: number, effect: ActiveEffect | null, rng: SeededRandom, out: Float64Array): void {
    if (n === 0 || this.total === 0 || this.units === 0) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const total = rng.binomial(this.total, Math.min(1, n / this.units));
    const p = Math.min(1, nonNegative(shiftMean(this.badShare, effect)));
    out[0] = rng.binomial(total, p);
    out[1] = total;
  }

  createAggregate(): KpiAggregate {
    return {
      kind: 'slo-burn',
      windows: this.windowsMs.map((windowMs) => ({ windowMs, bad: 0, total: 0 })),
    };
  }

  /** `acc` holds [bad, total] per window, in windowsMs order. */
  write(acc: Float64Array, agg: KpiAggregate): void {
    const windows = (agg as { windows: BurnWindowCounts[] }).windows;
    for (let j = 0; j < windows.length; j++) {
      const w = windows[j] as BurnWindowCounts;
      w.total = Math.round(nonNegative(acc[2 * j + 1] as number));
      w.bad = Math.min(w.total, Math.round(nonNegative(acc[2 * j] as number)));
    }
  }

  baseline(): KpiBaselineStats {
    const t = this.pt[this.n] as number;
    return {
      value: t > 0 ? (this.pb[this.n] as number) / t : 0,
      variance: null,
      logSd: null,
      unitShare: 1,
    };
  }
}
