#!/usr/bin/env node
// Decision quality: Threshold's guards against two common canary judges on identical
// seeded streams. A figure, not a test. Run after `npm run build`:
//
//   node bench/decision-quality.mjs [--runs=N] [--seed=S]
//
// Judges, all fed the same per-look data of one phase:
// - threshold: evaluateGuard with guardOptionsFor (the controller's options, tuned
//   to the phase's expected sample from the units seen per unit time), 5% budget.
// - thresholdMinUnits: the same guard tuned as before this change (min_units).
// - thresholdQuarterBudget: tuned, at a 1.25% share (one of four statistical KPIs
//   under the default 5% budget), the share a real plan usually gives a KPI.
// - thresholdMean (latency): the mean guard on the same values, for scale.
// - mann-whitney: a two-sided Mann-Whitney U test (tie-corrected normal
//   approximation) on all data since the phase began, repeated at every look;
//   rollback at the first look with p < 0.05 in the bad direction (Kayenta's
//   non-parametric classifier at 95%).
// - flagger: the treatment's metric over a trailing 2-hour window against a fixed
//   threshold (error rate: baseline × 1.25, 1.4 or 1.6; p95: baseline × 1.1, 1.15 or
//   1.25: a looser threshold trades detection for fewer false rollbacks), rollback
//   after 3 consecutive failed checks.
//
// Scenarios: an occurrence KPI (2% base rate, +20%, 10% phase against the rest,
// 12,500 units an hour, min_duration 24h, 48h horizon) and a latency KPI (log-normal,
// sigma 1, +10% multiplicative slowdown, 10% phase against a 10% holdout, 20,000
// units an hour, min_duration 12h, 24h horizon) judged by the p95 guard, and for
// comparison by the mean guard, each at 1-minute and 1-hour looks. A/A runs give the
// false rollback rate; runs with the change give the detection rate and the
// treatment units exposed when each judge rolled back (median and p90 over all
// runs, an undetected run counting as never: null when more than half or a tenth
// of runs were never detected).
// THRESHOLD_CORE=/path/to/core/dist/index.js measures another build (e.g. main's, for
// before/after figures) on the same streams.
const core = await import(process.env.THRESHOLD_CORE ?? '../packages/core/dist/index.js');
const { evaluateGuard, guardOptionsFor, parsePlan, sketchBucketIndex } = core;

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const RUNS = Number(args.runs ?? 400);
const SEED = Number(args.seed ?? 13);

// --- seeded randomness -------------------------------------------------------
function rng(seed) {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u) {
  let v = 0;
  while (v === 0) v = u();
  return Math.sqrt(-2 * Math.log(v)) * Math.cos(2 * Math.PI * u());
}
function poisson(u, mean) {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(u)));
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const x = u();
  while (x > s) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}
function binomial(u, n, p) {
  if (n <= 0) return 0;
  if (n * Math.min(p, 1 - p) > 30) {
    const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(u));
    return Math.min(n, Math.max(0, x));
  }
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  // Waiting times between successes (geometric), O(n·p).
  let k = 0;
  let i = 0;
  const logq = Math.log1p(-p);
  for (;;) {
    i += Math.floor(Math.log(1 - u()) / logq) + 1;
    if (i > n) return k;
    k++;
  }
}

// --- judges ------------------------------------------------------------------
/** Mann-Whitney z (positive: treatment larger) from two histograms over the same ordered bins. */
function mannWhitneyZ(hT, hC, bins) {
  let nT = 0;
  let nC = 0;
  for (let i = 0; i < bins; i++) {
    nT += hT[i];
    nC += hC[i];
  }
  if (nT === 0 || nC === 0) return 0;
  let rankSum = 0;
  let below = 0;
  let ties = 0;
  for (let i = 0; i < bins; i++) {
    const t = hT[i] + hC[i];
    if (t === 0) continue;
    rankSum += hT[i] * (below + (t + 1) / 2);
    ties += t * t * t - t;
    below += t;
  }
  const n = nT + nC;
  const u = rankSum - (nT * (nT + 1)) / 2;
  const variance = ((nT * nC) / 12) * (n + 1 - ties / (n * (n - 1)));
  return variance > 0 ? (u - (nT * nC) / 2) / Math.sqrt(variance) : 0;
}

const MW_Z = 1.959963984540054; // two-sided 5%
const FLAGGER_WINDOW_MIN = 120;
const FLAGGER_FAILS = 3;

