/**
 * Seeded A/A simulations of the promise in docs/statistics.md: with no true
 * change, the chance that a guard EVER breaches stays within its stated share
 * of the false alarm budget — per phase for one phase's looks, and for the
 * plan's false_alarm_rate over whole launches. Each setting varies one factor
 * from a base case (occurrence KPI, 3% base rate, a 1% phase against the rest,
 * max_decrease at a margin of 0 — the boundary of the null, the hardest case —
 * looked at every 10 minutes for a day at 100,000 new units an hour), so every
 * value of the issue is covered: base rates 0.3%, 3%, 30%; phases 0.1%, 1%,
 * 10%, 50%; looks every minute and every hour; control rest and holdout;
 * increase and decrease guards; windowed KPIs; whole 4-phase launches.
 *
 * Assertion: the upper end of the 95% Wilson interval of the observed false
 * breach share is within the stated budget. Run counts are sized so that a
 * clean result bounds the rate well below the budget (0 of 400 → 0.95%).
 * THRESHOLD_PRINT_AA=1 prints the figures.
 */
import { describe, expect, it } from 'vitest';
import { falseAlarmSplit } from '../../src/statistics/index.js';
import * as statistics from '../../src/statistics/index.js';
import type { AaLaunchSetting, AaSetting } from './support/aa-launch.js';
import {
  aaLaunchPlan,
  aaPlan,
  falseBreaches,
  judged,
  launchFalseBreaches,
  useWindowRule,
  wilsonUpper,
} from './support/aa-launch.js';

const print = process.env['THRESHOLD_PRINT_AA'] === '1';

// The controller's window rule (the current window of consecutive ones), read from core.
if ('windowStartMs' in statistics)
  useWindowRule((elapsed, window) => statistics.windowStartMs(0, elapsed, window));

const BASE: AaSetting = {
  base: 0.03,
  traffic: 0.01,
  control: 'rest',
  guard: 'max_decrease: 0%',
  lookMinutes: 10,
  hours: 24,
  unitsPerHour: 100_000,
};

const DECREASE = 'max_decrease: 0%';
const INCREASE = 'max_increase: 0%';

const CASES: [string, Partial<AaSetting>, number][] = [
  ['base 0.3%, decrease', { base: 0.003 }, 400],
  ['base 3%, decrease', {}, 400],
  ['base 30%, decrease', { base: 0.3 }, 400],
  ['base 0.3%, increase', { base: 0.003, guard: INCREASE }, 400],
  ['base 3%, increase', { guard: INCREASE }, 400],
  ['base 30%, increase', { base: 0.3, guard: INCREASE }, 400],
  ['count KPI, base 0.3%, decrease', { base: 0.003, kind: 'count' }, 400],
  ['count KPI, base 0.3%, increase', { base: 0.003, kind: 'count', guard: INCREASE }, 400],
  ['phase 0.1%, decrease', { traffic: 0.001 }, 400],
  ['phase 10%, decrease', { traffic: 0.1 }, 400],
  ['phase 50%, decrease', { traffic: 0.5 }, 400],
  ['looks every minute, base 0.3%, decrease', { base: 0.003, lookMinutes: 1 }, 250],
  ['looks every hour, base 0.3%, decrease', { base: 0.003, lookMinutes: 60 }, 400],
  ['holdout, base 0.3%, decrease', { base: 0.003, control: 'holdout' }, 400],
  ['holdout, base 0.3%, increase', { base: 0.003, control: 'holdout', guard: INCREASE }, 400],
  ['window 2h, base 3%, 10% phase, decrease', { traffic: 0.1, window: '2h' }, 400],
  ['window 2h, base 3%, 10% phase, increase', { traffic: 0.1, window: '2h', guard: INCREASE }, 400],
  [
    'window 1h, true +4% against a 5% margin, min_units 5,000',
    { traffic: 0.1, window: '1h', guard: 'max_increase: 5%', effect: 0.04, minUnits: 5000 },
    400,
  ],
  [
    'window 30m, base 0.3%, looks every minute, decrease',
    { base: 0.003, window: '30m', lookMinutes: 1 },
    250,
  ],
];

describe('A/A: false breaches stay within the stated budget (upper 95% Wilson bound)', () => {
  it.each(CASES)('one phase: %s', (name, change, runs) => {
    const setting = { ...BASE, ...change };
    const plan = aaPlan(setting);
    // One statistical KPI in a two-phase plan: its share in this phase.
    const budget = falseAlarmSplit(plan).guard;
    expect(budget).toBeCloseTo(0.025, 12);
    const rate = falseBreaches(setting, runs, 13);
    // The guard really judged the data (an interval at most looks), so 0 breaches means something.
    expect(judged.looks).toBeGreaterThan(runs);
    const upper = wilsonUpper(rate, runs);
    if (print)
      console.log(`${name}: ${rate} of ${runs} (upper ${upper.toFixed(4)}, budget ${budget})`);
    expect(upper).toBeLessThanOrEqual(budget);
  });

  const LAUNCH: AaLaunchSetting = {
    base: 0.003,
    phases: [0.01, 0.1, 0.5, 1],
    control: 'rest',
    guard: DECREASE,
    lookMinutes: 30,
    hoursPerPhase: 24,
    unitsPerHour: 100_000,
  };

  it.each([
    ['rest, decrease, base 0.3%', {}],
    ['rest, increase, base 3%', { guard: INCREASE, base: 0.03 }],
    ['holdout, decrease, base 0.3%', { control: 'holdout' as const }],
  ] as [string, Partial<AaLaunchSetting>][])(
    'whole 4-phase launches (1%, 10%, 50%, 100% against the baseline): %s',
    (name, change) => {
      const setting = { ...LAUNCH, ...change };
      const runs = 400;
      const budget = aaLaunchPlan(setting).analysis.false_alarm_rate;
      const rate = launchFalseBreaches(setting, runs, 29);
      expect(judged.looks).toBeGreaterThan(runs);
      // Every launch's 100% phase was judged against the baseline of its 50% phase.
      expect(judged.baseline).toBeGreaterThan(runs);
      const upper = wilsonUpper(rate, runs);
      if (print)
        console.log(
          `launch ${name}: ${rate} of ${runs} (upper ${upper.toFixed(4)}, budget ${budget})`,
        );
      expect(upper).toBeLessThanOrEqual(budget);
    },
  );
});
