import { describe, expect, it } from 'vitest';
import {
  detectionPower,
  evaluateGuard,
  minimumDetectableEffect,
  normalCdf,
  normalQuantile,
  occurrenceOf,
  requiredDuration,
  requiredUnitsPerArm,
  sequentialPower,
} from '../../src/statistics/index.js';
import type { DetectableEffectInput } from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';
import { binomial, createRandom } from './support/random.js';

const canary: DetectableEffectInput = {
  kind: 'occurrence',
  unitsPerArm: 2000,
  controlRatio: 99,
  baselineMean: 0.1,
  alpha: 0.05 / 4,
  relative: true,
  margin: 0.1,
  minUnits: 2000,
};

describe('minimumDetectableEffect', () => {
  it('shrinks as the sample grows and is larger than the margin', () => {
    let previous = Infinity;
    for (const n of [30, 100, 1000, 10_000, 100_000, 1e6]) {
      const mde = minimumDetectableEffect({ ...canary, unitsPerArm: n });
      expect(mde).toBeLessThan(previous);
      expect(mde).toBeGreaterThan(0.1);
      previous = mde;
    }
  });

  it('is infinite below the sample where the guard can breach at all', () => {
    expect(minimumDetectableEffect({ ...canary, unitsPerArm: 29 })).toBe(Infinity);
  });

  it('is larger for the anytime-valid test than for a fixed-horizon z-test, and larger with more power', () => {
    const v = 0.1 * 0.9 * (1 / 2000 + 1 / (2000 * 99));
    const fixed = 0.1 + ((2.2414027276049473 + 0.8416212335729143) * Math.sqrt(v)) / 0.1;
    expect(minimumDetectableEffect(canary)).toBeGreaterThan(fixed);
    expect(minimumDetectableEffect({ ...canary, power: 0.95 })).toBeGreaterThan(
      minimumDetectableEffect(canary),
    );
  });

  it('supports mSPRT and quantile KPIs', () => {
    const msprt = minimumDetectableEffect({ ...canary, method: 'msprt' });
    expect(Number.isFinite(msprt) && msprt > 0.1).toBe(true);
    const quantile = {
      ...canary,
      kind: 'quantile' as const,
      baselineMean: 250,
      quantile: { q: 0.95, logSd: 0.7 },
    };
    const small = minimumDetectableEffect({ ...quantile, unitsPerArm: 2000 });
    const large = minimumDetectableEffect({ ...quantile, unitsPerArm: 200_000 });
    expect(large).toBeLessThan(small);
    expect(large).toBeGreaterThan(0.1);
    expect(minimumDetectableEffect({ ...quantile, unitsPerArm: 100 })).toBe(Infinity);
  });

  it('rejects bad input naming the field', () => {
    expect(() => minimumDetectableEffect({ ...canary, unitsPerArm: -1 })).toThrow(
      /unitsPerArm must be a positive number/,
    );
    expect(() => minimumDetectableEffect({ ...canary, alpha: 1 })).toThrow(
      /alpha must be between 0 and 1/,
    );
    expect(() => minimumDetectableEffect({ ...canary, kind: 'mean' })).toThrow(
      /baselineVariance must be a non-negative number/,
    );
    expect(() => minimumDetectableEffect({ ...canary, kind: 'slo-burn' })).toThrow(
      /kind slo-burn has no detectable effect/,
    );
    expect(() => minimumDetectableEffect({ ...canary, kind: 'quantile' })).toThrow(
      /quantile\.q must be between 0 and 1/,
    );
  });
});

describe('requiredUnitsPerArm and requiredDuration', () => {
  const { unitsPerArm: _, ...base } = canary;

  it('finds the smallest sample whose MDE reaches the effect', () => {
    const n = requiredUnitsPerArm({ ...base, effect: 0.3 });
    expect(minimumDetectableEffect({ ...canary, unitsPerArm: n })).toBeLessThanOrEqual(0.3);
    expect(minimumDetectableEffect({ ...canary, unitsPerArm: n - 1 })).toBeGreaterThan(0.3);
  });

  it('is infinite for an effect within the margin', () => {
    expect(requiredUnitsPerArm({ ...base, effect: 0.1 })).toBe(Infinity);
    expect(requiredDuration({ ...base, effect: 0.05, unitsPerMinutePerArm: 100 })).toBe(Infinity);
  });

  it('turns units into time at the arrival rate: "canary at 1% for 30m cannot detect +20%"', () => {
    const units = requiredUnitsPerArm({ ...base, effect: 0.2 });
    const ms = requiredDuration({ ...base, effect: 0.2, unitsPerMinutePerArm: 50 });
    expect(ms).toBeCloseTo((units / 50) * 60_000, 6);
    expect(ms).toBeGreaterThan(30 * 60_000);
    expect(() => requiredDuration({ ...base, effect: 0.2, unitsPerMinutePerArm: 0 })).toThrow(
      /unitsPerMinutePerArm must be a positive number/,
    );
  });
});

