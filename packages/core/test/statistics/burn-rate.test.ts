import { describe, expect, it } from 'vitest';
import { MIN_BURN_BAD_EVENTS, evaluateGuard } from '../../src/statistics/index.js';
import { burnRateLowerBound, evaluateBurnRate } from '../../src/statistics/burn-rate-guard.js';
import type { BurnWindowCounts, GuardOptions } from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';

const options: GuardOptions = { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' };
const availability = kpiOf(
  '{ name: availability, kind: slo-burn, numerator: failed, denominator: all, guard: { burn_rate: { slo: 99.9% } } }',
);
const H = 3_600_000;
const M = 60_000;
/** The Workbook's default windows (long, short) in ms. */
const LENGTHS = [H, 5 * M, 6 * H, 30 * M, 24 * H, 2 * H, 72 * H, 6 * H];

/** Windows where every window has `total` events and the given error ratio, overridden per length. */
function windows(
  total: number,
  ratio: number,
  override: Record<number, [number, number]> = {},
): BurnWindowCounts[] {
  return [...new Set(LENGTHS)].map((windowMs) => {
    const [bad, t] = override[windowMs] ?? [Math.round(total * ratio), total];
    return { windowMs, bad, total: t };
  });
}

const evaluate = (w: BurnWindowCounts[]) =>
  evaluateGuard(availability, { treatment: { kind: 'slo-burn', windows: w } }, options);

describe('evaluateGuard: SLO burn rate', () => {
  it('passes when every window pair burns under its factor with enough events', () => {
    const r = evaluate(windows(100_000, 0.0005));
    expect(r.verdict).toBe('pass');
    expect(r.rule).toBe('burn-rate');
    expect(r.method).toBe('multiwindow-burn-rate');
    expect(r.alpha.guard).toBe(0.05);
    expect(r.burn).toHaveLength(4);
    expect(r.burn?.[0]?.longRate).toBeCloseTo(0.5, 9);
    expect(r.estimate.treatment).toBeCloseTo(0.0005, 12);
  });

  it('breaches when both windows of a pair burn faster than the factor', () => {
    const r = evaluate(windows(100_000, 0.0005, { [H]: [2000, 100_000], [5 * M]: [300, 10_000] }));
    expect(r.verdict).toBe('breach');
    expect(r.reason).toMatch(
      /1h\/5m at 14\.4x \(long 20x \(at least 1\d\.\dx\) over 100,000 events, short 30x \(at least 2\d\.\dx\) over 10,000/,
    );
  });

  it('does not fire when the short window has recovered', () => {
    const r = evaluate(windows(100_000, 0.0005, { [H]: [2000, 100_000], [5 * M]: [1, 10_000] }));
    expect(r.verdict).toBe('pass');
  });

  it(`does not fire on fewer than ${MIN_BURN_BAD_EVENTS} bad events, however high the rate`, () => {
    const r = evaluate(windows(100_000, 0.0005, { [H]: [2, 10], [5 * M]: [1, 2] }));
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/burning fast on only 2 bad events, needs 5/);
  });

  it('fires on a small but glaring outage (5+ bad events)', () => {
    const r = evaluate(windows(100_000, 0.0005, { [H]: [40, 50], [5 * M]: [8, 10] }));
    expect(r.verdict).toBe('breach');
  });

  it('is insufficient when a long window is too small to show a breach, naming the count needed', () => {
    const r = evaluate(windows(100_000, 0, { [72 * H]: [0, 1000] }));
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/3d\/6h at 1x: 1,000 events in the long window, needs 5,000/);
  });

  it('names its method even without data', () => {
    const r = evaluateGuard(availability, undefined, options);
    expect(r).toMatchObject({ verdict: 'insufficient-evidence', method: 'multiwindow-burn-rate' });
  });

  it('is insufficient when a window has no counts at all', () => {
    const r = evaluate(windows(100_000, 0).filter((w) => w.windowMs !== 30 * M));
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(/no counts for the 30m window/);
  });

  it('rejects impossible counts, naming the field', () => {
    const r = evaluate(windows(100, 0, { [H]: [5, 3] }));
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(
      /treatment\.windows\[0\]\.bad \(5\) exceeds treatment\.windows\[0\]\.total \(3\)/,
    );
  });

  /**
   * The rehearsal's false rollback: 3 hours into a launch, the 3-day and 6-hour
   * windows both hold the same 1,800 events, 5 of them bad (0.28%, a 2.8x burn on
   * point estimates). The Workbook rule fires the 1x pair; the evidence is thin.
   */
  it('waits on a few bad events early in a launch, when the long windows hold only hours', () => {
    const early: BurnWindowCounts[] = [
      { windowMs: H, bad: 1, total: 600 },
      { windowMs: 5 * M, bad: 0, total: 50 },
      { windowMs: 6 * H, bad: 5, total: 1_800 },
      { windowMs: 30 * M, bad: 1, total: 300 },
      { windowMs: 24 * H, bad: 5, total: 1_800 },
      { windowMs: 2 * H, bad: 3, total: 1_200 },
      { windowMs: 72 * H, bad: 5, total: 1_800 },
    ];
    const r = evaluate(early);
    expect(r.verdict).toBe('insufficient-evidence');
    expect(r.reason).toMatch(
      /3d\/6h at 1x: burning faster than its factor, but not convincingly yet: the anytime-valid lower bounds \(at a false alarm share of 0\.0125\) must both exceed 1x \(long 2\.78x \(at least 0x\) over 1,800 events/,
    );
  });

  it('still breaches on a real sustained burn: 1% errors (10x) for two hours', () => {
    // 1,000 events a minute, 1% of them bad since the launch began 2 hours ago.
    const sustained = (minutes: number, windowMinutes: number) => {
      const total = 1000 * Math.min(minutes, windowMinutes);
      return { windowMs: windowMinutes * M, bad: total / 100, total };
    };
    const w = [60, 5, 360, 30, 1440, 120, 4320].map((m) => sustained(120, m));
    const r = evaluate(w);
    expect(r.verdict).toBe('breach');
    expect(r.reason).toMatch(
      /6h\/30m at 6x \(long 10x \(at least [89]\.\d+x\) over 120,000 events/,
    );
  });

  it('matches the Workbook rule at huge volumes', () => {
    const pair = { slo: 0.999, windows: [{ long: H, short: 5 * M, factor: 14.4 }] };
    // 14.6x against 14.4x over 10⁸ and 10⁷ events: the bounds meet the point estimates.
    const r = evaluateBurnRate(
      pair,
      [
        { windowMs: H, bad: 1_460_000, total: 100_000_000 },
        { windowMs: 5 * M, bad: 146_000, total: 10_000_000 },
      ],
      0.01,
    );
    expect(r.outcome.verdict).toBe('breach');
    expect(r.burn[0]?.longRateLower).toBeGreaterThan(14.4);
  });

  it('uses the share it is given: a smaller share needs more evidence', () => {
    const w = { windowMs: H, bad: 40, total: 2_000 };
    const loose = burnRateLowerBound(w, 0.001, 0.05);
    const strict = burnRateLowerBound(w, 0.001, 0.0001);
    expect(loose).toBeGreaterThan(strict);
    expect(strict).toBeGreaterThan(0);
    expect(loose).toBeLessThan(20);
    expect(burnRateLowerBound({ windowMs: H, bad: 0, total: 0 }, 0.001, 0.05)).toBe(0);
  });
});
