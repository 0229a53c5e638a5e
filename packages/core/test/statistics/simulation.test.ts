/**
 * Seeded simulations of whole launches looked at 100 times each. Under no harm,
 * the share of launches with ANY false breach must stay within the false alarm
 * budget (up to binomial error); a fixed-horizon test on the same data must not
 * (which shows the simulation can catch peeking); under a real regression the
 * guard must breach in most launches.
 */
import { describe, expect, it } from 'vitest';
import {
  addToSketch,
  createSketch,
  evaluateGuard,
  evaluateGuards,
  normalQuantile,
  requiredUnitsPerArm,
} from '../../src/statistics/index.js';
import type {
  ArmAggregates,
  GuardOptions,
  KpiAggregate,
  MomentAggregate,
  QuantileSketch,
  RatioAggregate,
} from '../../src/statistics/index.js';
import { kpiOf, planWith } from './support/plan.js';
import { binomialCeiling, createNormal, createRandom } from './support/random.js';

const LOOKS = 100;

const emptyMoment = (): MomentAggregate => ({ units: 0, sum: 0, sumSquares: 0 });
const addMoment = (a: MomentAggregate, x: number) => {
  a.units += 1;
  a.sum += x;
  a.sumSquares += x * x;
};

interface Outcome {
  /** Launches with a breach at any look. */
  breached: number;
  /** Launches where a one-sided fixed-horizon z-test at the same level fired at any look. */
  naive: number;
}

/**
 * Run `runs` launches of one mean-type KPI; `draw(arm)` gives one unit's value.
 * Each look adds `perLook` units to treatment and `perLook * controlRatio` to control.
 */
function simulateMeans(
  kpi: ReturnType<typeof kpiOf>,
  kind: 'occurrence' | 'mean',
  options: GuardOptions,
  runs: number,
  perLook: number,
  controlRatio: number,
  draw: (arm: 'treatment' | 'control') => number,
): Outcome {
  const zFixed = normalQuantile(1 - options.alpha);
  const compare = kpi.guard.compare;
  let breached = 0;
  let naive = 0;
  for (let run = 0; run < runs; run++) {
    const t = emptyMoment();
    const c = emptyMoment();
    let hit = false;
    let naiveHit = false;
    for (let look = 0; look < LOOKS; look++) {
      for (let i = 0; i < perLook; i++) addMoment(t, draw('treatment'));
      for (let i = 0; i < perLook * controlRatio; i++) addMoment(c, draw('control'));
      const r = evaluateGuard(kpi, { treatment: { kind, ...t }, control: { kind, ...c } }, options);
      if (r.verdict === 'breach') hit = true;
      if (compare !== undefined && !naiveHit) {
        const mt = t.sum / t.units;
        const mc = c.sum / c.units;
        const vt = (t.sumSquares / t.units - mt * mt) / t.units;
        const vc = (c.sumSquares / c.units - mc * mc) / c.units;
        const [d, v] = compare.relative
          ? [mt / mc - 1, vt / (mc * mc) + (mt * mt * vc) / mc ** 4]
          : [mt - mc, vt + vc];
        const harm = compare.bad === 'increase' ? d : -d;
        if (harm - zFixed * Math.sqrt(v) > compare.margin) naiveHit = true;
      }
    }
    if (hit) breached++;
    if (naiveHit) naive++;
  }
  return { breached, naive };
}