describe('sequentialPower', () => {
  it('is the first-passage chance of a drifted Brownian motion, above the last look alone', () => {
    // Φ(θ − z) + e^{2θz}Φ(−θ − z), values from the closed form by hand (SciPy).
    expect(sequentialPower(0, 2)).toBeCloseTo(2 * 0.022750131948179195, 12);
    const z = 2.9;
    const theta = z + normalQuantile(0.8);
    expect(sequentialPower(theta, z)).toBeGreaterThan(0.8);
    expect(sequentialPower(theta, z)).toBeLessThan(0.9);
    expect(sequentialPower(theta, 0)).toBeCloseTo(normalCdf(theta), 12);
  });

  it('makes the MDE smaller than the last look alone would', () => {
    const input: DetectableEffectInput = {
      kind: 'occurrence',
      unitsPerArm: 20_000,
      baselineMean: 0.02,
      alpha: 0.05,
      relative: true,
    };
    const single = minimumDetectableEffect({ ...input, monitoring: 'single-look' });
    const continuous = minimumDetectableEffect(input);
    expect(continuous).toBeLessThan(single);
    expect(continuous).toBeGreaterThan(0.85 * single);
    expect(detectionPower({ ...input, effect: continuous })).toBeCloseTo(0.8, 9);
  });
});

describe('detectionPower: the MDE against the guard it describes', () => {
  /**
   * The rehearsal's finding: for a +10% rate change the MDE used the baseline
   * variance for both arms and promised 55% where the guard breached 44% of the
   * time. Here one look of the actual guard at the sample the MDE asks for (50%
   * power), 2,000 seeded launches: the breach share must match the implied power
   * within Monte Carlo error, and the old formula's must not.
   */
  it('implied power matches a seeded simulation of the guard within Monte Carlo error', () => {
    const kpi = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max_increase: 0% } }');
    const p = 0.3;
    const effect = 0.1;
    const alpha = 0.05 / 4;
    const base: DetectableEffectInput = {
      kind: 'occurrence',
      unitsPerArm: 1,
      baselineMean: p,
      alpha,
      relative: true,
      margin: 0,
      power: 0.5,
      // One look of the guard: the power of that look alone.
      monitoring: 'single-look',
    };
    const n = requiredUnitsPerArm({ ...base, effect });
    const implied = detectionPower({ ...base, unitsPerArm: n, effect });
    expect(implied).toBeGreaterThanOrEqual(0.5);
    expect(implied).toBeLessThan(0.51);

    const random = createRandom(606);
    const runs = 2000;
    let breached = 0;
    for (let run = 0; run < runs; run++) {
      const treatment = binomial(random, n, p * (1 + effect));
      const control = binomial(random, n, p);
      const r = evaluateGuard(
        kpi,
        {
          treatment: { kind: 'occurrence', ...occurrenceOf(n, treatment) },
          control: { kind: 'occurrence', ...occurrenceOf(n, control) },
        },
        { alpha, launchAlpha: 0.05, method: 'confidence-sequence' },
      );
      if (r.verdict === 'breach') breached++;
    }
    const simulated = breached / runs;
    const monteCarlo = 3 * Math.sqrt((implied * (1 - implied)) / runs);
    expect(Math.abs(simulated - implied)).toBeLessThanOrEqual(monteCarlo);

    // The old formula: baseline variance in both arms, no (1+δ)² on control.
    const seNew = Math.sqrt(
      (p * (1 + effect) * (1 - p * (1 + effect))) / n + ((1 + effect) ** 2 * p * (1 - p)) / n,
    );
    const z = effect / (seNew / p) - normalQuantile(implied);
    const seOld = Math.sqrt((2 * p * (1 - p)) / n) / p;
    const oldPower = normalCdf(effect / seOld - z);
    expect(oldPower - simulated).toBeGreaterThan(monteCarlo);
  });

  it('is the power the MDE inverts', () => {
    const input: DetectableEffectInput = { ...canary, unitsPerArm: 50_000 };
    const mde = minimumDetectableEffect(input);
    expect(detectionPower({ ...input, effect: mde })).toBeCloseTo(0.8, 9);
    expect(detectionPower({ ...input, unitsPerArm: 29, effect: mde })).toBe(0);
    // A relative rise past a rate of 1 is impossible: never detected, never promised.
    expect(detectionPower({ ...input, baselineMean: 0.6, effect: 1 })).toBe(0);
    expect(minimumDetectableEffect({ ...input, baselineMean: 0.9, unitsPerArm: 31 })).toBe(
      Infinity,
    );
    // SE of T/C − 1 grows with 1 + δ: with a noisy 30-unit control no harm reaches 80%.
    expect(
      minimumDetectableEffect({
        kind: 'mean',
        unitsPerArm: 30,
        baselineMean: 1,
        baselineVariance: 100,
        alpha: 0.01,
        relative: true,
      }),
    ).toBe(Infinity);
  });
});
