import { describe, expect, it } from 'vitest';
import {
  minimumDetectableEffect,
  requiredDuration,
  requiredUnitsPerArm,
} from '../../src/statistics/index.js';
import type { DetectableEffectInput } from '../../src/statistics/index.js';

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
      /burn-rate guards are thresholds/,
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
