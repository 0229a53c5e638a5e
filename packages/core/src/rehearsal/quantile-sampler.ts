/**
 * quantile KPIs: values are log-normal with the window's pooled log-mean and
 * log-sd (values-weighted over its intervals). An arm accumulates, per look, its
 * units, its values and their log moments, plus u·δ where δ ~ N(0, (s·c)²/u) is
 * that look's sampling error of the q-quantile in log space (c = √(q(1−q))/φ(z_q),
 * u the arm's units: the guard's own effective sample size, so a unit's values
 * count as one sample). The sketch the guard reads is the expected bucket
 * histogram of the arm's pooled log-normal, shifted by Δ = Σu·δ / Σu, whose
 * variance (s·c)²/Σu is the sampling error of the whole accumulated sample, at
 * every sample size. Counts are whole numbers (rounded cumulatively), so a
 * sketch's buckets always add up to its count. The sketch gives them as running
 * counts (RunningCounts), of which the guard reads a few by bisection; the
 * reference path lists the same counts bucket by bucket, as a store does.
 */
import type { Kpi } from '../plan/index.js';
import type { KpiAggregate, QuantileSketch } from '../statistics/index.js';
import {
  SKETCH_RELATIVE_ACCURACY,
  normalQuantile,
  roughNormalQuantile,
  runningIndexAbove,
  sketchGammaPower,
} from '../statistics/index.js';
import type { History } from './history.js';
import { historyColumn } from './history.js';
import type { ActiveEffect, KpiBaselineStats, KpiSampler } from './kpi-sampler.js';
import { nonNegative } from './kpi-sampler.js';
import { NormalRunningCounts } from './normal-table.js';
import type { SeededRandom } from './random.js';
import { WindowLoads, prefixSums, windowTotal } from './window-sums.js';

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** How far into each tail (in log-sds) buckets are kept; beyond, values join the edge bucket. */
const TAIL_SDS = 5;
/** Up to this many values in an interval, its quantile is drawn as their order statistic. */
const EXACT_INTERVAL_VALUES = 200;
/** A cap on buckets per KPI, whatever the history says. */
const MAX_BUCKETS = 4000;

/** Sampler of a quantile KPI. */
export class QuantileSampler implements KpiSampler {
  /** units, values, Σ v·μ, Σ v·(s² + μ²), Σ u·δ (see the module comment). */
  readonly width = 5;
  private readonly n: number;
  private readonly q: number;
  private readonly zq: number;
  /** √(q(1−q)) / φ(z_q): the quantile's sampling sd per log-sd per √unit. */
  private readonly spread: number;
  private readonly pv: Float64Array;
  private readonly pm: Float64Array;
  private readonly pm2: Float64Array;
  private readonly pu: Float64Array;
  /** Lowest bucket index kept, and the number of buckets. */
  private readonly lo: number;
  private readonly buckets: number;
  private values = 0;
  private logMean = 0;
  private logSd = 0;
  private unitShare = 0;
  /** Units that arrived in the loaded window (both arms and the excluded). */
  private windowUnits = 0;
  /** Where this sampler's values, log-mean, log-sd and unit share sit in a row of `loads`. */
  private readonly field: number;
  /** Scratch for an interval's drawn values (see intervalValue). */
  private readonly draws = new Float64Array(EXACT_INTERVAL_VALUES);
  /** Per sketch, its running counts, and with listed buckets one reusable [index, count] pair per bucket. */
  private readonly counts = new WeakMap<QuantileSketch, NormalRunningCounts>();
  private readonly pools = new WeakMap<QuantileSketch, [number, number][]>();

