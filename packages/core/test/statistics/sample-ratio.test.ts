import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SRM_THRESHOLD,
  checkSampleRatio,
  chiSquaredSurvival1,
} from '../../src/statistics/index.js';
import { binomial, binomialCeiling, createRandom } from './support/random.js';

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

  it('flags a broken split once the sequential evidence reaches 1/threshold', () => {
    const r = checkSampleRatio({ treatment: 102_000, control: 98_000 }, half);
    expect(r.pValue).toBeLessThan(0.001);
    expect(r.healthy).toBe(false);
    expect(r.method).toBe('dirichlet-multinomial-mixture');
    expect(r.logBayesFactor).toBeGreaterThan(Math.log(1000));
    expect(r.reason).toMatch(
      /sample-ratio mismatch: .*sequential Bayes factor 5\.16e\+15 against 1000 needed, anytime p = 1\.94e-16; chi-squared 80, p = 3\.74e-19 at this look alone/,
    );
  });

  it('does not hold on a chi-squared p below the threshold alone: one look of many proves little', () => {
    // p = 0.00015 at this look, but the mixture's evidence is only 42 against 1000 needed.
    const r = checkSampleRatio({ treatment: 50_600, control: 49_400 }, half);
    expect(r.pValue).toBeLessThan(0.001);
    expect(r.healthy).toBe(true);
    expect(r.anytimePValue).toBeGreaterThan(0.001);
    expect(r.reason).toMatch(
      /split as planned: .*sequential Bayes factor 41\.9 against 1000 needed, anytime p = 0\.0238; chi-squared 14\.4, p = 0\.000148 at this look alone/,
    );
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
    const observed = { treatment: 10_300, control: 9_700 };
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

  /**
   * Seeded replay of the rehearsal's problem: a healthy split looked at 1,000 times
   * (50 new units per look, as every 5 minutes of a modest launch). Repeating the
   * chi-squared test flags far more runs than its threshold; the mixture test flags
   * at most about threshold of them (Ville's inequality), within binomial error.
   */
  it('over 1,000 looks of a healthy split, flags at most about threshold of the runs', () => {
    const random = createRandom(2022);
    const runs = 400;
    const threshold = 0.01;
    const splits = [half, { treatment: 0.1, control: 0.9 }];
    let sequential = 0;
    let repeatedChi2 = 0;
    for (let run = 0; run < runs; run++) {
      const share = splits[run % 2] as typeof half;
      const observed = { treatment: 0, control: 0 };
      let flagged = false;
      let chi2Flagged = false;
      for (let look = 0; look < 1000 && !(flagged && chi2Flagged); look++) {
        const t = binomial(random, 50, share.treatment / (share.treatment + share.control));
        observed.treatment += t;
        observed.control += 50 - t;
        const r = checkSampleRatio(observed, share, threshold);
        if (!r.healthy) flagged = true;
        if (r.pValue < threshold) chi2Flagged = true;
      }
      if (flagged) sequential++;
      if (chi2Flagged) repeatedChi2++;
    }
    expect(sequential / runs).toBeLessThanOrEqual(binomialCeiling(threshold, runs));
    // The fixed-horizon test repeated at every look is the problem being fixed.
    expect(repeatedChi2 / runs).toBeGreaterThan(3 * threshold);
  });

  it('flags a real 51%/49% mismatch of a 50%/50% plan at large samples', () => {
    const random = createRandom(49);
    let caught = 0;
    for (let run = 0; run < 50; run++) {
      const observed = { treatment: 0, control: 0 };
      for (let look = 0; look < 200; look++) {
        const t = binomial(random, 1000, 0.51);
        observed.treatment += t;
        observed.control += 1000 - t;
      }
      if (!checkSampleRatio(observed, half).healthy) caught++;
    }
    expect(caught).toBe(50);
  });

  it('agrees with the chi-squared test on clear-cut cases', () => {
    const r = checkSampleRatio({ treatment: 5_000, control: 5_000 }, half);
    expect(r).toMatchObject({ healthy: true, pValue: 1, anytimePValue: 1 });
    expect(chiSquaredSurvival1(0)).toBe(1);
  });
});
