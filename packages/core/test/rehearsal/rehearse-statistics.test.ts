/**
 * The rehearsal measures what the statistics engine promises: on a synthetic
 * history with known parameters, the simulated false alarm rate stays within
 * the plan's budget, and a one-phase test's simulated detection rate matches the
 * engine's analytical power, within Monte Carlo error (fixed seeds).
 */
import { describe, expect, it } from 'vitest';
import { minimumDetectableEffect, rehearse } from '@threshold/core';
import type { DetectableEffectInput, Plan } from '@threshold/core';
import { planOf } from './fixtures.js';

const DAY = 86_400_000;

/** The engine's power for a harm: the `power` at which its MDE equals the harm (bisection). */
function analyticalPower(input: Omit<DetectableEffectInput, 'power'>, harm: number): number {
  let lo = 1e-6;
  let hi = 1 - 1e-6;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (minimumDetectableEffect({ ...input, power: mid }) < harm) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A test phase at 50% for a day, then 100%: detection can only happen in the test phase. */
function oneTestPhase(guard: string, kind = 'occurrence'): Plan {
  return planOf(`
launch: power
owner: test
phases:
  - { name: test, traffic: 50%, min_duration: 1d, min_units: 100 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: ${kind}, event: e, guard: ${guard}, on_breach: rollback }
`);
}

describe('rehearse: detection matches the analytical power', () => {
  // The variance is passed to the engine explicitly, so the cases are chosen where a
  // change leaves it alone (a shifted mean, a rate near 50%) and both arms share it.
  it.each([
    { kind: 'mean', baseline: { value: 10, sd: 5 }, variance: 25 },
    { kind: 'occurrence', baseline: { value: 0.5 }, variance: 0.25 },
  ] as const)(
    'one look at the end of a one-day test phase ($kind): simulated rate within Monte Carlo error of the engine power',
    ({ kind, baseline, variance }) => {
      const plan = oneTestPhase('{ max_increase_abs: 0 }', kind);
      const perMinute = 20;
      const engine: Omit<DetectableEffectInput, 'power'> = {
        kind,
        unitsPerArm: perMinute * 1440 * 0.5,
        controlRatio: 1,
        baselineMean: baseline.value,
        baselineVariance: variance,
        // The plan has two phases: each gets half of the 5% budget.
        alpha: 0.025,
        margin: 0,
        minUnits: 100,
        // As the controller tunes the sequence: the phase's expected sample by its
        // min_duration (20 units a minute for a day, both arms).
        tuneUnits: perMinute * 1440,
        monitoring: 'single-look',
      };
      // A harm the engine says is caught about half the time at the phase's one look.
      const effect = minimumDetectableEffect({ ...engine, power: 0.55 });
      const report = rehearse(
        plan,
        { unitsPerMinute: perMinute, baselines: { errors: baseline } },
        {
          runs: 1500,
          seed: 3,
          // Exactly one look, at the end of the test phase's minimum duration.
          lookIntervalMs: DAY,
          maxDurationMs: DAY,
          injections: [
            {
              label: 'errors',
              effects: [{ kpi: 'errors', size: effect, relative: false, fromPhase: null }],
            },
          ],
        },
      );
      const power = analyticalPower(engine, effect);
      const caught = report.injections[0]?.caught;
      expect(power).toBeCloseTo(0.55, 3);
      expect(caught?.runs).toBe(1500);
      // The analytical power lies inside the simulated rate's 95% Wilson interval.
      expect(caught?.low).toBeLessThanOrEqual(power);
      expect(caught?.high).toBeGreaterThanOrEqual(power);
      // Every catch happens in the test phase, at its only look.
      expect(report.injections[0]?.byPhase[0]?.caught.count).toBe(caught?.count);
      expect(report.injections[0]?.timeToDetect.medianMs).toBe(DAY);
    },
  );

  it('looking every 30 minutes only adds catches: at least the single-look power', () => {
    const plan = oneTestPhase('{ max_increase: 0% }');
    const engine: Omit<DetectableEffectInput, 'power'> = {
      kind: 'occurrence',
      unitsPerArm: 14_400,
      controlRatio: 1,
      baselineMean: 0.1,
      alpha: 0.025,
      relative: true,
      margin: 0,
      minUnits: 100,
      tuneUnits: 20 * 1440,
      monitoring: 'single-look',
    };
    const effect = minimumDetectableEffect({ ...engine, power: 0.55 });
    const report = rehearse(
      plan,
      { unitsPerMinute: 20, baselines: { errors: { value: 0.1 } } },
      {
        runs: 600,
        seed: 4,
        lookIntervalMs: 30 * 60_000,
        maxDurationMs: DAY,
        injections: [
          {
            label: 'errors',
            effects: [{ kpi: 'errors', size: effect, relative: true, fromPhase: null }],
          },
        ],
      },
    );
    expect(report.injections[0]?.caught.high).toBeGreaterThanOrEqual(0.55);
  });
});

describe('rehearse: false alarms on clean history stay within the budget', () => {
  it('every statistical kind, 48 looks a launch: the false pause/rollback rate is not above 5%', () => {
    const plan = planOf(`
launch: aa
owner: test
phases:
  - { name: test, traffic: 50%, min_duration: 1d, min_units: 100 }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 0% }, on_breach: pause }
    - { name: order_value, kind: mean, event: buy, guard: { max_decrease: 0% }, on_breach: pause }
    - { name: clicks, kind: ratio, numerator: c, denominator: v, guard: { max_decrease: 0% }, on_breach: pause }
  operational-health:
    - { name: errors, kind: count, event: err, guard: { max_increase: 0% } }
    - { name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }
analysis: { false_alarm_rate: 5% }
`);
    const report = rehearse(
      plan,
      { unitsPerMinute: 30 },
      { runs: 600, seed: 5, lookIntervalMs: 30 * 60_000, maxDurationMs: DAY },
    );
    const clean = report.clean;
    expect(clean.runs).toBe(600);
    expect(clean.budget).toBe(0.05);
    // Within Monte Carlo error of the budget: the interval's low end is not above it.
    expect(clean.falseStop.low).toBeLessThanOrEqual(0.05);
    expect(clean.falseAlarm.low).toBeLessThanOrEqual(0.05);
    // Every launch ran its 48 looks in the test phase (margins of 0 never pass).
    expect(clean.outcomes.unfinished.count + clean.falseStop.count).toBe(600);
  });

  it('an under-powered canary is reported with what it would need', () => {
    const plan = planOf(`
launch: weak-canary
owner: test
phases:
  - { name: canary, traffic: 1%, min_duration: 1h, min_units: 50 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: e, guard: { max_increase: 10% }, on_breach: rollback }
`);
    const report = rehearse(
      plan,
      { unitsPerMinute: 3000, baselines: { error_rate: { value: 0.02 } } },
      {
        runs: 100,
        seed: 6,
        maxDurationMs: 6 * 3_600_000,
        injections: [
          {
            label: 'error_rate=+30%',
            effects: [{ kpi: 'error_rate', size: 0.3, relative: true, fromPhase: null }],
          },
        ],
      },
    );
    const canary = report.detectableEffects[0]?.kpis[0];
    expect(canary?.kpi).toBe('error_rate');
    expect(canary?.mde).toBeGreaterThan(0.3);
    const finding = report.findings.find((f) => f.phase === 'canary' && f.kpi === 'error_rate');
    expect(finding?.text).toMatch(
      /^phase canary \(1% for 1h\) cannot detect \+30% in error_rate: caught there in .* of launches; it detects \+\d+(\.\d+)?% at best; it needs \S+ at 1% or \d+% for 1h$/,
    );
  });
});
