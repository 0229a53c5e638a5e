/**
 * occurrence, count and mean KPIs: per-unit values with a mean and a variance
 * per window. An arm of n units gets Σx ~ N(n·μ, n·σ²) (occurrence: an exact
 * binomial draw), and Σx² set so that the arm's sample variance is σ²: the
 * variance estimate's own noise is of a smaller order and is left out.
 */
import type { Kpi } from '../plan/index.js';
import type { KpiAggregate } from '../statistics/index.js';
import type { History } from './history.js';
import { historyColumn } from './history.js';
import type { ActiveEffect, KpiBaselineStats, KpiSampler } from './kpi-sampler.js';
import { nonNegative, shiftMean, shiftVariance } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';
import { WindowLoads, prefixSums, windowTotal } from './window-sums.js';

/** Sampler of an occurrence, count or mean KPI. */
export class MomentSampler implements KpiSampler {
  readonly width = 3;
  private readonly kind: 'occurrence' | 'count' | 'mean';
  private readonly n: number;
  /** Units with a value (mean), or every unit. */
  private readonly pn: Float64Array;
  private readonly ps: Float64Array;
  private readonly pq: Float64Array;
  private mean = 0;
  private variance = 0;
  /** Share of the window's units with a value (mean KPIs). */
  private share = 1;
  /** Where this sampler's mean, variance and share sit in a row of `loads`. */
  private readonly field: number;

  constructor(
    readonly kpi: Kpi,
    history: History,
    private readonly unitsPrefix: Float64Array,
    /** Windows read so far (shared by a plan's samplers, see buildSamplers). */
    private readonly loads = new WindowLoads(history.length),
  ) {
    this.kind = kpi.kind as 'occurrence' | 'count' | 'mean';
    this.n = history.length;
    this.field = loads.reserve(3);
    const k = kpi.name;
    this.pn = this.kind === 'mean' ? prefixSums(historyColumn(history, `${k}.units`)) : unitsPrefix;
    if (this.kind === 'occurrence') {
      this.ps = prefixSums(historyColumn(history, `${k}.occurred`));
      this.pq = this.ps;
    } else {
      this.ps = prefixSums(historyColumn(history, `${k}.sum`));
      this.pq = prefixSums(historyColumn(history, `${k}.sum_sq`));
    }
  }

  load(x0: number, x1: number, units: number): void {
    const found = this.loads.find(x0, x1, units, this.field);
    if (found >= 0) {
      const kept = this.loads.numbers();
      this.mean = kept[found] as number;
      this.variance = kept[found + 1] as number;
      this.share = kept[found + 2] as number;
      return;
    }
    this.read(x0, x1, units);
    const at = this.loads.keep(x0, x1, units, this.field);
    if (at >= 0) {
      const kept = this.loads.numbers();
      kept[at] = this.mean;
      kept[at + 1] = this.variance;
      kept[at + 2] = this.share;
    }
  }

  private read(x0: number, x1: number, units: number): void {
    const n = windowTotal(this.pn, this.n, x0, x1);
    if (!(n > 0)) {
      this.mean = 0;
      this.variance = 0;
      this.share = 0;
      return;
    }
    const s = windowTotal(this.ps, this.n, x0, x1);
    const q = windowTotal(this.pq, this.n, x0, x1);
    this.mean = s / n;
    this.variance = nonNegative(q / n - this.mean * this.mean);
    this.share = this.kind === 'mean' ? (units > 0 ? Math.min(1, n / units) : 0) : 1;
  }

  draw(n: number, effect: ActiveEffect | null, rng: SeededRandom, out: Float64Array): void {
    if (this.kind === 'occurrence') {
      const p = Math.min(1, nonNegative(shiftMean(this.mean, effect)));
      const x = rng.binomial(n, p);
      out[0] = n;
      out[1] = x;
      out[2] = x;
      return;
    }
    const m = this.kind === 'mean' ? rng.binomial(n, this.share) : n;
    const mu = shiftMean(this.mean, effect);
    const v = shiftVariance(this.variance, effect);
    out[0] = m;
    if (m === 0) {
      out[1] = 0;
      out[2] = 0;
      return;
    }
    let sum = m * mu + Math.sqrt(m * v) * rng.normal();
    // Counts of events cannot go negative; mean values may.
    if (this.kind === 'count' && sum < 0) sum = 0;
    out[1] = sum;
    out[2] = (sum * sum) / m + (m - 1) * v;
  }

  createAggregate(): KpiAggregate {
    return { kind: this.kind, units: 0, sum: 0, sumSquares: 0 };
  }

  write(acc: Float64Array, agg: KpiAggregate): void {
    const a = agg as { units: number; sum: number; sumSquares: number };
    a.units = Math.round(nonNegative(acc[0] as number));
    if (this.kind === 'mean') {
      a.sum = acc[1] as number;
    } else if (this.kind === 'occurrence') {
      // Occurrences are whole units; rounding undoes drift from window subtraction.
      a.sum = Math.min(a.units, Math.round(nonNegative(acc[1] as number)));
    } else {
      a.sum = nonNegative(acc[1] as number);
    }
    a.sumSquares = this.kind === 'occurrence' ? a.sum : nonNegative(acc[2] as number);
  }

  intervalValue(acc: Float64Array): number | null {
    const n = acc[0] as number;
    return n > 0 ? (acc[1] as number) / n : null;
  }

  baseline(): KpiBaselineStats {
    const n = this.pn[this.n] as number;
    const units = this.unitsPrefix[this.n] as number;
    const mean = n > 0 ? (this.ps[this.n] as number) / n : 0;
    const variance =
      this.kind === 'occurrence'
        ? mean * (1 - mean)
        : n > 0
          ? nonNegative((this.pq[this.n] as number) / n - mean * mean)
          : 0;
    return {
      value: mean,
      variance,
      logSd: null,
      unitShare: this.kind === 'mean' && units > 0 ? n / units : 1,
    };
  }
}
