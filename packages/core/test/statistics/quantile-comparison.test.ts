/**
 * Seeded simulations of the quantile comparison (an asymptotic confidence
 * sequence on the difference of sample quantiles). Under no harm, the share of
 * launches with any false breach over many looks must stay within the guard's
 * share: the upper end of its 95% Wilson interval at most α. Under a harm it must
 * breach sooner than the per-arm rank bounds it replaced (Howard & Ramdas, each arm
 * at α/2), and within 3× of the mean guard's exposure on the same log-normal data.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluateGuard,
  quantileBounds,
  quantileEstimate,
  sparsityBandwidth,
} from '../../src/statistics/index.js';
import type { GuardOptions, QuantileSketch } from '../../src/statistics/index.js';
import { kpiOf } from './support/plan.js';
import { createNormal, createRandom } from './support/random.js';
import { DenseSketch, rankQuantile, wilsonUpper } from './support/streams.js';

const ALPHA = 0.05;

interface QuantileScenario {
  guard: string;
  q: number;
  logSd: number;
  /** Units per look in each arm. */
  perLook: { treatment: number; control: number };
  looks: number;
  runs: number;
  seed: number;
  /** Treatment values are multiplied by 1 + effect. */
  effect?: number;
}

/** Per run, the treatment units at the first breach of each judge (null: never). */
function simulate(
  s: QuantileScenario,
  judges: Record<string, (t: DenseSketch, c: DenseSketch) => boolean>,
): Record<string, (number | null)[]> {
  const random = createRandom(s.seed);
  const normal = createNormal(random);
  const scale = 1 + (s.effect ?? 0);
  const out: Record<string, (number | null)[]> = {};
  for (const name of Object.keys(judges)) out[name] = [];
  for (let run = 0; run < s.runs; run++) {
    const t = new DenseSketch();
    const c = new DenseSketch();
    const first: Record<string, number | null> = {};
    for (const name of Object.keys(judges)) first[name] = null;
    for (let look = 0; look < s.looks; look++) {
      for (let i = 0; i < s.perLook.treatment; i++)
        t.add(100 * scale * Math.exp(s.logSd * normal()));
      for (let i = 0; i < s.perLook.control; i++) c.add(100 * Math.exp(s.logSd * normal()));
      let open = false;
      for (const [name, judge] of Object.entries(judges)) {
        if (first[name] !== null) continue;
        if (judge(t, c)) first[name] = t.count;
        else open = true;
      }
      if (!open) break;
    }
    for (const name of Object.keys(judges)) out[name]?.push(first[name] ?? null);
  }
  return out;
}

/** The guard as evaluateGuard runs it, tuned to the phase's expected sample. */
function guardJudge(s: QuantileScenario): (t: DenseSketch, c: DenseSketch) => boolean {
  const kpi = kpiOf(s.guard);
  const options: GuardOptions = {
    alpha: ALPHA,
    launchAlpha: ALPHA,
    method: 'confidence-sequence',
    explain: false,
    tuneUnits: s.looks * (s.perLook.treatment + s.perLook.control),
  };
  return (t, c) =>
    evaluateGuard(
      kpi,
      {
        treatment: { kind: 'quantile', sketch: t.sketch() },
        control: { kind: 'quantile', sketch: c.sketch() },
      },
      options,
    ).verdict === 'breach';
}

/** The comparison this change replaced: each arm's Howard–Ramdas rank bounds at α/2, tuned at min_units. */
function perArmBoundsJudge(q: number, margin: number): (t: DenseSketch, c: DenseSketch) => boolean {
  return (t, c) => {
    const bt = quantileBounds(t.sketch(), q, ALPHA / 2, 100);
    const bc = quantileBounds(c.sketch(), q, ALPHA / 2, 100);
    if (bt === undefined || bc === undefined) return false;
    return bt.lower / bc.upper - 1 > margin;
  };
}

function falseBreaches(s: QuantileScenario): { share: number; upper: number } {
  const hits = simulate(s, { guard: guardJudge(s) }).guard ?? [];
  const k = hits.filter((h) => h !== null).length;
  if (process.env.SHOW_RATES !== undefined) console.log(s.guard, k, s.runs);
  return { share: k / s.runs, upper: wilsonUpper(k, s.runs) };
}

describe('quantile comparison: no harm, looked at every few units', () => {
  it('p95, increase against a relative margin of 0, equal arms: within α', () => {
    const r = falseBreaches({
      guard: '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }',
      q: 0.95,
      logSd: 1,
      perLook: { treatment: 80, control: 80 },
      looks: 100,
      runs: 500,
      seed: 1301,
    });
    expect(r.upper).toBeLessThanOrEqual(ALPHA);
  });

  it('p95 of a 10% canary against the rest (1:9): within α', () => {
    const r = falseBreaches({
      guard: '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }',
      q: 0.95,
      logSd: 1,
      perLook: { treatment: 25, control: 225 },
      looks: 100,
      runs: 500,
      seed: 1302,
    });
    expect(r.upper).toBeLessThanOrEqual(ALPHA);
  });

  it('median, decrease against an absolute margin of 0: within α', () => {
    const r = falseBreaches({
      guard: '{ name: p50, kind: quantile, q: 0.5, event: ms, guard: { max_decrease_abs: 0 } }',
      q: 0.5,
      logSd: 0.5,
      perLook: { treatment: 40, control: 40 },
      looks: 100,
      runs: 500,
      seed: 1303,
    });
    expect(r.upper).toBeLessThanOrEqual(ALPHA);
  });

  it('p99 of a heavy tail (log sd 1.5): within α', () => {
    const r = falseBreaches({
      guard: '{ name: p99, kind: quantile, q: 0.99, event: ms, guard: { max_increase: 0% } }',
      q: 0.99,
      logSd: 1.5,
      perLook: { treatment: 100, control: 100 },
      looks: 100,
      runs: 500,
      seed: 1304,
    });
    expect(r.upper).toBeLessThanOrEqual(ALPHA);
  });
});

