/**
 * Seeded simulations of the boundary tuned to the phase's expected sample
 * (guardOptionsFor with the units seen per unit time, as the controller and the
 * rehearsal call it) and of the planners against the guards they describe.
 *
 * - No harm: false breaches within the budget (upper end of the 95% Wilson
 *   interval at most α) with the live, running traffic estimate, at 1-minute and
 *   1-hour looks.
 * - A +20% error rate on 2% in a 10% phase: detected with fewer exposed units than
 *   the tuning at min_units (median at most 20,000).
 * - requiredUnitsPerArm (80% power) within 20% of the units by which 80% of
 *   simulated launches breached, for occurrence, mean (a multiplicative slowdown)
 *   and p95 KPIs.
 */
import { describe, expect, it } from 'vitest';
import { guardOptionsFor, parsePlan } from '../../src/index.js';
import type { Plan } from '../../src/index.js';
import { evaluateGuard, requiredUnitsPerArm } from '../../src/statistics/index.js';
import type { ArmAggregates, GuardOptions } from '../../src/statistics/index.js';
import { createNormal, createRandom } from './support/random.js';
import {
  DenseSketch,
  drawArrivals,
  drawBinomial,
  rankQuantile,
  wilsonUpper,
} from './support/streams.js';

const ALPHA = 0.05;
const BASE = {
  alpha: ALPHA,
  launchAlpha: ALPHA,
  method: 'confidence-sequence',
  explain: false,
} as const;

function phasePlan(kpi: string, traffic: string, control: string, minDuration: string): Plan {
  const r = parsePlan(`launch: detection
owner: stats
control: ${control}
phases:
  - { name: canary, traffic: ${traffic}, min_duration: ${minDuration} }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - ${kpi}
`);
  if (!r.valid) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.plan;
}

interface RateScenario {
  plan: Plan;
  rate: number;
  effect: number;
  /** New units of the population per minute. */
  perMinute: number;
  lookMinutes: number;
  hours: number;
  runs: number;
  seed: number;
  /** Daily swing of the traffic: units arrive at perMinute × (1 + diurnal × sin(2π·t/24h)). */
  diurnal?: number;
}

/**
 * Occurrence launches of one phase; per run, treatment units at the first breach
 * with the tuning to the expected sample (`tuned`) and at min_units (`minUnits`).
 */
function rateRuns(
  s: RateScenario,
  compareMinUnits = false,
): { tuned: (number | null)[]; minUnits: (number | null)[] } {
  const random = createRandom(s.seed);
  const normal = createNormal(random);
  const phase = s.plan.phases[0];
  const kpi = s.plan.kpis['operational-health'][0];
  if (phase === undefined || kpi === undefined) throw new Error('plan');
  const share = phase.traffic;
  const controlShare = s.plan.control === 'holdout' ? Math.min(share, 1 - share) : 1 - share;
  const looks = Math.round((s.hours * 60) / s.lookMinutes);
  const tuned: (number | null)[] = [];
  const minUnits: (number | null)[] = [];
  for (let run = 0; run < s.runs; run++) {
    let nT = 0;
    let nC = 0;
    let xT = 0;
    let xC = 0;
    let firstTuned: number | null = null;
    let firstMin: number | null = compareMinUnits ? null : 0;
    for (let k = 1; k <= looks && (firstTuned === null || firstMin === null); k++) {
      const swing = 1 + (s.diurnal ?? 0) * Math.sin((2 * Math.PI * k * s.lookMinutes) / 1440);
      const arriving = drawArrivals(normal, s.perMinute * swing * s.lookMinutes);
      const a = drawBinomial(random, normal, arriving, share);
      const c = drawBinomial(random, normal, arriving - a, controlShare / (1 - share));
      nT += a;
      nC += c;
      xT += drawBinomial(random, normal, a, s.rate * (1 + s.effect));
      xC += drawBinomial(random, normal, c, s.rate);
      const data: ArmAggregates = {
        treatment: { kind: 'occurrence', units: nT, sum: xT, sumSquares: xT },
        control: { kind: 'occurrence', units: nC, sum: xC, sumSquares: xC },
      };
      const seen = { units: nT + nC, elapsedMs: k * s.lookMinutes * 60_000 };
      if (firstTuned === null) {
        const o = guardOptionsFor(s.plan, phase, share, seen);
        if (evaluateGuard(kpi, data, { ...BASE, ...o }).verdict === 'breach') firstTuned = nT;
      }
      if (firstMin === null) {
        const o = guardOptionsFor(s.plan, phase, share);
        if (evaluateGuard(kpi, data, { ...BASE, ...o }).verdict === 'breach') firstMin = nT;
      }
    }
    tuned.push(firstTuned);
    if (compareMinUnits) minUnits.push(firstMin);
  }
  return { tuned, minUnits };
}

