/**
 * noGuardBreaches (what the rehearsal asks at looks before a phase's minimum
 * duration) says "no breach" exactly when evaluateGuards gives no breach: its
 * shortcuts for comparisons of means and of quantiles only ever prove what the
 * full rules conclude, and every guard they cannot settle is judged by them.
 * Arms are drawn close together (so both answers come up often), far apart, or
 * malformed; quantile arms as running counts, as the simulator's are.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateGuards } from '../../src/statistics/index.js';
import type {
  ArmAggregates,
  KpiAggregate,
  QuantileSketch,
  RunningCounts,
} from '../../src/statistics/index.js';
import { noGuardBreaches } from '../../src/statistics/breach-screen.js';
import { compareQuantiles, quantilesCannotBreach } from '../../src/statistics/quantile-guard.js';
import { GuardScratch } from '../../src/statistics/quiet-guards.js';
import { aggregate, plausibleArms } from './support/aggregates.js';
import { lookInputs } from './support/looks.js';
import { planWith } from './support/plan.js';

const MATRIX = `
  operational-health:
    - { name: occ, kind: occurrence, event: e, guard: { max_increase: 10% } }
    - { name: p95, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% } }
    - { name: p50, kind: quantile, q: 0.5, event: l, guard: { max_decrease_abs: 1 } }
    - { name: p99cap, kind: quantile, q: 0.99, event: l, guard: { max_increase: 5%, max: 500 } }
    - { name: slo, kind: slo-burn, numerator: a, denominator: b, guard: { burn_rate: { slo: 99% } } }
  user-impact:
    - { name: avg, kind: mean, event: e, guard: { max_decrease: 5% } }
    - { name: cnt, kind: count, event: e, guard: { max_increase_abs: 0 }, window: 1h }
    - { name: cap, kind: occurrence, event: e, guard: { max_increase: 10%, max: 0.2 } }
  efficiency:
    - { name: rat, kind: ratio, numerator: a, denominator: b, guard: { max_increase: 0% } }`;

const plans = [planWith(MATRIX), planWith(MATRIX, 'analysis: { method: msprt }')];
const matrix = Object.values(plans[0]?.kpis ?? {}).flat();
const NAMES = matrix.map((k) => k.name);
const kpiNamed = (name: string) => {
  const kpi = matrix.find((k) => k.name === name);
  if (kpi === undefined) throw new Error(name);
  return kpi;
};

const GAMMA = 1.01 / 0.99;

/** Running counts over buckets from..from+counts.length−1, read off a listed histogram. */
function runningOf(from: number, counts: readonly number[]): RunningCounts {
  const prefix: number[] = [];
  let total = 0;
  for (const c of counts) prefix.push((total += c));
  return {
    lowest: from,
    highest: from + counts.length - 1,
    upTo: (i) =>
      i < from ? 0 : i >= from + counts.length - 1 ? total : (prefix[i - from] as number),
  };
}

function sketchOfCounts(
  from: number,
  counts: number[],
  zeros: number,
  units: number,
): QuantileSketch {
  const total = counts.reduce((a, b) => a + b, 0);
  const count = total + zeros;
  return {
    units: Math.min(units, count),
    count,
    zeroCount: zeros,
    positive: [],
    negative: [],
    min: count === 0 ? 0 : zeros > 0 ? 0 : Math.pow(GAMMA, from - 1),
    max: count === 0 ? 0 : Math.pow(GAMMA, from + counts.length),
    running: runningOf(from, counts),
  };
}

