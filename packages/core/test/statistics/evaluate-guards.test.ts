import { describe, expect, it } from 'vitest';
import {
  aggregateEvents,
  evaluateGuard,
  evaluateGuards,
  occurrenceOf,
  splitFalseAlarmBudget,
} from '../../src/statistics/index.js';
import type { KpiAggregate, UnitEvent } from '../../src/statistics/index.js';
import { kpiOf, planWith } from './support/plan.js';

const matrix = `  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase: 10% } }
    - { name: availability, kind: slo-burn, numerator: bad, denominator: all, guard: { burn_rate: { slo: 99.9% } } }
  user-impact:
    - { name: conversion, kind: occurrence, event: buy, guard: { max_decrease: 2% } }
  efficiency:
    - { name: cpu, kind: mean, source: prometheus, query: 'cpu{arm="{{arm}}"}', guard: { max_increase: 15%, max: 2 } }`;

const occ = (units: number, occurred: number): KpiAggregate => ({
  kind: 'occurrence',
  ...occurrenceOf(units, occurred),
});

describe('splitFalseAlarmBudget', () => {
  it('splits evenly (Bonferroni)', () => {
    expect(splitFalseAlarmBudget(0.05, 5)).toBeCloseTo(0.01, 15);
    expect(splitFalseAlarmBudget(0.05, 1)).toBe(0.05);
    expect(splitFalseAlarmBudget(0.05, 0)).toBe(0.05);
  });

  it('rejects bad input naming the field', () => {
    expect(() => splitFalseAlarmBudget(0, 3)).toThrow(/launchAlpha must be between 0 and 1/);
    expect(() => splitFalseAlarmBudget(0.05, 1.5)).toThrow(
      /kpiCount must be a non-negative integer/,
    );
  });
});

describe('evaluateGuards', () => {
  it('evaluates the whole matrix in category order with the budget split across statistical guards', () => {
    const plan = planWith(matrix);
    const results = evaluateGuards(plan, {
      error_rate: { treatment: occ(50_000, 5_000), control: occ(50_000, 5_000) },
      conversion: { treatment: occ(50_000, 2_000), control: occ(50_000, 2_500) },
    });
    expect(results.map((r) => [r.category, r.kpi])).toEqual([
      ['efficiency', 'cpu'],
      ['user-impact', 'conversion'],
      ['operational-health', 'error_rate'],
      ['operational-health', 'availability'],
    ]);
    // Four statistical guards in each of two phases share 5%: the burn-rate guard breaches on
    // confidence bounds too, and aggregates restart at each phase.
    expect(results.map((r) => r.alpha.guard)).toEqual([0.05 / 8, 0.05 / 8, 0.05 / 8, 0.05 / 8]);
    expect(results.every((r) => r.alpha.phases === 2)).toBe(true);
    expect(results.every((r) => r.alpha.launch === 0.05)).toBe(true);
    expect(results.find((r) => r.kpi === 'conversion')?.verdict).toBe('breach');
    // KPIs without data (prometheus cpu, the SLO) are insufficient, never a pass.
    expect(results.find((r) => r.kpi === 'cpu')).toMatchObject({
      verdict: 'insufficient-evidence',
      reason: 'no data yet for KPI cpu',
    });
    expect(results.find((r) => r.kpi === 'availability')?.verdict).toBe('insufficient-evidence');
  });

  it('uses the plan method and false alarm rate, and the caller minimum sample', () => {
    const plan = planWith(matrix, 'analysis: { method: msprt, false_alarm_rate: 10% }');
    const results = evaluateGuards(
      plan,
      { error_rate: { treatment: occ(500_000, 50_000), control: occ(500_000, 50_000) } },
      { minUnits: 1_000_000 },
    );
    const error = results.find((r) => r.kpi === 'error_rate');
    expect(error?.method).toBe('msprt');
    expect(error?.alpha).toEqual({ guard: 0.1 / 8, launch: 0.1, phases: 2 });
    expect(error?.verdict).toBe('insufficient-evidence');
    expect(error?.reason).toMatch(/of the 1,000,000 needed/);
  });

  it('does not take data from the prototype chain', () => {
    const plan = planWith(
      `  operational-health:\n    - { name: constructor, kind: occurrence, event: e, guard: { max: 0.1 } }`,
    );
    expect(evaluateGuards(plan, {})[0]?.reason).toBe('no data yet for KPI constructor');
  });
});

describe('per-unit aggregation', () => {
  const exposed = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('counts a unit with 1,000 events once for an occurrence KPI', () => {
    const events: UnitEvent[] = [
      ...Array.from({ length: 1000 }, () => ({ unit: 'u0' })),
      { unit: 'u1' },
      { unit: 'not-exposed' },
    ];
    expect(aggregateEvents('occurrence', exposed('u', 10), events)).toEqual({
      kind: 'occurrence',
      units: 10,
      sum: 2,
      sumSquares: 2,
    });
    expect(aggregateEvents('count', exposed('u', 10), events)).toEqual({
      kind: 'count',
      units: 10,
      sum: 1001,
      sumSquares: 1_000_001,
    });
    expect(
      aggregateEvents('mean', exposed('u', 10), [
        ...Array.from({ length: 1000 }, () => ({ unit: 'u0', value: 100 })),
        { unit: 'u1', value: 10 },
      ]),
    ).toEqual({ kind: 'mean', units: 2, sum: 110, sumSquares: 10_100 });
  });

  it('a heavy user in treatment does not breach an occurrence guard; counting events as samples would', () => {
    const kpi = kpiOf(
      '{ name: error_rate, kind: occurrence, event: err, guard: { max_increase: 10% } }',
    );
    const n = 20_000;
    // Both arms: 10% of units see an error once; treatment also has one unit with 1,000 errors.
    const errors = (prefix: string) =>
      Array.from({ length: n / 10 }, (_, i) => ({ unit: `${prefix}${i * 10}` }));
    const tEvents = [...errors('t'), ...Array.from({ length: 1000 }, () => ({ unit: 't1' }))];
    const treatment = aggregateEvents('occurrence', exposed('t', n), tEvents);
    const control = aggregateEvents('occurrence', exposed('c', n), errors('c'));
    const options = { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' as const };
    expect(evaluateGuard(kpi, { treatment, control }, options).verdict).not.toBe('breach');
    // The naive event count (3,000 "occurrences" among 20,000) would be a breach.
    const naive = { treatment: occ(n, tEvents.length), control };
    expect(evaluateGuard(kpi, naive, options).verdict).toBe('breach');
  });

  it('rejects bad raw values naming them', () => {
    expect(() => aggregateEvents('mean', ['a'], [{ unit: 'a' }])).toThrow(
      /events\[0\]\.value is required for kind mean/,
    );
    expect(() => occurrenceOf(10, 11)).toThrow(
      /occurred must be an integer from 0 to units \(10\), got 11/,
    );
  });
});
