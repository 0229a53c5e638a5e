import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkSampleRatio,
  chiSquaredSurvival1,
  evaluateGuard,
  minimumDetectableEffect,
  mixtureRho2,
  msprtLogStatistic,
  normalCdf,
  normalQuantile,
  normalSurvival,
  oneSidedMixtureMultiplier,
  ratioOf,
  twoSidedMixtureMultiplier,
} from '../../src/statistics/index.js';
import type { Kpi } from '../../src/plan/index.js';
import { differenceOf, ratioEstimate } from '../../src/statistics/arm-estimate.js';

interface Section<T> {
  source: string;
  relTol: number;
  cases: T[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/statistics.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & {
  normalCdf: Section<{ x: number; cdf: number; sf: number }>;
  normalQuantile: Section<{ p: number; x: number }>;
  chiSquared1: Section<{ x: number; sf: number }>;
  sampleRatio: Section<{
    observed: { treatment: number; control: number };
    expectedShare: { treatment: number; control: number };
    pValue: number;
  }>;
  deltaMethod: {
    relTol: number;
    ratio: { pairs: [number, number][]; ratio: number; variance: number }[];
    relative: {
      treatment: { value: number; variance: number };
      control: { value: number; variance: number };
      difference: number;
      variance: number;
    }[];
  };
  confidenceSequence: {
    rho2: Section<{ alpha: number; tStar: number; rho2: number }>;
    twoSidedRadius: Section<{
      t: number;
      rho2: number;
      alpha: number;
      sigma: number;
      radius: number;
    }>;
    oneSidedMultiplier: Section<{ x: number; alpha: number; multiplier: number }>;
  };
  msprt: Section<{
    nPerArm: number;
    sigma2: number;
    tau2: number;
    difference: number;
    theta0: number;
    logLambda: number;
  }>;
  minimumDetectableEffect: Section<{
    kind: 'occurrence' | 'mean' | 'count' | 'quantile';
    unitsPerArm: number;
    controlRatio: number;
    baselineMean: number;
    baselineVariance?: number;
    quantile?: { q: number; logSd: number };
    alpha: number;
    power: number;
    relative: boolean;
    margin: number;
    minUnits: number;
    mde: number;
  }>;
  burnRate: Section<{ slo: number; bad: number; total: number; burnRate: number }>;
  sampleRatioSequential: Section<{
    observed: { treatment: number; control: number };
    expectedShare: { treatment: number; control: number };
    logBayesFactor: number;
  }>;
};

/** |actual − expected| within relTol of |expected| (absolutely, when expected is 0). */
function close(actual: number, expected: number, relTol: number): void {
  const scale = expected === 0 ? 1 : Math.abs(expected);
  expect(Math.abs(actual - expected) / scale, `${actual} vs ${expected}`).toBeLessThanOrEqual(
    relTol,
  );
}

describe('statistics vectors', () => {
  it('names a source and a tolerance for every section', () => {
    for (const [name, section] of Object.entries(vectors)) {
      if (name === 'description' || name === 'generatedWith') continue;
      const parts = name === 'confidenceSequence' ? Object.values(section as object) : [section];
      for (const p of parts as { source?: string; relTol?: number }[]) {
        expect(p.source, name).toMatch(/\w/);
        expect(p.relTol, name).toBeGreaterThan(0);
      }
    }
    expect(vectors.generatedWith).toMatchObject({ scipy: expect.any(String) });
  });

  it('normal CDF and upper tail match SciPy', () => {
    for (const c of vectors.normalCdf.cases) {
      close(normalCdf(c.x), c.cdf, vectors.normalCdf.relTol);
      close(normalSurvival(c.x), c.sf, vectors.normalCdf.relTol);
    }
  });

  it('normal quantile matches SciPy', () => {
    for (const c of vectors.normalQuantile.cases)
      close(normalQuantile(c.p), c.x, vectors.normalQuantile.relTol);
  });

  it('chi-squared (1 df) tail matches SciPy', () => {
    for (const c of vectors.chiSquared1.cases)
      close(chiSquaredSurvival1(c.x), c.sf, vectors.chiSquared1.relTol);
  });

  it('sample-ratio p-values match scipy.stats.chisquare', () => {
    for (const c of vectors.sampleRatio.cases)
      close(
        checkSampleRatio(c.observed, c.expectedShare).pValue,
        c.pValue,
        vectors.sampleRatio.relTol,
      );
  });

  it('sample-ratio mixture Bayes factors match scipy.special.gammaln (Lindon & Malek 2022)', () => {
    const s = vectors.sampleRatioSequential;
    for (const c of s.cases)
      close(
        checkSampleRatio(c.observed, c.expectedShare).logBayesFactor ?? NaN,
        c.logBayesFactor,
        s.relTol,
      );
  });

  it('delta-method variance of a ratio of sums matches the per-unit computation', () => {
    for (const c of vectors.deltaMethod.ratio) {
      const e = ratioEstimate(ratioOf(c.pairs), 'treatment');
      if (!e.ok) throw new Error(e.reason);
      close(e.estimate.value, c.ratio, vectors.deltaMethod.relTol);
      close(e.estimate.variance, c.variance, vectors.deltaMethod.relTol);
    }
  });

  it('delta-method variance of a relative difference matches the Taylor expansion', () => {
    for (const c of vectors.deltaMethod.relative) {
      const d = differenceOf({ ...c.treatment, units: 1 }, { ...c.control, units: 1 }, true);
      if ('reason' in d) throw new Error(d.reason);
      close(d.value, c.difference, vectors.deltaMethod.relTol);
      close(d.variance, c.variance, vectors.deltaMethod.relTol);
    }
  });

  it('tunes the mixture with the paper closed form', () => {
    const s = vectors.confidenceSequence.rho2;
    for (const c of s.cases) close(mixtureRho2(c.alpha, c.tStar), c.rho2, s.relTol);
  });

  it('two-sided radius equals the paper formula', () => {
    const s = vectors.confidenceSequence.twoSidedRadius;
    for (const c of s.cases) {
      const radius = (c.sigma * twoSidedMixtureMultiplier(c.t * c.rho2, c.alpha)) / Math.sqrt(c.t);
      close(radius, c.radius, s.relTol);
    }
  });

  it('one-sided multiplier equals the numerically integrated half-normal mixture', () => {
    const s = vectors.confidenceSequence.oneSidedMultiplier;
    for (const c of s.cases) close(oneSidedMixtureMultiplier(c.x, c.alpha), c.multiplier, s.relTol);
  });

  it('mSPRT statistic in variance form equals Johari et al. for n pairs', () => {
    for (const c of vectors.msprt.cases) {
      const variance = (2 * c.sigma2) / c.nPerArm;
      close(
        msprtLogStatistic(c.difference, variance, c.theta0, c.tau2),
        c.logLambda,
        vectors.msprt.relTol,
      );
    }
  });

  it('minimum detectable effects solve the power equation', () => {
    const s = vectors.minimumDetectableEffect;
    for (const c of s.cases) {
      const mde = minimumDetectableEffect({
        kind: c.kind,
        unitsPerArm: c.unitsPerArm,
        controlRatio: c.controlRatio,
        baselineMean: c.baselineMean,
        ...(c.baselineVariance !== undefined && { baselineVariance: c.baselineVariance }),
        ...(c.quantile !== undefined && { quantile: c.quantile }),
        alpha: c.alpha,
        power: c.power,
        relative: c.relative,
        margin: c.margin,
        minUnits: c.minUnits,
        // The vectors solve the power equation of one look.
        monitoring: 'single-look',
      });
      close(mde, c.mde, s.relTol);
    }
  });

  it('burn rates follow the SRE Workbook definition', () => {
    for (const c of vectors.burnRate.cases) {
      const kpi = {
        name: 'availability',
        kind: 'slo-burn',
        source: 'events',
        guard: {
          burn_rate: { slo: c.slo, windows: [{ long: 3_600_000, short: 300_000, factor: 1 }] },
        },
        on_breach: [],
        on_insufficient: 'wait',
      } as unknown as Kpi;
      const w = { bad: c.bad, total: c.total };
      const r = evaluateGuard(
        kpi,
        {
          treatment: {
            kind: 'slo-burn',
            windows: [
              { windowMs: 3_600_000, ...w },
              { windowMs: 300_000, ...w },
            ],
          },
        },
        { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' },
      );
      close(r.burn?.[0]?.longRate ?? NaN, c.burnRate, 1e-12);
    }
  });
});