describe('simulation: no harm, 100 looks per launch', () => {
  it('occurrence, relative margin 0 (the edge of no harm): false breaches within 5%; peeking a fixed test is not', () => {
    const kpi = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max_increase: 0% } }');
    const random = createRandom(101);
    const runs = 1000;
    const { breached, naive } = simulateMeans(
      kpi,
      'occurrence',
      { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' },
      runs,
      40,
      1,
      () => (random() < 0.2 ? 1 : 0),
    );
    expect(breached / runs).toBeLessThanOrEqual(binomialCeiling(0.05, runs));
    // The same data, tested at a fixed 5% at every look, alarms far more often.
    expect(naive / runs).toBeGreaterThan(0.15);
  });

  it('mean, unequal split 10/90, true change exactly at the +10% margin: within 5%', () => {
    const kpi = kpiOf('{ name: lat, kind: mean, event: ms, guard: { max_increase: 10% } }');
    const normal = createNormal(createRandom(202));
    const runs = 1000;
    const { breached, naive } = simulateMeans(
      kpi,
      'mean',
      { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' },
      runs,
      10,
      9,
      (arm) => (arm === 'treatment' ? 110 : 100) + 30 * normal(),
    );
    expect(breached / runs).toBeLessThanOrEqual(binomialCeiling(0.05, runs));
    expect(naive / runs).toBeGreaterThan(0.15);
  });

  it('mSPRT, occurrence at the +5% margin (τ = margin): within 5%', () => {
    const kpi = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max_increase: 5% } }');
    const random = createRandom(303);
    const runs = 600;
    const { breached } = simulateMeans(
      kpi,
      'occurrence',
      { alpha: 0.05, launchAlpha: 0.05, method: 'msprt' },
      runs,
      200,
      1,
      (arm) => (random() < (arm === 'treatment' ? 0.21 : 0.2) ? 1 : 0),
    );
    expect(breached / runs).toBeLessThanOrEqual(binomialCeiling(0.05, runs));
  });

  it('hard limit with the treatment exactly at max: within 5%', () => {
    const kpi = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max: 0.02 } }');
    const random = createRandom(404);
    const runs = 1000;
    const options: GuardOptions = { alpha: 0.05, launchAlpha: 0.05, method: 'confidence-sequence' };
    let breached = 0;
    for (let run = 0; run < runs; run++) {
      const t = emptyMoment();
      let hit = false;
      for (let look = 0; look < LOOKS && !hit; look++) {
        for (let i = 0; i < 100; i++) addMoment(t, random() < 0.02 ? 1 : 0);
        hit =
          evaluateGuard(kpi, { treatment: { kind: 'occurrence', ...t } }, options).verdict ===
          'breach';
      }
      if (hit) breached++;
    }
    expect(breached / runs).toBeLessThanOrEqual(binomialCeiling(0.05, runs));
  });

  it('a launch with four KPIs of different kinds: any false breach in at most 5% of launches', () => {
    const plan = planWith(`  operational-health:
    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 0% } }
    - { name: errors_per_request, kind: ratio, numerator: err, denominator: req, guard: { max_increase: 0% } }
    - { name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }
  user-impact:
    - { name: basket, kind: mean, event: value, guard: { max_decrease_abs: 0 } }`);
    const random = createRandom(505);
    const normal = createNormal(random);
    const runs = 300;
    const perLook = 30;
    let launchesWithBreach = 0;
    for (let run = 0; run < runs; run++) {
      const arm = () => ({
        errors: emptyMoment(),
        basket: emptyMoment(),
        ratio: {
          units: 0,
          sumNumerator: 0,
          sumDenominator: 0,
          sumNumeratorSquares: 0,
          sumDenominatorSquares: 0,
          sumProducts: 0,
        } as RatioAggregate,
        sketch: createSketch() as QuantileSketch,
      });
      const arms = { treatment: arm(), control: arm() };
      let hit = false;
      for (let look = 0; look < LOOKS; look++) {
        for (const a of Object.values(arms)) {
          for (let i = 0; i < perLook; i++) {
            addMoment(a.errors, random() < 0.1 ? 1 : 0);
            addMoment(a.basket, 50 + 20 * normal());
            const requests = 1 + Math.floor(random() * 6);
            let failed = 0;
            for (let k = 0; k < requests; k++) if (random() < 0.05) failed++;
            const r = a.ratio;
            r.units += 1;
            r.sumNumerator += failed;
            r.sumDenominator += requests;
            r.sumNumeratorSquares += failed * failed;
            r.sumDenominatorSquares += requests * requests;
            r.sumProducts += failed * requests;
            // One to three latency values per unit, all independent here.
            const values = 1 + Math.floor(random() * 3);
            for (let k = 0; k < values; k++)
              addToSketch(a.sketch, 100 * Math.exp(0.6 * normal()), k === 0 ? 1 : 0);
          }
        }
        const aggregate = (a: ReturnType<typeof arm>): Record<string, KpiAggregate> => ({
          errors: { kind: 'occurrence', ...a.errors },
          basket: { kind: 'mean', ...a.basket },
          errors_per_request: { kind: 'ratio', ...a.ratio },
          p95: { kind: 'quantile', sketch: a.sketch },
        });
        const t = aggregate(arms.treatment);
        const c = aggregate(arms.control);
        const data: Record<string, ArmAggregates> = {};
        for (const name of Object.keys(t))
          data[name] = { treatment: t[name] as KpiAggregate, control: c[name] as KpiAggregate };
        if (evaluateGuards(plan, data).some((r) => r.verdict === 'breach')) hit = true;
      }
      if (hit) launchesWithBreach++;
    }
    expect(launchesWithBreach / runs).toBeLessThanOrEqual(binomialCeiling(0.05, runs));
  });
});