/** Two arms of running counts: control's histogram, treatment's shifted by a few buckets and rescaled. */
const quantileArms: fc.Arbitrary<ArmAggregates> = fc
  .record({
    from: fc.integer({ min: -20, max: 400 }),
    counts: fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 50 }),
    shift: fc.integer({ min: -12, max: 12 }),
    scale: fc.constantFrom(0.01, 0.2, 1, 1, 1, 3),
    zeros: fc.constantFrom(0, 0, 0, 50),
    units: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 2_000_000 })),
  })
  .map(({ from, counts, shift, scale, zeros, units }) => {
    const scaled = counts.map((c) => Math.round(c * scale));
    const control: KpiAggregate = {
      kind: 'quantile',
      sketch: sketchOfCounts(from, counts, zeros, units),
    };
    const treatment: KpiAggregate = {
      kind: 'quantile',
      sketch: sketchOfCounts(from + shift, scaled, zeros, Math.round(units * scale)),
    };
    return { treatment, control };
  });

/** Mean-type arms with treatment a few percent off control (both answers come up). */
function nearArms(name: string): fc.Arbitrary<ArmAggregates> {
  return fc
    .tuple(plausibleArms(kpiNamed(name)), fc.integer({ min: -30, max: 30 }))
    .map(([{ control }, pct]) => {
      const f = 1 + pct / 100;
      if (control === undefined) throw new Error('control');
      const c = control as Record<string, unknown> & KpiAggregate;
      const t: Record<string, unknown> = { ...c };
      if (c.kind === 'occurrence') {
        t.sum = Math.min(c.units, Math.round(c.sum * f));
        t.sumSquares = t.sum;
      } else if (c.kind === 'count' || c.kind === 'mean') {
        t.sum = c.sum * f;
        t.sumSquares = c.sumSquares * f * f;
      } else if (c.kind === 'ratio') {
        t.sumNumerator = c.sumNumerator * f;
        t.sumNumeratorSquares = c.sumNumeratorSquares * f * f;
        t.sumProducts = c.sumProducts * f;
      }
      return { treatment: t as unknown as KpiAggregate, control };
    });
}

function arms(name: string): fc.Arbitrary<ArmAggregates | undefined> {
  const kind = kpiNamed(name).kind;
  const close = kind === 'quantile' ? quantileArms : kind === 'slo-burn' ? null : nearArms(name);
  const options: { weight: number; arbitrary: fc.Arbitrary<ArmAggregates | undefined> }[] = [
    { weight: 4, arbitrary: plausibleArms(kpiNamed(name)) },
    {
      weight: 1,
      arbitrary: plausibleArms(kpiNamed(name)).map((a) => ({ treatment: a.treatment })),
    },
    { weight: 1, arbitrary: fc.record({ treatment: aggregate, control: aggregate }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ];
  if (close !== null) options.push({ weight: 12, arbitrary: close });
  return fc.oneof(...options);
}

const look = fc.record({
  plan: fc.constantFrom(0, 1),
  data: fc.tuple(...NAMES.map(arms)),
  minUnits: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 5000 }) },
    { weight: 1, arbitrary: fc.constant(-1) },
  ),
  tuneUnits: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
  // Against a fixed baseline the shortcuts stand aside (every guard judged in full).
  baseline: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('canary') },
  ),
  phaseElapsedMs: fc.integer({ min: 0, max: 20_000_000 }),
});

describe('noGuardBreaches', () => {
  it('says no breach exactly when evaluateGuards gives none', () => {
    const proven = new Map<string, number>();
    let clear = 0;
    let breached = 0;
    fc.assert(
      fc.property(look, (l) => {
        const plan = plans[l.plan];
        if (plan === undefined) throw new Error('plan');
        const { data, options } = lookInputs(NAMES, l);
        const full = evaluateGuards(plan, data, { ...options, explain: true });
        const none = !full.some((r) => r.verdict === 'breach');
        const scratch = new GuardScratch();
        expect(noGuardBreaches(plan, data, options, scratch)).toBe(none);
        if (none) {
          clear++;
          // A guard left without a result was settled by a shortcut, with no interval.
          NAMES.forEach((name, i) => {
            if (scratch.owned[i] === undefined) proven.set(name, (proven.get(name) ?? 0) + 1);
          });
        } else breached++;
      }),
      { numRuns: 4000, seed: 20261203 },
    );
    expect(clear).toBeGreaterThan(400);
    expect(breached).toBeGreaterThan(400);
    // The shortcuts do settle guards (of the kinds they cover, and none other).
    for (const name of ['occ', 'p95', 'p50', 'avg', 'cnt', 'rat'])
      expect(proven.get(name) ?? 0, name).toBeGreaterThan(100);
    for (const name of ['p99cap', 'slo', 'cap']) expect(proven.get(name) ?? 0, name).toBe(0);
  });
});