  /**
   * `maxShift`: the largest |ln(1 + effect)| injected into this KPI (widens the
   * bucket range). `listed`: sketches list their buckets, as a store's do,
   * rather than give them as running counts (the same counts; the reference path).
   */
  constructor(
    readonly kpi: Kpi,
    history: History,
    private readonly unitsPrefix: Float64Array,
    maxShift = 0,
    private readonly listed = false,
    /** Windows read so far (shared by a plan's samplers, see buildSamplers). */
    private readonly loads = new WindowLoads(history.length),
  ) {
    this.n = history.length;
    this.field = loads.reserve(4);
    const k = kpi.name;
    this.q = kpi.q ?? 0.5;
    this.zq = normalQuantile(this.q);
    this.spread =
      Math.sqrt(this.q * (1 - this.q)) /
      (Math.exp(-0.5 * this.zq * this.zq) / Math.sqrt(2 * Math.PI));
    const values = historyColumn(history, `${k}.values`);
    const mean = historyColumn(history, `${k}.log_mean`);
    const sd = historyColumn(history, `${k}.log_sd`);
    const weighted = new Float64Array(this.n);
    const second = new Float64Array(this.n);
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const v = values[i] as number;
      const m = mean[i] as number;
      const s = sd[i] as number;
      weighted[i] = v * m;
      second[i] = v * (s * s + m * m);
      if (v > 0) {
        low = Math.min(low, m - TAIL_SDS * s);
        high = Math.max(high, m + TAIL_SDS * s);
      }
    }
    if (!(low <= high)) low = high = 0;
    this.pv = prefixSums(values);
    this.pm = prefixSums(weighted);
    this.pm2 = prefixSums(second);
    const withValues = history.columns[`${k}.units`];
    this.pu = withValues === undefined ? unitsPrefix : prefixSums(withValues);
    this.lo = Math.floor((low - maxShift) / LOG_GAMMA);
    const hi = Math.ceil((high + maxShift) / LOG_GAMMA);
    this.buckets = Math.min(MAX_BUCKETS, hi - this.lo + 1);
  }

  load(x0: number, x1: number, units: number): void {
    const found = this.loads.find(x0, x1, units, this.field);
    if (found >= 0) {
      const kept = this.loads.numbers();
      this.values = kept[found] as number;
      this.windowUnits = units;
      this.logMean = kept[found + 1] as number;
      this.logSd = kept[found + 2] as number;
      this.unitShare = kept[found + 3] as number;
      return;
    }
    this.read(x0, x1, units);
    const at = this.loads.keep(x0, x1, units, this.field);
    if (at >= 0) {
      const kept = this.loads.numbers();
      kept[at] = this.values;
      kept[at + 1] = this.logMean;
      kept[at + 2] = this.logSd;
      kept[at + 3] = this.unitShare;
    }
  }

  private read(x0: number, x1: number, units: number): void {
    const v = windowTotal(this.pv, this.n, x0, x1);
    this.values = v;
    this.windowUnits = units;
    if (!(v > 0) || !(units > 0)) {
      this.values = 0;
      return;
    }
    const m = windowTotal(this.pm, this.n, x0, x1) / v;
    this.logMean = m;
    this.logSd = Math.sqrt(nonNegative(windowTotal(this.pm2, this.n, x0, x1) / v - m * m));
    this.unitShare = Math.min(1, windowTotal(this.pu, this.n, x0, x1) / units);
  }

  draw(n: number, effect: ActiveEffect | null, rng: SeededRandom, out: Float64Array): void {
    // Five stores, not fill(): a builtin call at every draw.
    out[0] = out[1] = out[2] = out[3] = out[4] = 0;
    if (n === 0 || this.values === 0 || this.unitShare === 0) return;
    const u = Math.round(n * this.unitShare);
    // The arm's values: its share of the window's units, each value independently.
    const v = rng.binomial(Math.round(this.values), Math.min(1, n / this.windowUnits));
    const units = Math.min(u, v);
    if (v === 0) return;
    const s = this.logSd;
    const mu = effect === null ? this.logMean : this.logMean + this.logShift(effect);
    out[0] = units;
    out[1] = v;
    out[2] = v * mu;
    out[3] = v * (s * s + mu * mu);
    // u·δ with δ ~ N(0, (s·c)²/u): √u · s·c · z.
    if (units > 0) out[4] = Math.sqrt(units) * s * this.spread * rng.normal();
  }

  /** ln of the factor an effect moves the values by (an absolute one: at the window's q-quantile). */
  private logShift(e: ActiveEffect): number {
    if (e.relative) return Math.log1p(e.size);
    const quantile = Math.exp(this.logMean + this.zq * this.logSd);
    const factor = 1 + e.size / quantile;
    return Math.log(factor > 1e-9 ? factor : 1e-9);
  }

  /**
   * The interval's q-quantile. Few values (as in a small canary's minute): their
   * order statistic, drawn, as histogram_quantile finds it among them — the
   * asymptotic sampling error is far off there. Else the log-normal's quantile,
   * moved by the interval's sampling error δ = Σu·δ / Σu.
   */
  intervalValue(acc: Float64Array, rng: SeededRandom): number | null {
    const units = acc[0] as number;
    const v = Math.round(acc[1] as number);
    if (!(units > 0) || !(v > 0)) return null;
    const mu = (acc[2] as number) / v;
    const s = Math.sqrt(nonNegative((acc[3] as number) / v - mu * mu));
    if (v <= EXACT_INTERVAL_VALUES) {
      const draws = this.draws.subarray(0, v);
      for (let i = 0; i < v; i++) draws[i] = rng.normal();
      draws.sort();
      const k = Math.min(v - 1, Math.max(0, Math.ceil(this.q * v) - 1));
      return Math.exp(mu + s * (draws[k] as number));
    }
    return Math.exp(mu + (acc[4] as number) / units + this.zq * s);
  }

  createAggregate(): KpiAggregate {
    const sketch: QuantileSketch = {
      units: 0,
      count: 0,
      zeroCount: 0,
      positive: [],
      negative: [],
      min: 0,
      max: 0,
    };
    const counts = new NormalRunningCounts();
    this.counts.set(sketch, counts);
    if (this.listed) {
      const pool: [number, number][] = [];
      for (let j = 0; j < this.buckets; j++) pool.push([this.lo + j, 0]);
      this.pools.set(sketch, pool);
    } else sketch.running = counts;
    return { kind: 'quantile', sketch };
  }

  write(acc: Float64Array, agg: KpiAggregate): void {
    const sketch = (agg as { sketch: QuantileSketch }).sketch;
    const counts = this.counts.get(sketch);
    if (counts === undefined)
      throw new RangeError('write() needs an aggregate from createAggregate()');
    const units = Math.round(nonNegative(acc[0] as number));
    // Values are whole numbers in every increment, so their sum is exact.
    const v = Math.round(nonNegative(acc[1] as number));
    sketch.units = units;
    sketch.count = v;
    // Only listed sketches fill the list; setting an array's length is a runtime call even when empty.
    if (sketch.positive.length !== 0) sketch.positive.length = 0;
    if (v === 0) {
      counts.set(0, this.lo, this.lo, 0, 1);
      sketch.min = 0;
      sketch.max = 0;
      return;
    }
    const mu = (acc[2] as number) / v;
    const s = Math.sqrt(nonNegative((acc[3] as number) / v - mu * mu));
    const centre = mu + (units > 0 ? (acc[4] as number) / units : 0);
    this.histogram(counts, v, centre, s);
    // Edges of the outermost non-empty buckets bound every value, so clamping to them distorts nothing.
    const first = runningIndexAbove(counts, 0);
    const end = runningIndexAbove(counts, v - 1);
    sketch.min = sketchGammaPower(first - 1);
    sketch.max = sketchGammaPower(end);
    if (this.listed) this.list(sketch, counts, first, end);
  }

  /** The expected histogram of v log-normal values (ln-mean `centre`, ln-sd `s`) as running counts. */
  private histogram(counts: NormalRunningCounts, v: number, centre: number, s: number): void {
    const last = this.buckets - 1;
    if (!(s > 0)) {
      const at = this.lo + Math.max(0, Math.min(last, Math.ceil(centre / LOG_GAMMA) - this.lo));
      counts.set(v, at, at, 0, 1);
      return;
    }
    // Rounded running counts change only where v·Φ(z) crosses a half: between
    // z = Φ⁻¹(0.5/v) and Φ⁻¹(1 − 0.5/v); buckets outside hold nothing. The bound
    // keeps a bucket's margin (`step`), far wider than the rough Φ⁻¹'s error.
    const step = LOG_GAMMA / s;
    const z0 = (this.lo * LOG_GAMMA - centre) / s;
    const zFrom = roughNormalQuantile(0.5 / v) - step;
    const from = Math.max(0, Math.min(last, Math.floor((zFrom - z0) / step)));
    const to = Math.max(from, Math.min(last, Math.ceil((-zFrom + step - z0) / step)));
    counts.set(v, this.lo + from, this.lo + to, z0 + from * step, step);
  }

  /** The running counts listed as [index, count] pairs (first … end are the non-empty ends). */
  private list(
    sketch: QuantileSketch,
    counts: NormalRunningCounts,
    first: number,
    end: number,
  ): void {
    const pool = this.pools.get(sketch) as [number, number][];
    let before = 0;
    for (let index = first; index <= end; index++) {
      const upTo = counts.upTo(index);
      if (upTo === before) continue;
      const pair = pool[index - this.lo] as [number, number];
      pair[1] = upTo - before;
      sketch.positive.push(pair);
      before = upTo;
    }
  }

  baseline(): KpiBaselineStats {
    const all = this.n;
    const v = this.pv[all] as number;
    const units = this.unitsPrefix[all] as number;
    if (!(v > 0)) return { value: 0, variance: null, logSd: 0, unitShare: 0 };
    const m = (this.pm[all] as number) / v;
    const s = Math.sqrt(nonNegative((this.pm2[all] as number) / v - m * m));
    return {
      value: Math.exp(m + this.zq * s),
      variance: null,
      logSd: s,
      unitShare: units > 0 ? Math.min(1, (this.pu[all] as number) / units) : 0,
    };
  }
}