function planFor(kpiYaml, control, minDuration) {
  const { plan } = parsePlan(`launch: bench
owner: bench
control: ${control}
phases:
  - { name: canary, traffic: 10%, min_duration: ${minDuration} }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
${kpiYaml}
`);
  if (plan === undefined) throw new Error('bench plan does not parse');
  return plan;
}

const GUARD_BASE = {
  alpha: 0.05,
  launchAlpha: 0.05,
  method: 'confidence-sequence',
  explain: false,
};

function thresholdOptions(plan, tuned, units, elapsedMs) {
  const phase = plan.phases[0];
  return guardOptionsFor(plan, phase, phase.traffic, tuned ? { units, elapsedMs } : undefined);
}

// --- occurrence scenario -------------------------------------------------------
const OCC = {
  rate: 0.02,
  effect: 0.2,
  perHour: 12_500,
  hours: 48,
  minDuration: '24h',
  flaggerFactors: [1.25, 1.4, 1.6],
};
const occPlan = planFor(
  '    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 0% } }',
  'rest',
  OCC.minDuration,
);

function runOccurrence(seed, lookMin, effect) {
  const u = rng(seed);
  const kpi = occPlan.kpis['operational-health'][0];
  const pT = OCC.rate * (1 + effect);
  const looks = Math.floor((OCC.hours * 60) / lookMin);
  const perLook = (OCC.perHour * lookMin) / 60;
  const window = Math.max(1, Math.round(FLAGGER_WINDOW_MIN / lookMin));
  const ringN = new Float64Array(window);
  const ringX = new Float64Array(window);
  let nT = 0;
  let nC = 0;
  let xT = 0;
  let xC = 0;
  let winN = 0;
  let winX = 0;
  const flaggerRuns = OCC.flaggerFactors.map(() => 0);
  const out = {
    threshold: null,
    thresholdMinUnits: null,
    thresholdQuarterBudget: null,
    mannWhitney: null,
  };
  for (const f of OCC.flaggerFactors) out[`flagger×${f}`] = null;
  const hT = new Float64Array(2);
  const hC = new Float64Array(2);
  for (let k = 1; k <= looks; k++) {
    const arriving = poisson(u, perLook);
    const a = binomial(u, arriving, 0.1);
    const c = arriving - a;
    const ea = binomial(u, a, pT);
    const ec = binomial(u, c, OCC.rate);
    nT += a;
    nC += c;
    xT += ea;
    xC += ec;
    const slot = k % window;
    winN += a - ringN[slot];
    winX += ea - ringX[slot];
    ringN[slot] = a;
    ringX[slot] = ea;
    const data = {
      treatment: { kind: 'occurrence', units: nT, sum: xT, sumSquares: xT },
      control: { kind: 'occurrence', units: nC, sum: xC, sumSquares: xC },
    };
    const elapsedMs = k * lookMin * 60_000;
    for (const [name, tuned, alpha] of [
      ['threshold', true, 0.05],
      ['thresholdMinUnits', false, 0.05],
      ['thresholdQuarterBudget', true, 0.0125],
    ]) {
      if (out[name] !== null) continue;
      const o = thresholdOptions(occPlan, tuned, nT + nC, elapsedMs);
      const options = { ...GUARD_BASE, ...o, alpha };
      if (evaluateGuard(kpi, data, options).verdict === 'breach') out[name] = nT;
    }
    if (out.mannWhitney === null && nT > 0 && nC > 0) {
      hT[0] = nT - xT;
      hT[1] = xT;
      hC[0] = nC - xC;
      hC[1] = xC;
      if (mannWhitneyZ(hT, hC, 2) > MW_Z) out.mannWhitney = nT;
    }
    if (k >= window)
      OCC.flaggerFactors.forEach((f, i) => {
        const key = `flagger×${f}`;
        if (out[key] !== null) return;
        flaggerRuns[i] = winN > 0 && winX / winN > OCC.rate * f ? flaggerRuns[i] + 1 : 0;
        if (flaggerRuns[i] >= FLAGGER_FAILS) out[key] = nT;
      });
    if (Object.values(out).every((v) => v !== null)) break;
  }
  return out;
}