describe('quantilesCannotBreach', () => {
  const counts = Array.from({ length: 40 }, (_, i) =>
    Math.round(1000 * Math.exp(-((i - 20) ** 2) / 50)),
  );
  const arm = (shift: number) => sketchOfCounts(300 + shift, counts, 0, 1e6);
  const compare = { bad: 'increase' as const, margin: 0.1, relative: true };
  const settings = { alpha: 0.01, method: 'confidence-sequence' as const, minUnits: 100 };

  it('settles equal arms from their buckets alone, with enough units for an estimate', () => {
    expect(quantilesCannotBreach(compare, 0.95, arm(0), arm(0))).toBe(true);
    // One bucket up (about 2%) is still well inside a 10% margin.
    expect(quantilesCannotBreach(compare, 0.95, arm(1), arm(0))).toBe(true);
    expect(compareQuantiles(compare, 0.95, arm(1), arm(0), settings).outcome.verdict).not.toBe(
      'breach',
    );
  });

  it('leaves a change past the margin to the full rule, which breaches', () => {
    expect(quantilesCannotBreach(compare, 0.95, arm(10), arm(0))).toBe(false);
    expect(compareQuantiles(compare, 0.95, arm(10), arm(0), settings).outcome.verdict).toBe(
      'breach',
    );
  });

  it('proves nothing from running counts that are not whole numbers (outside their contract)', () => {
    // A bucket holding 0.05 of a value puts the interpolated median far past its
    // upper edge, and the full rule breaches on it (found by an independent review).
    const bell = Array.from({ length: 201 }, (_, i) =>
      Math.round((1e6 * Math.exp(-((i - 100) ** 2) / 800)) / Math.sqrt(800 * Math.PI)),
    );
    const upTo: number[] = [];
    let sum = 0;
    for (const x of bell) upTo.push((sum += x));
    const rank = Math.floor(0.5 * (sum - 1)) + 1;
    const b = upTo.findIndex((u) => u > rank - 1);
    const odd = upTo.slice();
    odd[b - 1] = rank - 1;
    odd[b] = rank - 1 + 0.05;
    const sketchOf = (prefix: number[]): QuantileSketch => ({
      units: sum,
      count: sum,
      zeroCount: 0,
      positive: [],
      negative: [],
      min: Math.pow(GAMMA, 299),
      max: Math.pow(GAMMA, 300 + prefix.length - 1),
      running: {
        lowest: 300,
        highest: 300 + prefix.length - 1,
        upTo: (i) =>
          i < 300 ? 0 : i >= 300 + prefix.length - 1 ? sum : (prefix[i - 300] as number),
      },
    });
    const half = { bad: 'increase' as const, margin: 0.05, relative: true };
    const t = sketchOf(odd);
    const c = sketchOf(upTo);
    expect(compareQuantiles(half, 0.5, t, c, settings).outcome.verdict).toBe('breach');
    expect(quantilesCannotBreach(half, 0.5, t, c)).toBe(false);
  });

  it('proves nothing for sketches that list their buckets', () => {
    const { running: _running, ...listed } = arm(0);
    const positive = counts.map((c, i): [number, number] => [300 + i, c]);
    expect(quantilesCannotBreach(compare, 0.95, { ...listed, positive }, arm(0))).toBe(false);
  });
});
