/**
 * The guard options of a look, shared by the live controller and the
 * rehearsal: min_units of the phase, and the sample size where the confidence
 * sequences are tightest (when the smaller arm reaches min_units).
 */
import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, expectedPhaseUnits, guardOptionsFor } from '../../src/index.js';

describe('guardOptionsFor', () => {
  it('with control "rest", tunes at min_units / min(share, 1 − share) at every 0.01% step below 100%', () => {
    for (let t = 1; t < BUCKET_COUNT; t++) {
      const share = t / BUCKET_COUNT;
      const o = guardOptionsFor({ control: 'rest' }, { min_units: 500 }, share);
      expect(o.minUnits).toBe(500);
      const want = 500 / Math.min(share, 1 - share);
      expect(Math.abs((o.tuneUnits ?? 0) - want) / want).toBeLessThan(1e-12);
    }
  });

  it('with a holdout, tunes on the units of the launch: both arms up to 50%, the rest above', () => {
    const holdout = { control: 'holdout' } as const;
    // Up to 50% the arms are the same size: the smaller one reaches min_units at 2 × min_units.
    expect(guardOptionsFor(holdout, { min_units: 500 }, 0.001)).toEqual({
      minUnits: 500,
      tuneUnits: 1000,
    });
    expect(guardOptionsFor(holdout, { min_units: 500 }, 0.5)).toEqual({
      minUnits: 500,
      tuneUnits: 1000,
    });
    // Above 50% the holdout is the rest, as with control "rest".
    expect(guardOptionsFor(holdout, { min_units: 500 }, 0.75)).toEqual({
      minUnits: 500,
      tuneUnits: 2000,
    });
  });

  it('leaves the one-arm default at 100% (no control arm) and without min_units', () => {
    for (const control of ['rest', 'holdout'] as const) {
      expect(guardOptionsFor({ control }, { min_units: 500 }, 1)).toEqual({ minUnits: 500 });
      expect(guardOptionsFor({ control }, { min_units: 0 }, 0.1)).toEqual({ minUnits: 0 });
      expect(guardOptionsFor({ control }, { min_units: 500 }, 0)).toEqual({ minUnits: 500 });
    }
  });

  it("tunes to the phase's expected sample by min_duration, projected from the units seen so far", () => {
    const phase = { min_units: 500, min_duration: 24 * 3_600_000 };
    // 6,000 units of the launch in the first hour: 144,000 expected by 24 hours.
    const o = guardOptionsFor({ control: 'rest' }, phase, 0.1, {
      units: 6_000,
      elapsedMs: 3_600_000,
    });
    expect(o).toEqual({ minUnits: 500, tuneUnits: 144_000 });
    // Never earlier than when the smaller arm reaches min_units (5,000 here)…
    expect(
      guardOptionsFor({ control: 'rest' }, phase, 0.1, { units: 200, elapsedMs: 3_600_000 }),
    ).toEqual({ minUnits: 500, tuneUnits: 5_000 });
    // …and projected only from at least that many units: 4,000 in the first minute
    // would project 5.76 million.
    expect(
      guardOptionsFor({ control: 'rest' }, phase, 0.1, { units: 4_000, elapsedMs: 60_000 }),
    ).toEqual({ minUnits: 500, tuneUnits: 5_000 });
  });

  it('falls back to min_units with nothing seen yet, no time, or no min_duration', () => {
    const at = (phase: { min_units: number; min_duration?: number }, units: number, ms: number) =>
      guardOptionsFor({ control: 'rest' }, phase, 0.1, { units, elapsedMs: ms }).tuneUnits;
    const want = 500 / 0.1;
    expect(at({ min_units: 500, min_duration: 3_600_000 }, 0, 60_000)).toBeCloseTo(want, 9);
    expect(at({ min_units: 500, min_duration: 3_600_000 }, 10_000, 0)).toBeCloseTo(want, 9);
    expect(at({ min_units: 500, min_duration: 0 }, 1_000_000, 60_000)).toBeCloseTo(want, 9);
    expect(at({ min_units: 500 }, 1_000_000, 60_000)).toBeCloseTo(want, 9);
    expect(expectedPhaseUnits({ min_duration: 3_600_000 }, undefined)).toBe(0);
  });
});
