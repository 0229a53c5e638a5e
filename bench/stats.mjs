#!/usr/bin/env node
// Statistics engine speed: evaluating 10,000 KPI guards from aggregates (target:
// under 50 ms on one core). A figure, not a test. Run after `npm run build`:
//
//   node bench/stats.mjs
//
// The workload is 2,000 launches × 5 KPIs (occurrence, mean, ratio, p95 quantile
// from a ~1% sketch, SLO burn rate over the four default window pairs), with data
// drawn from a seeded generator so that verdicts are a mix of pass, breach and
// insufficient-evidence. Every round evaluates all 10,000 guards; the table shows
// the best and the median of the rounds, in wall time and in this process's CPU
// time (CPU time is what to compare on a shared machine).
import {
  addToSketch,
  createSketch,
  evaluateGuard,
  evaluateGuards,
  parsePlan,
} from '../packages/core/dist/index.js';

const LAUNCHES = 2000;
const ROUNDS = 15;

const plan = parsePlan(`launch: bench
owner: bench
phases:
  - { name: canary, traffic: 10% }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: err, guard: { max_increase: 10% } }
    - { name: p95, kind: quantile, q: 0.95, event: ms, guard: { max_increase: 10% } }
    - { name: availability, kind: slo-burn, numerator: bad, denominator: all, guard: { burn_rate: { slo: 99.9% } } }
  user-impact:
    - { name: basket, kind: mean, event: value, guard: { max_decrease: 2% } }
  efficiency:
    - { name: cpu_per_request, kind: ratio, numerator: cpu, denominator: req, guard: { max_increase: 15% } }
`).plan;
if (plan === undefined) throw new Error('bench plan does not parse');

// mulberry32: a small seeded generator, so every run measures the same data.
function random32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = random32(20241125);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

function moment(kind, units, mean, sd) {
  return { kind, units, sum: units * mean, sumSquares: units * (mean * mean + sd * sd) };
}
function occurrence(units, rate) {
  const occurred = Math.round(units * rate);
  return { kind: 'occurrence', units, sum: occurred, sumSquares: occurred };
}
function ratio(units, rate) {
  const den = units * 5;
  return {
    kind: 'ratio',
    units,
    sumNumerator: den * rate,
    sumDenominator: den,
    sumNumeratorSquares: units * 30 * rate * rate * 1.2,
    sumDenominatorSquares: units * 30,
    sumProducts: units * 30 * rate * 1.1,
  };
}
function sketch(units, median) {
  const s = createSketch();
  for (let i = 0; i < units; i++) addToSketch(s, median * Math.exp(0.8 * normal()), 1);
  return { kind: 'quantile', sketch: s };
}
const WINDOWS = [3_600_000, 300_000, 21_600_000, 1_800_000, 86_400_000, 7_200_000, 259_200_000];
function burn(total, ratioBad) {
  return {
    kind: 'slo-burn',
    windows: WINDOWS.map((windowMs) => ({ windowMs, total, bad: Math.round(total * ratioBad) })),
  };
}

// A pool of sketches (building 20,000 of them would dominate the setup, not the measure).
const sketches = Array.from({ length: 50 }, (_, i) => sketch(500 + 200 * i, 100 + i));
const data = [];
for (let l = 0; l < LAUNCHES; l++) {
  const units = Math.round(50 + random() * 50_000);
  const harm = random() < 0.2 ? 1.3 : 1;
  const s = () => sketches[Math.floor(random() * sketches.length)];
  data.push({
    errors: { treatment: occurrence(units, 0.02 * harm), control: occurrence(units * 9, 0.02) },
    basket: {
      treatment: moment('mean', units, 50 / harm, 20),
      control: moment('mean', units * 9, 50, 20),
    },
    cpu_per_request: { treatment: ratio(units, 0.1 * harm), control: ratio(units * 9, 0.1) },
    p95: { treatment: s(), control: s() },
    availability: { treatment: burn(units * 20, 0.0005 * harm * harm * 10 * random()) },
  });
}
const kpis = Object.values(plan.kpis).flat();
const options = { alpha: 0.05 / 4, launchAlpha: 0.05, method: 'confidence-sequence' };

function measure(run) {
  run(); // warm-up: compile and settle
  const wall = [];
  const cpu = [];
  for (let round = 0; round < ROUNDS; round++) {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall.push(performance.now() - t0);
    const u = process.cpuUsage(u0);
    cpu.push((u.user + u.system) / 1000);
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
  return {
    wallBest: sorted(wall)[0],
    wallMedian: median(wall),
    cpuBest: sorted(cpu)[0],
    cpuMedian: median(cpu),
  };
}

const verdicts = {};
const rows = [];
{
  const r = measure(() => {
    for (const d of data) for (const kpi of kpis) evaluateGuard(kpi, d[kpi.name], options);
  });
  rows.push(['evaluateGuard, 10,000 guards (mixed kinds)', LAUNCHES * kpis.length, r]);
}
for (const kpi of kpis) {
  const r = measure(() => {
    for (let rep = 0; rep < kpis.length; rep++)
      for (const d of data) evaluateGuard(kpi, d[kpi.name], options);
  });
  rows.push([`evaluateGuard, 10,000 × ${kpi.kind}`, LAUNCHES * kpis.length, r]);
}
{
  const r = measure(() => {
    for (const d of data) evaluateGuards(plan, d);
  });
  rows.push([`evaluateGuards, ${LAUNCHES} plans × ${kpis.length} KPIs`, LAUNCHES * kpis.length, r]);
}
for (const d of data)
  for (const g of evaluateGuards(plan, d)) verdicts[g.verdict] = (verdicts[g.verdict] ?? 0) + 1;

const fmt = (x) => x.toFixed(1);
console.log(
  `Node ${process.version}, ${ROUNDS} rounds after a warm-up; verdicts in the mixed workload: ${Object.entries(
    verdicts,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}\n`,
);
console.log(
  '| workload | guards | wall ms best | wall ms median | CPU ms best | CPU ms median | µs/guard (CPU best) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, n, r] of rows)
  console.log(
    `| ${name} | ${n.toLocaleString('en')} | ${fmt(r.wallBest)} | ${fmt(r.wallMedian)} | ${fmt(r.cpuBest)} | ${fmt(r.cpuMedian)} | ${((r.cpuBest * 1000) / n).toFixed(2)} |`,
  );

// The figure as a JSON line, last: the mixed workload of 10,000 guard evaluations.
const mixed = rows[0][2];
console.log(
  JSON.stringify({
    guards: LAUNCHES * kpis.length,
    wallMsBest: Number(mixed.wallBest.toFixed(2)),
    wallMsMedian: Number(mixed.wallMedian.toFixed(2)),
    cpuMsBest: Number(mixed.cpuBest.toFixed(2)),
    cpuMsMedian: Number(mixed.cpuMedian.toFixed(2)),
    targetMs: 50,
    met: mixed.cpuMedian < 50,
  }),
);