describe('simulation: a real regression of three times the margin', () => {
  it('occurrence +15% against a 5% margin breaches in most launches by the planned sample', () => {
    const kpi = kpiOf('{ name: err, kind: occurrence, event: e, guard: { max_increase: 5% } }');
    const alpha = 0.05 / 4;
    const planned = requiredUnitsPerArm({
      kind: 'occurrence',
      baselineMean: 0.2,
      alpha,
      relative: true,
      margin: 0.05,
      power: 0.8,
      effect: 0.15,
    });
    const perLook = Math.ceil(planned / LOOKS);
    const random = createRandom(606);
    const runs = 200;
    const { breached } = simulateMeans(
      kpi,
      'occurrence',
      { alpha, launchAlpha: 0.05, method: 'confidence-sequence' },
      runs,
      perLook,
      1,
      (arm) => (random() < (arm === 'treatment' ? 0.23 : 0.2) ? 1 : 0),
    );
    // The MDE promised 80% power at the last look; earlier looks only add breaches.
    expect(breached / runs).toBeGreaterThanOrEqual(0.8 - 3 * Math.sqrt((0.8 * 0.2) / runs));
  });

  it('p95 latency +30% against a 10% margin breaches in most launches', () => {
    const kpi = kpiOf(
      '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 10% } }',
    );
    const alpha = 0.05 / 4;
    const planned = requiredUnitsPerArm({
      kind: 'quantile',
      baselineMean: 100,
      quantile: { q: 0.95, logSd: 0.6 },
      alpha,
      relative: true,
      margin: 0.1,
      power: 0.8,
      effect: 0.3,
    });
    const looks = 20;
    const perLook = Math.ceil(planned / looks);
    const normal = createNormal(createRandom(707));
    const runs = 100;
    let breached = 0;
    for (let run = 0; run < runs; run++) {
      const t = createSketch();
      const c = createSketch();
      let hit = false;
      for (let look = 0; look < looks && !hit; look++) {
        for (let i = 0; i < perLook; i++) {
          addToSketch(t, 130 * Math.exp(0.6 * normal()), 1);
          addToSketch(c, 100 * Math.exp(0.6 * normal()), 1);
        }
        const r = evaluateGuard(
          kpi,
          { treatment: { kind: 'quantile', sketch: t }, control: { kind: 'quantile', sketch: c } },
          { alpha, launchAlpha: 0.05, method: 'confidence-sequence' },
        );
        hit = r.verdict === 'breach';
      }
      if (hit) breached++;
    }
    expect(breached / runs).toBeGreaterThanOrEqual(0.8 - 3 * Math.sqrt((0.8 * 0.2) / runs));
  });
});
