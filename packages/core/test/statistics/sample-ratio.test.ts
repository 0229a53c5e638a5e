import { describe, expect, it } from 'vitest';
import { DEFAULT_SRM_THRESHOLD, checkSampleRatio } from '../../src/statistics/index.js';

const half = { treatment: 0.5, control: 0.5 };

describe('checkSampleRatio', () => {
  it('accepts a split that matches the plan', () => {
    const r = checkSampleRatio({ treatment: 5_010, control: 4_990 }, half);
    expect(r.healthy).toBe(true);
    expect(r.threshold).toBe(DEFAULT_SRM_THRESHOLD);
    expect(r.reason).toMatch(
      /split as planned: 5,010 treatment and 4,990 control units against 50%\/50%/,
    );
  });

  it('flags a broken split below the threshold', () => {
    const r = checkSampleRatio({ treatment: 50_600, control: 49_400 }, half);
    expect(r.pValue).toBeLessThan(0.001);
    expect(r.healthy).toBe(false);
    expect(r.reason).toMatch(/sample-ratio mismatch/);
  });

  it('normalizes planned shares: a 1% canary against the rest, a 5%/5% holdout', () => {
    expect(
      checkSampleRatio({ treatment: 1_000, control: 99_000 }, { treatment: 0.01, control: 0.99 })
        .healthy,
    ).toBe(true);
    expect(
      checkSampleRatio({ treatment: 1_200, control: 98_800 }, { treatment: 0.01, control: 0.99 })
        .healthy,
    ).toBe(false);
    expect(
      checkSampleRatio({ treatment: 10_000, control: 10_050 }, { treatment: 0.05, control: 0.05 })
        .healthy,
    ).toBe(true);
  });

  it('is healthy with no units yet, and broken when an arm planned empty has units', () => {
    expect(checkSampleRatio({ treatment: 0, control: 0 }, half)).toMatchObject({
      healthy: true,
      pValue: 1,
    });
    expect(
      checkSampleRatio({ treatment: 3, control: 100 }, { treatment: 0, control: 1 }),
    ).toMatchObject({ healthy: false, pValue: 0 });
  });

  it('handles huge counts without overflow', () => {
    const r = checkSampleRatio({ treatment: 5e11, control: 5e11 + 1e7 }, half);
    expect(Number.isFinite(r.pValue)).toBe(true);
    expect(r.healthy).toBe(false);
  });

  it('honours a custom threshold', () => {
    const observed = { treatment: 5_120, control: 4_880 };
    expect(checkSampleRatio(observed, half).healthy).toBe(true);
    expect(checkSampleRatio(observed, half, 0.05).healthy).toBe(false);
  });

  it('rejects bad input naming the field', () => {
    expect(() => checkSampleRatio({ treatment: -1, control: 5 }, half)).toThrow(
      /observed\.treatment must be a non-negative finite number, got -1/,
    );
    expect(() =>
      checkSampleRatio({ treatment: 1, control: 5 }, { treatment: NaN, control: 1 }),
    ).toThrow(/expectedShare\.treatment/);
    expect(() =>
      checkSampleRatio({ treatment: 1, control: 5 }, { treatment: 0, control: 0 }),
    ).toThrow(/at least one arm a positive share/);
    expect(() => checkSampleRatio({ treatment: 1, control: 5 }, half, 2)).toThrow(
      /threshold must be between 0 and 1/,
    );
  });
});