const breachShare = (hits: (number | null)[]) => hits.filter((h) => h !== null).length;

describe('boundary tuned to the phase: no harm', () => {
  const errors = '{ name: errors, kind: occurrence, event: err, guard: { max_increase: 0% } }';

  it('2% error rate, 10% phase against the rest, a look every minute for 24 hours: within α', () => {
    const r = rateRuns({
      plan: phasePlan(errors, '10%', 'rest', '24h'),
      rate: 0.02,
      effect: 0,
      perMinute: 208,
      lookMinutes: 1,
      hours: 24,
      runs: 300,
      seed: 1330,
    });
    if (process.env.SHOW_RATES !== undefined) console.log('aa', breachShare(r.tuned));
    expect(wilsonUpper(breachShare(r.tuned), 300)).toBeLessThanOrEqual(ALPHA);
  });

  it('2% rate, 10% phase, traffic swinging ×0.3 to ×1.7 over the day, 10-minute looks for 2 days: within α', () => {
    // The projection follows the traffic, so the tuning moves through the day.
    const r = rateRuns({
      plan: phasePlan(errors, '10%', 'rest', '24h'),
      rate: 0.02,
      effect: 0,
      perMinute: 208,
      lookMinutes: 10,
      hours: 48,
      runs: 400,
      seed: 1334,
      diurnal: 0.7,
    });
    if (process.env.SHOW_RATES !== undefined) console.log('aa', breachShare(r.tuned));
    expect(wilsonUpper(breachShare(r.tuned), 400)).toBeLessThanOrEqual(ALPHA);
  });

  it('0.3% rate, 1% holdout phase, hourly looks for 4 days: within α', () => {
    const r = rateRuns({
      plan: phasePlan(errors, '1%', 'holdout', '48h'),
      rate: 0.003,
      effect: 0,
      perMinute: 3000,
      lookMinutes: 60,
      hours: 96,
      runs: 400,
      seed: 1331,
    });
    if (process.env.SHOW_RATES !== undefined) console.log('aa', breachShare(r.tuned));
    expect(wilsonUpper(breachShare(r.tuned), 400)).toBeLessThanOrEqual(ALPHA);
  });

  it('30% conversion, 50% phase, a look every minute: within α', () => {
    const r = rateRuns({
      plan: phasePlan(
        '{ name: conversion, kind: occurrence, event: buy, guard: { max_increase: 0% } }',
        '50%',
        'rest',
        '6h',
      ),
      rate: 0.3,
      effect: 0,
      perMinute: 20,
      lookMinutes: 1,
      hours: 6,
      runs: 400,
      seed: 1332,
    });
    if (process.env.SHOW_RATES !== undefined) console.log('aa', breachShare(r.tuned));
    expect(wilsonUpper(breachShare(r.tuned), 400)).toBeLessThanOrEqual(ALPHA);
  });
});

describe('boundary tuned to the phase: +20% on a 2% error rate in a 10% phase', () => {
  const r = rateRuns(
    {
      plan: phasePlan(
        '{ name: errors, kind: occurrence, event: err, guard: { max_increase: 0% } }',
        '10%',
        'rest',
        '24h',
      ),
      rate: 0.02,
      effect: 0.2,
      perMinute: 208,
      lookMinutes: 10,
      hours: 72,
      runs: 200,
      seed: 1333,
    },
    true,
  );

  it('breaches with a median of at most 20,000 treatment units, fewer than tuned at min_units', () => {
    const tuned = rankQuantile(r.tuned, 0.5);
    const before = rankQuantile(r.minUnits, 0.5);
    if (process.env.SHOW_RATES !== undefined) console.log('median', tuned, before);
    expect(tuned).toBeLessThanOrEqual(20_000);
    expect(tuned).toBeLessThan(0.8 * before);
  });
});

/** Treatment units by which 80% of runs breached. */
function units80(hits: (number | null)[]): number {
  return rankQuantile(hits, 0.8);
}

function within20(planned: number, simulated: number): void {
  if (process.env.SHOW_RATES !== undefined) console.log('planned', planned, 'simulated', simulated);
  expect(planned / simulated).toBeGreaterThan(1 / 1.2);
  expect(planned / simulated).toBeLessThan(1.2);
}