describe('quantile comparison: a 10% slower service (log-normal, log sd 1)', () => {
  const scenario: QuantileScenario = {
    guard: '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }',
    q: 0.95,
    logSd: 1,
    perLook: { treatment: 100, control: 100 },
    looks: 400,
    runs: 60,
    seed: 1310,
    effect: 0.1,
  };
  const meanKpi = kpiOf('{ name: mean, kind: mean, event: ms, guard: { max_increase: 0% } }');
  const meanOptions: GuardOptions = {
    alpha: ALPHA,
    launchAlpha: ALPHA,
    method: 'confidence-sequence',
    explain: false,
    tuneUnits: scenario.looks * 200,
  };
  const found = simulate(scenario, {
    p95: guardJudge(scenario),
    before: perArmBoundsJudge(0.95, 0),
    mean: (t, c) =>
      evaluateGuard(
        meanKpi,
        {
          treatment: { kind: 'mean', units: t.count, sum: t.sum, sumSquares: t.sumSquares },
          control: { kind: 'mean', units: c.count, sum: c.sum, sumSquares: c.sumSquares },
        },
        meanOptions,
      ).verdict === 'breach',
  });
  const median = (name: string) => rankQuantile(found[name] ?? [], 0.5);
  if (process.env.SHOW_RATES !== undefined)
    console.log(median('p95'), median('before'), median('mean'));

  it('the p95 guard needs at most 3× the units of the mean guard on the same data', () => {
    expect(median('p95')).toBeLessThanOrEqual(3 * median('mean'));
  });

  it('and fewer than half the units the per-arm rank bounds needed', () => {
    expect(median('p95')).toBeLessThan(0.5 * median('before'));
  });
});

describe('quantileEstimate', () => {
  it('gives the sample quantile and a standard error near the asymptotic one', () => {
    const normal = createNormal(createRandom(1320));
    const d = new DenseSketch();
    for (let i = 0; i < 20_000; i++) d.add(100 * Math.exp(0.8 * normal()));
    const e = quantileEstimate(d.sketch(), 0.95);
    const z95 = 1.6448536269514722;
    const truth = 100 * Math.exp(0.8 * z95);
    // Relative SE of a log-normal p95: σ√(q(1−q)/n)/φ(z_q).
    const density = Math.exp(-0.5 * z95 * z95) / Math.sqrt(2 * Math.PI);
    const se = (truth * 0.8 * Math.sqrt(0.95 * 0.05)) / density / Math.sqrt(20_000);
    expect(e).toBeDefined();
    expect(Math.abs((e?.value ?? 0) - truth)).toBeLessThan(4 * se);
    expect((e?.se ?? 0) / se).toBeGreaterThan(0.8);
    expect((e?.se ?? 0) / se).toBeLessThan(1.25);
  });

  it('needs enough units beyond the quantile, and keeps its bandwidth inside (0, 1)', () => {
    const few: QuantileSketch = new DenseSketch().sketch();
    expect(quantileEstimate(few, 0.95)).toBeUndefined();
    for (const q of [0.01, 0.5, 0.95, 0.999])
      for (const n of [30, 1000, 1e6]) {
        const h = sparsityBandwidth(q, n);
        expect(h).toBeGreaterThan(0);
        expect(q - h).toBeGreaterThan(0);
        expect(q + h).toBeLessThan(1);
      }
  });

  it('an atom at the quantile (timeouts) does not make a certain-looking difference', () => {
    // 5% of requests time out at exactly 30 s: the p95 sits on the atom's edge, so
    // each arm's sample p95 jumps between 30 s and the body of the distribution.
    const kpi = kpiOf(
      '{ name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }',
    );
    const random = createRandom(1321);
    const normal = createNormal(random);
    const draw = () =>
      random() < 0.05 ? 30_000 : Math.min(29_000, 200 * Math.exp(0.5 * normal()));
    let breached = 0;
    const runs = 500;
    for (let run = 0; run < runs; run++) {
      const t = new DenseSketch();
      const c = new DenseSketch();
      for (let look = 0; look < 60; look++) {
        for (let i = 0; i < 50; i++) {
          t.add(draw());
          c.add(draw());
        }
        const r = evaluateGuard(
          kpi,
          {
            treatment: { kind: 'quantile', sketch: t.sketch() },
            control: { kind: 'quantile', sketch: c.sketch() },
          },
          { alpha: ALPHA, launchAlpha: ALPHA, method: 'confidence-sequence', explain: false },
        );
        if (r.verdict === 'breach') {
          breached++;
          break;
        }
      }
    }
    if (process.env.SHOW_RATES !== undefined) console.log('atom', breached, runs);
    expect(wilsonUpper(breached, runs)).toBeLessThanOrEqual(ALPHA);
  });
});