// --- latency scenario ----------------------------------------------------------
const LAT = {
  logMean: Math.log(100),
  logSd: Number(args.logsd ?? 1),
  effect: 0.1,
  perHour: 20_000,
  hours: 24,
  flaggerFactors: [1.1, 1.15, 1.25],
};
const latPlan = planFor(
  `    - { name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 0% } }
    - { name: mean, kind: mean, event: ms, guard: { max_increase: 0% } }`,
  'holdout',
  '12h',
);
// Dense bucket range for the histograms: 1e-3 ms to 1e7 ms covers every draw in practice.
const LO = sketchBucketIndex(1e-3);
const BINS = sketchBucketIndex(1e7) - LO + 1;

/** A QuantileSketch from a dense histogram (only non-empty buckets). */
function sketchFrom(h, count, min, max) {
  const positive = [];
  for (let i = 0; i < BINS; i++) if (h[i] > 0) positive.push([i + LO, h[i]]);
  return { count, units: count, zeroCount: 0, min, max, positive, negative: [] };
}

/** p95 of a dense histogram (bucket representative value), or NaN when empty. */
function histogramQuantile(h, count, q) {
  if (count === 0) return NaN;
  const rankFromTop = count - (Math.floor(q * (count - 1)) + 1);
  let seen = 0;
  for (let i = BINS - 1; i >= 0; i--) {
    seen += h[i];
    if (seen > rankFromTop) return Math.exp((i + LO) * LOG_GAMMA) * (2 / (GAMMA + 1));
  }
  return NaN;
}
const GAMMA = 1.01 / 0.99;
const LOG_GAMMA = Math.log(GAMMA);
const BASE_P95 = Math.exp(LAT.logMean + 1.6448536269514722 * LAT.logSd);

function runLatency(seed, lookMin, effect) {
  const u = rng(seed);
  const [p95Kpi, meanKpi] = latPlan.kpis['operational-health'];
  const looks = Math.floor((LAT.hours * 60) / lookMin);
  const perLook = (LAT.perHour * lookMin) / 60;
  const shift = Math.log1p(effect);
  const hT = new Float64Array(BINS);
  const hC = new Float64Array(BINS);
  const hW = new Float64Array(BINS);
  const window = Math.max(1, Math.round(FLAGGER_WINDOW_MIN / lookMin));
  const ring = Array.from({ length: window }, () => []);
  let wCount = 0;
  const arm = () => ({ n: 0, sum: 0, sq: 0, min: Infinity, max: -Infinity });
  const T = arm();
  const C = arm();
  const flaggerRuns = LAT.flaggerFactors.map(() => 0);
  const out = { threshold: null, thresholdMean: null, mannWhitney: null };
  for (const f of LAT.flaggerFactors) out[`flagger×${f}`] = null;
  const add = (a, h, v, winBins) => {
    const b = sketchBucketIndex(v) - LO;
    h[b]++;
    a.n++;
    a.sum += v;
    a.sq += v * v;
    if (v < a.min) a.min = v;
    if (v > a.max) a.max = v;
    if (winBins !== undefined) winBins.push(b);
  };
  for (let k = 1; k <= looks; k++) {
    const arriving = poisson(u, perLook);
    // Holdout: 10% treatment, 10% control, the rest excluded.
    const a = binomial(u, arriving, 0.1);
    const c = binomial(u, arriving - a, 0.1 / 0.9);
    const slot = k % window;
    for (const b of ring[slot]) hW[b]--;
    wCount -= ring[slot].length;
    const fresh = [];
    for (let i = 0; i < a; i++)
      add(T, hT, Math.exp(LAT.logMean + shift + LAT.logSd * normal(u)), fresh);
    for (let i = 0; i < c; i++) add(C, hC, Math.exp(LAT.logMean + LAT.logSd * normal(u)));
    for (const b of fresh) hW[b]++;
    wCount += fresh.length;
    ring[slot] = fresh;
    const elapsedMs = k * lookMin * 60_000;
    const o = thresholdOptions(latPlan, true, T.n + C.n, elapsedMs);
    if (out.threshold === null && T.n > 0 && C.n > 0) {
      const data = {
        treatment: { kind: 'quantile', sketch: sketchFrom(hT, T.n, T.min, T.max) },
        control: { kind: 'quantile', sketch: sketchFrom(hC, C.n, C.min, C.max) },
      };
      if (evaluateGuard(p95Kpi, data, { ...GUARD_BASE, ...o }).verdict === 'breach')
        out.threshold = T.n;
    }
    if (out.thresholdMean === null && T.n > 1 && C.n > 1) {
      const data = {
        treatment: { kind: 'mean', units: T.n, sum: T.sum, sumSquares: T.sq },
        control: { kind: 'mean', units: C.n, sum: C.sum, sumSquares: C.sq },
      };
      if (evaluateGuard(meanKpi, data, { ...GUARD_BASE, ...o }).verdict === 'breach')
        out.thresholdMean = T.n;
    }
    if (out.mannWhitney === null && mannWhitneyZ(hT, hC, BINS) > MW_Z) out.mannWhitney = T.n;
    if (k >= window) {
      const p95 = histogramQuantile(hW, wCount, 0.95);
      LAT.flaggerFactors.forEach((f, i) => {
        const key = `flagger×${f}`;
        if (out[key] !== null) return;
        flaggerRuns[i] = p95 > BASE_P95 * f ? flaggerRuns[i] + 1 : 0;
        if (flaggerRuns[i] >= FLAGGER_FAILS) out[key] = T.n;
      });
    }
    if (Object.values(out).every((v) => v !== null)) break;
  }
  return out;
}