describe('planners against the guard they describe (80% power)', () => {
  it('occurrence: +20% on 2%, 1:9 split', () => {
    const tuneUnits = 300_000;
    const planned = requiredUnitsPerArm({
      kind: 'occurrence',
      baselineMean: 0.02,
      controlRatio: 9,
      alpha: ALPHA,
      relative: true,
      margin: 0,
      effect: 0.2,
      tuneUnits,
    });
    const plan = phasePlan(
      '{ name: errors, kind: occurrence, event: err, guard: { max_increase: 0% } }',
      '10%',
      'rest',
      '24h',
    );
    const kpi = plan.kpis['operational-health'][0];
    if (kpi === undefined) throw new Error('plan');
    const random = createRandom(1340);
    const normal = createNormal(random);
    const hits: (number | null)[] = [];
    const perLook = Math.ceil(planned / 100);
    for (let run = 0; run < 400; run++) {
      let nT = 0;
      let xT = 0;
      let xC = 0;
      let hit: number | null = null;
      for (let look = 0; look < 250 && hit === null; look++) {
        nT += perLook;
        xT += drawBinomial(random, normal, perLook, 0.024);
        xC += drawBinomial(random, normal, 9 * perLook, 0.02);
        const r = evaluateGuard(
          kpi,
          {
            treatment: { kind: 'occurrence', units: nT, sum: xT, sumSquares: xT },
            control: { kind: 'occurrence', units: 9 * nT, sum: xC, sumSquares: xC },
          },
          { ...BASE, tuneUnits },
        );
        if (r.verdict === 'breach') hit = nT;
      }
      hits.push(hit);
    }
    within20(planned, units80(hits));
  });

  /** Log-normal values (log sd σ), treatment slowed by a factor 1 + effect; equal arms. */
  function slowdownHits(
    judge: (t: DenseSketch, c: DenseSketch) => boolean,
    perLook: number,
    seed: number,
  ): (number | null)[] {
    const normal = createNormal(createRandom(seed));
    const hits: (number | null)[] = [];
    for (let run = 0; run < 150; run++) {
      const t = new DenseSketch();
      const c = new DenseSketch();
      let hit: number | null = null;
      for (let look = 0; look < 250 && hit === null; look++) {
        for (let i = 0; i < perLook; i++) {
          t.add(110 * Math.exp(normal()));
          c.add(100 * Math.exp(normal()));
        }
        if (judge(t, c)) hit = t.count;
      }
      hits.push(hit);
    }
    return hits;
  }

  it('mean: a 10% multiplicative slowdown of log-normal latencies', () => {
    const mean = 100 * Math.exp(0.5);
    const planned = requiredUnitsPerArm({
      kind: 'mean',
      baselineMean: mean,
      baselineVariance: mean * mean * (Math.E - 1),
      alpha: ALPHA,
      relative: true,
      margin: 0,
      effect: 0.1,
      tuneUnits: 20_000,
    });
    const kpi = parsePlanKpi('{ name: mean, kind: mean, event: ms, guard: { max_increase: 0% } }');
    const options: GuardOptions = { ...BASE, tuneUnits: 20_000 };
    const hits = slowdownHits(
      (t, c) =>
        evaluateGuard(
          kpi,
          {
            treatment: { kind: 'mean', units: t.count, sum: t.sum, sumSquares: t.sumSquares },
            control: { kind: 'mean', units: c.count, sum: c.sum, sumSquares: c.sumSquares },
          },
          options,
        ).verdict === 'breach',
      Math.ceil(planned / 100),
      1341,
    );
    within20(planned, units80(hits));
  });

  it('p95: a 10% multiplicative slowdown of log-normal latencies', () => {
    const planned = requiredUnitsPerArm({
      kind: 'quantile',
      baselineMean: 100 * Math.exp(1.6448536269514722),
      quantile: { q: 0.95, logSd: 1 },
      alpha: ALPHA,
      relative: true,
      margin: 0,
      effect: 0.1,
      tuneUnits: 40_000,
    });
    const kpi = parsePlanKpi(
      '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }',
    );
    const options: GuardOptions = { ...BASE, tuneUnits: 40_000 };
    const hits = slowdownHits(
      (t, c) =>
        evaluateGuard(
          kpi,
          {
            treatment: { kind: 'quantile', sketch: t.sketch() },
            control: { kind: 'quantile', sketch: c.sketch() },
          },
          options,
        ).verdict === 'breach',
      Math.ceil(planned / 100),
      1342,
    );
    within20(planned, units80(hits));
  });
});

function parsePlanKpi(flow: string) {
  const kpi = phasePlan(flow, '10%', 'holdout', '1h').kpis['operational-health'][0];
  if (kpi === undefined) throw new Error('plan');
  return kpi;
}
