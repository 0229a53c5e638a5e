/**
 * ratio KPIs: per-unit numerator y and denominator x with their means,
 * variances and covariance per window. An arm of n units gets (Σy, Σx) from the
 * bivariate normal with mean n·(μy, μx) and covariance n·Σ, and second moments
 * set so that the arm's sample covariance matrix is Σ. A relative effect scales
 * y (the ratio moves by the same factor); an absolute one adds size·x to y.
 */
import type { Kpi } from '../plan/index.js';
import type { KpiAggregate, RatioAggregate } from '../statistics/index.js';
import type { History } from './history.js';
import { historyColumn } from './history.js';
import type { ActiveEffect, KpiBaselineStats, KpiSampler } from './kpi-sampler.js';
import { nonNegative } from './kpi-sampler.js';
import type { SeededRandom } from './random.js';
import { WindowLoads, prefixSums, windowTotal } from './window-sums.js';

interface Moments {
  my: number;
  mx: number;
  vy: number;
  vx: number;
  cxy: number;
}

/** Sampler of a ratio KPI. */
export class RatioSampler implements KpiSampler {
  readonly width = 6;
  private readonly n: number;
  private readonly py: Float64Array;
  private readonly px: Float64Array;
  private readonly pyy: Float64Array;
  private readonly pxx: Float64Array;
  private readonly pxy: Float64Array;
  private readonly m: Moments = { my: 0, mx: 0, vy: 0, vx: 0, cxy: 0 };
  private nonNegativeY = true;
  /** Where this sampler's moments sit in a row of `loads`. */
  private readonly field: number;

  constructor(
    readonly kpi: Kpi,
    history: History,
    private readonly unitsPrefix: Float64Array,
    /** Windows read so far (shared by a plan's samplers, see buildSamplers). */
    private readonly loads = new WindowLoads(history.length),
  ) {
    this.n = history.length;
    this.field = loads.reserve(5);
    const k = kpi.name;
    this.py = prefixSums(historyColumn(history, `${k}.num`));
    this.px = prefixSums(historyColumn(history, `${k}.den`));
    this.pyy = prefixSums(historyColumn(history, `${k}.num_sq`));
    this.pxx = prefixSums(historyColumn(history, `${k}.den_sq`));
    this.pxy = prefixSums(historyColumn(history, `${k}.num_den`));
    this.nonNegativeY = historyColumn(history, `${k}.num`).every((v) => v >= 0);
  }

  private moments(n: number, y: number, x: number, yy: number, xx: number, xy: number): void {
    const m = this.m;
    if (!(n > 0)) {
      m.my = m.mx = m.vy = m.vx = m.cxy = 0;
      return;
    }
    m.my = y / n;
    m.mx = x / n;
    m.vy = nonNegative(yy / n - m.my * m.my);
    m.vx = nonNegative(xx / n - m.mx * m.mx);
    m.cxy = xy / n - m.my * m.mx;
  }

  load(x0: number, x1: number, units: number): void {
    const m = this.m;
    const found = this.loads.find(x0, x1, units, this.field);
    if (found >= 0) {
      const kept = this.loads.numbers();
      m.my = kept[found] as number;
      m.mx = kept[found + 1] as number;
      m.vy = kept[found + 2] as number;
      m.vx = kept[found + 3] as number;
      m.cxy = kept[found + 4] as number;
      return;
    }
    const n = this.n;
    this.moments(
      units,
      windowTotal(this.py, n, x0, x1),
      windowTotal(this.px, n, x0, x1),
      windowTotal(this.pyy, n, x0, x1),
      windowTotal(this.pxx, n, x0, x1),
      windowTotal(this.pxy, n, x0, x1),
    );
    const at = this.loads.keep(x0, x1, units, this.field);
    if (at >= 0) {
      const kept = this.loads.numbers();
      kept[at] = m.my;
      kept[at + 1] = m.mx;
      kept[at + 2] = m.vy;
      kept[at + 3] = m.vx;
      kept[at + 4] = m.cxy;
    }
  }

  draw(n: number, effect: ActiveEffect | null, rng: SeededRandom, out: Float64Array): void {
    let { my, vy, cxy } = this.m;
    const { mx, vx } = this.m;
    if (effect !== null) {
      if (effect.relative) {
        const f = 1 + effect.size;
        my *= f;
        vy *= f * f;
        cxy *= f;
      } else {
        const e = effect.size;
        my += e * mx;
        vy = nonNegative(vy + 2 * e * cxy + e * e * vx);
        cxy += e * vx;
      }
    }
    out[0] = n;
    if (n === 0) {
      out[1] = out[2] = out[3] = out[4] = out[5] = 0;
      return;
    }
    const z1 = rng.normal();
    const z2 = rng.normal();
    const root = Math.sqrt(n);
    const sdx = Math.sqrt(vx);
    const b = sdx > 0 ? cxy / sdx : 0;
    const rest = Math.sqrt(nonNegative(vy - b * b));
    let sx = n * mx + root * sdx * z1;
    let sy = n * my + root * (b * z1 + rest * z2);
    if (sx < 0) sx = 0;
    if (sy < 0 && this.nonNegativeY) sy = 0;
    out[1] = sy;
    out[2] = sx;
    out[3] = (sy * sy) / n + (n - 1) * vy;
    out[4] = (sx * sx) / n + (n - 1) * vx;
    out[5] = (sy * sx) / n + (n - 1) * cxy;
  }

  createAggregate(): KpiAggregate {
    return {
      kind: 'ratio',
      units: 0,
      sumNumerator: 0,
      sumDenominator: 0,
      sumNumeratorSquares: 0,
      sumDenominatorSquares: 0,
      sumProducts: 0,
    };
  }

  write(acc: Float64Array, agg: KpiAggregate): void {
    const a = agg as RatioAggregate;
    a.units = Math.round(nonNegative(acc[0] as number));
    a.sumNumerator = acc[1] as number;
    a.sumDenominator = nonNegative(acc[2] as number);
    a.sumNumeratorSquares = nonNegative(acc[3] as number);
    a.sumDenominatorSquares = nonNegative(acc[4] as number);
    a.sumProducts = acc[5] as number;
  }

  baseline(): KpiBaselineStats {
    const all = this.n;
    const at = (p: Float64Array) => p[all] as number;
    this.moments(
      at(this.unitsPrefix),
      at(this.py),
      at(this.px),
      at(this.pyy),
      at(this.pxx),
      at(this.pxy),
    );
    const { my, mx, vy, vx, cxy } = this.m;
    const r = mx > 0 ? my / mx : 0;
    // The delta method's per-unit variance of (y − R·x)/x̄.
    const variance = mx > 0 ? nonNegative(vy - 2 * r * cxy + r * r * vx) / (mx * mx) : 0;
    return { value: r, variance, logSd: null, unitShare: 1 };
  }
}