// --- summary -----------------------------------------------------------------
/** Nearest-rank quantile over all runs, undetected (null) runs counting as never. */
function rankQuantile(values, q) {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const v = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return Number.isFinite(v) ? Math.round(v) : null;
}
function wilsonUpper(k, n) {
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
}

function scenario(name, run, lookMin, judges, runs, seedBase) {
  const aa = [];
  const hit = [];
  for (let r = 0; r < runs; r++) {
    // Common random numbers: run r of every judge and both arms of the comparison
    // see the same stream (the effect run gets its own seed, shared by all judges).
    aa.push(run(seedBase + 2 * r, lookMin, 0));
    hit.push(run(seedBase + 2 * r + 1, lookMin, name === 'occurrence' ? OCC.effect : LAT.effect));
  }
  const rows = {};
  for (const j of judges) {
    const falseK = aa.filter((o) => o[j] !== null).length;
    const detected = hit.map((o) => o[j]);
    rows[j] = {
      falseRollbacks: falseK / runs,
      falseRollbacksUpper95: Number(wilsonUpper(falseK, runs).toFixed(4)),
      detection: detected.filter((v) => v !== null).length / runs,
      medianUnits: rankQuantile(detected, 0.5),
      p90Units: rankQuantile(detected, 0.9),
    };
  }
  return rows;
}

const cpu0 = process.cpuUsage();
const t0 = Date.now();
const result = { runs: RUNS, seed: SEED };
const fmt = (x) => (x === null ? 'never' : x.toLocaleString('en-US'));
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const ONLY = args.only;
for (const [name, run, judges, runs] of [
  [
    'occurrence',
    runOccurrence,
    [
      'threshold',
      'thresholdMinUnits',
      'thresholdQuarterBudget',
      'mannWhitney',
      ...OCC.flaggerFactors.map((f) => `flagger×${f}`),
    ],
    RUNS,
  ],
  [
    'latency',
    runLatency,
    ['threshold', 'thresholdMean', 'mannWhitney', ...LAT.flaggerFactors.map((f) => `flagger×${f}`)],
    RUNS / 2,
  ],
]) {
  if (ONLY !== undefined && ONLY !== name) continue;
  for (const lookMin of [1, 60]) {
    const key = `${name}-${lookMin === 1 ? '1m' : '1h'}`;
    const rows = scenario(
      name,
      run,
      lookMin,
      judges,
      Math.max(10, Math.round(runs)),
      SEED * 1_000_003,
    );
    result[key] = rows;
    console.log(
      `\n### ${key} looks (${Math.round(runs)} A/A and ${Math.round(runs)} changed runs)\n`,
    );
    console.log('| judge | false rollbacks (95% upper) | detected | median units | p90 units |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [j, r] of Object.entries(rows))
      console.log(
        `| ${j} | ${pct(r.falseRollbacks)} (${pct(r.falseRollbacksUpper95)}) | ${pct(r.detection)} | ${fmt(r.medianUnits)} | ${fmt(r.p90Units)} |`,
      );
  }
}
const cpu = process.cpuUsage(cpu0);
result.cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(1));
result.wallSeconds = Number(((Date.now() - t0) / 1000).toFixed(1));
console.log(`\nCPU ${result.cpuSeconds} s, wall ${result.wallSeconds} s`);
console.log(JSON.stringify(result));
