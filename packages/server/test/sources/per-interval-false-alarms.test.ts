/**
 * The statistical promise of ADR 0015, by seeded simulation: when requests are
 * correlated (errors come in clusters, as retries of one failing session do),
 * per-interval samples keep an A/A comparison's false alarms within the guard's
 * budget across every look, while counting requests as independent samples does
 * not; and the overdispersion factor does the same for burn-rate windows.
 */
import { evaluateGuard, momentOf, parsePlan, ratioOf } from '@threshold/core';
import type { Kpi } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { overdispersion } from '../../src/sources/overdispersion.js';

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

const kpiOf = (yaml: string): Kpi => {
  const r = parsePlan(`
launch: sim
owner: sim
phases: [{ name: canary, traffic: 50% }, { name: full, traffic: 100% }]
kpis:
  operational-health:
${yaml}`);
  if (!r.valid) throw new Error(JSON.stringify(r.errors));
  return r.plan.kpis['operational-health'][0] as Kpi;
};

const RATIO = kpiOf(`    - name: errors
      kind: ratio
      source: prometheus
      numerator: bad
      denominator: all
      guard: { max_increase_abs: 0 }`);
const OCCURRENCE = kpiOf(
  `    - { name: errors, kind: occurrence, event: error, guard: { max_increase_abs: 0 } }`,
);

const BURN = kpiOf(`    - name: availability
      kind: slo-burn
      source: prometheus
      numerator: bad
      denominator: all
      guard: { burn_rate: { slo: 98%, windows: [{ long: 10m, short: 5m, factor: 0.5 }] } }`);

const ALPHA = 0.05;
const RUNS = 300;
const INTERVALS = 60;
const REQUESTS = 1000; // per arm and interval
const CLUSTER = 10; // errors per failing session
const CLUSTERS = 1; // failing sessions per interval, on average: a 1% error rate

/** One arm's interval: requests and errors, errors in clusters of `size`. */
function interval(random: () => number, size = CLUSTER): [number, number] {
  return [Math.min(REQUESTS, size * poisson(random, (CLUSTERS * CLUSTER) / size)), REQUESTS];
}

describe('per-interval samples under correlated requests (seeded)', () => {
  it('keep A/A false alarms within the budget at every look; requests as units do not', () => {
    const random = rng(2026);
    let perInterval = 0;
    let perRequest = 0;
    const options = { alpha: ALPHA, launchAlpha: ALPHA, method: 'confidence-sequence' as const };
    for (let run = 0; run < RUNS; run++) {
      const t: [number, number][] = [];
      const c: [number, number][] = [];
      let alarmed = false;
      let naiveAlarmed = false;
      for (let i = 0; i < INTERVALS; i++) {
        t.push(interval(random));
        c.push(interval(random));
        if (t.length < 20) continue; // fewer intervals than a live look judges
        const g = evaluateGuard(
          RATIO,
          {
            treatment: { kind: 'ratio', ...ratioOf(t) },
            control: { kind: 'ratio', ...ratioOf(c) },
          },
          { ...options, minUnits: 20 },
        );
        if (g.verdict === 'breach') alarmed = true;
        // The same data with every request a sample (what request-level data suggests).
        const arm = (xs: [number, number][]) => {
          const bad = xs.reduce((s, [y]) => s + y, 0);
          const all = xs.reduce((s, [, x]) => s + x, 0);
          return { kind: 'occurrence' as const, units: all, sum: bad, sumSquares: bad };
        };
        const naive = evaluateGuard(
          OCCURRENCE,
          { treatment: arm(t), control: arm(c) },
          { ...options, minUnits: 20 },
        );
        if (naive.verdict === 'breach') naiveAlarmed = true;
      }
      if (alarmed) perInterval++;
      if (naiveAlarmed) perRequest++;
    }
    // The guard promises ≤ 5% over the whole sequence of looks; allow Monte Carlo noise.
    expect(perInterval / RUNS).toBeLessThanOrEqual(ALPHA + 0.03);
    // At this seed: 2% of runs ever alarm on intervals, 33% with requests as units.
    expect(perRequest / RUNS).toBeGreaterThan(3 * ALPHA);
  });

  it('the overdispersion factor keeps clustered errors within budget from firing a burn-rate window', () => {
    // SLO 98%, factor 0.5: the window pair fires above a 1% error rate; the true rate is
    // 1%. Ten one-minute intervals: the long window holds all ten, the short one the last five.
    const random = rng(7);
    let corrected = 0;
    let raw = 0;
    for (let run = 0; run < RUNS; run++) {
      // Clusters of 25 errors (a retry storm of one session), still 1% of requests.
      const pairs = Array.from({ length: 10 }, () => interval(random, 25));
      const phi = overdispersion(pairs);
      const bad = pairs.reduce((s, [y]) => s + y, 0);
      const total = pairs.reduce((s, [, x]) => s + x, 0);
      const recent = pairs.slice(5);
      const recentBad = recent.reduce((sum, [y]) => sum + y, 0);
      const recentTotal = recent.reduce((sum, [, x]) => sum + x, 0);
      const windows = (f: number) => [
        { windowMs: 600_000, bad: bad / f, total: total / f },
        { windowMs: 300_000, bad: recentBad / f, total: recentTotal / f },
      ];
      const verdict = (f: number) =>
        evaluateGuard(
          BURN,
          { treatment: { kind: 'slo-burn', windows: windows(f) } },
          { alpha: ALPHA, launchAlpha: ALPHA, method: 'confidence-sequence' },
        ).verdict;
      if (verdict(phi) === 'breach') corrected++;
      if (verdict(1) === 'breach') raw++;
    }
    expect(corrected / RUNS).toBeLessThanOrEqual(ALPHA);
    // Counting every request as independent breaks the budget (8.7% of runs at this seed).
    expect(raw / RUNS).toBeGreaterThan(ALPHA);
  });

  it('moments of per-interval values are what the mean guard reads', () => {
    expect(momentOf([1, 2, 3])).toEqual({ units: 3, sum: 6, sumSquares: 14 });
  });
});
