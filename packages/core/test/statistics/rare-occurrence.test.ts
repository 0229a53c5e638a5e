/**
 * Occurrence KPIs with rare events: the interval's variance is read at the
 * margin as well as at the observed rates, so a low count by chance is not
 * certainty of a drop, while a real collapse is still caught.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGuard } from '../../src/statistics/index.js';
import type { GuardOptions, KpiAggregate } from '../../src/statistics/index.js';
import { wilsonBounds } from '../../src/statistics/occurrence-bounds.js';
import { kpiOf } from './support/plan.js';

const occ = (units: number, sum: number): KpiAggregate => ({
  kind: 'occurrence',
  units,
  sum,
  sumSquares: sum,
});

// The case: a 1% phase (tuned as the controller tunes it) at a share of 0.714%.
const options: GuardOptions = {
  alpha: 0.00714,
  launchAlpha: 0.05,
  method: 'confidence-sequence',
  minUnits: 100,
  tuneUnits: 100 / 0.01,
};

const decrease = kpiOf('{ name: conv, kind: occurrence, event: e, guard: { max_decrease: 0% } }');

describe('occurrence KPIs with rare events', () => {
  it('2 of 294 against 929 of 28,660 is not conclusive (it was a breach at −149% to −9.45%)', () => {
    const r = evaluateGuard(
      decrease,
      { treatment: occ(294, 2), control: occ(28_660, 929) },
      options,
    );
    expect(r.verdict).toBe('insufficient-evidence');
    const [lo, hi] = r.comparison?.interval ?? [NaN, NaN];
    // A relative change of a share is never below −100%.
    expect(lo).toBe(-1);
    expect(hi).toBeGreaterThan(0);
    expect(r.reason).toMatch(/interval −100% to \+34\.4% still straddles/);
  });

  it('a real collapse is still caught: 0 of 2,000 against 3%', () => {
    const r = evaluateGuard(
      decrease,
      { treatment: occ(2_000, 0), control: occ(28_660, 860) },
      options,
    );
    expect(r.verdict).toBe('breach');
    expect(r.comparison?.interval?.[0]).toBe(-1);
  });

  it('an increase of rare errors is caught as before', () => {
    const increase = kpiOf(
      '{ name: err, kind: occurrence, event: e, guard: { max_increase: 10% } }',
    );
    const r = evaluateGuard(
      increase,
      { treatment: occ(3_000, 60), control: occ(100_000, 300) },
      options,
    );
    expect(r.verdict).toBe('breach');
  });

  it('a hard minimum on a rare share uses bounds that hold in the lower tail', () => {
    const min = kpiOf('{ name: conv, kind: occurrence, event: e, guard: { min: 0.03 } }');
    // 2 of 294 where 3% would expect 8.8: a one-sided tail of about 1%, far above the share.
    const r = evaluateGuard(min, { treatment: occ(294, 2) }, options);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.limit?.interval?.[0]).toBeGreaterThanOrEqual(0);
  });

  it("Wilson's bounds stay within [0, 1] and contain the observed share", () => {
    for (const [x, n, z] of [
      [0, 30, 3],
      [30, 30, 3],
      [2, 294, 4],
      [500, 1000, 2],
    ] as const) {
      const [lo, hi] = wilsonBounds(x, n, z);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(lo).toBeLessThanOrEqual(x / n);
      expect(hi).toBeGreaterThanOrEqual(x / n);
    }
    // The closed form: 5 of 100 at z = 1.96 gives 2.15% to 11.18% (Wilson 1927).
    const [lo, hi] = wilsonBounds(5, 100, 1.959964);
    expect(lo).toBeCloseTo(0.02154, 4);
    expect(hi).toBeCloseTo(0.11175, 4);
  });
});
