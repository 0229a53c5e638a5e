#!/usr/bin/env node
// Rehearsal speed: 10,000 simulated launches of a 4-phase, 6-KPI plan over a
// week of per-minute history, looked at every 5 minutes (target: under 10 s wall
// on 2 cores), spread over every core by the rehearsal pool as the CLI does. A
// figure, not a test. Run after `npm run build`:
//
//   node bench/rehearsal.mjs            # the figure; a JSON line last
//   node bench/rehearsal.mjs --compare  # also: CPU per launch, reference path vs fast path, one thread
//   node bench/rehearsal.mjs --profile  # also: where the time goes, by module
//   RUNS=2000 THREADS=1 node bench/rehearsal.mjs  # fewer launches, one thread
//
// Every look calls the real evaluateGuards (6 guards; its verdict-only path,
// explain: false, re-run with reasons when decide() will quote one),
// checkSampleRatio, decide() and applyDecision, as live launches do. The table gives wall and
// CPU time of this process (CPU time is what to compare on a shared machine).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parsePlan,
  rehearse,
  syntheticHistory,
  SeededRandom,
} from '../packages/core/dist/index.js';
// Internal modules, to count looks exactly (the report does not carry them).
import { buildSamplers } from '../packages/core/dist/rehearsal/build-samplers.js';
import { LaunchSimulator } from '../packages/core/dist/rehearsal/launch-simulator.js';
import { prefixSums } from '../packages/core/dist/rehearsal/window-sums.js';
import { RehearsalPool } from '../packages/server/dist/workers/rehearsal-pool.js';
import { availableParallelism } from 'node:os';

const RUNS = Number(process.env.RUNS ?? 10_000);
const THREADS = Number(process.env.THREADS ?? availableParallelism());
const LOOK_MS = 5 * 60_000;

const parsed = parsePlan(readFileSync(new URL('./rehearsal-plan.yaml', import.meta.url), 'utf8'));
if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
const plan = parsed.plan;
// A week of per-minute rows, 2,000 new units a minute on a daily cycle.
const history = syntheticHistory(plan, {
  unitsPerMinute: 2000,
  diurnal: true,
  baselines: { errors: { value: 0.05 }, conversion: { value: 0.1 } },
});

// process.cpuUsage() counts every thread of the process, the pool's workers included.
function timed(fn) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
}
async function timedAsync(fn) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
}

/** Looks per launch, from the simulator itself (the same one rehearse() runs). */
function looksPerLaunch(runs) {
  const prefix = prefixSums(history.units);
  const samplers = buildSamplers(plan, history, prefix, []);
  const settings = {
    lookIntervalMs: LOOK_MS,
    signoffDelayMs: 0,
    maxDurationMs: history.length * history.intervalMs,
    audience: plan.phases.map(() => 1),
  };
  const sim = new LaunchSimulator(plan, history, samplers, prefix, settings, []);
  let looks = 0;
  const t = timed(() => {
    for (let r = 0; r < runs; r++) {
      const rng = new SeededRandom(1, r);
      looks += sim.run(rng, rng.integer(history.length)).endMs / LOOK_MS;
    }
  });
  return { looks: looks / runs, cpuUsPerLook: (t.cpuMs * 1000) / looks };
}

const fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

if (process.argv.includes('--profile-child')) {
  rehearse(plan, history, { runs: Math.min(RUNS, 1000), seed: 1 });
  process.exit(0);
}

const warm = looksPerLaunch(200);
const pool = new RehearsalPool({ threads: THREADS });
const run = await timedAsync(() =>
  pool.run({ plan, source: history, options: { runs: RUNS, seed: 1 } }),
);
await pool.close();
const report = run.value;
const looks = warm.looks * RUNS;
console.log(
  `| launches | threads | looks (est.) | completed | wall | CPU | CPU per look | target |`,
);
console.log(`|---:|---:|---:|---:|---:|---:|---:|---|`);
console.log(
  `| ${fmt(RUNS)} | ${THREADS} | ${fmt(looks)} (${fmt(warm.looks, 1)} a launch) | ${fmt(report.clean.outcomes.completed.rate * 100, 1)}% | ${fmt(run.wallMs / 1000, 2)} s | ${fmt(run.cpuMs / 1000, 2)} s | ${fmt((run.cpuMs * 1000) / looks, 1)} µs | 10 s wall for 10,000: ${run.wallMs / 1000 <= (10 * RUNS) / 10_000 ? 'met' : `not met (${fmt(run.wallMs / 1000 / ((10 * RUNS) / 10_000), 1)}x)`} |`,
);

let compare = null;
if (process.argv.includes('--compare')) {
  // The speed work side by side on one thread: the reference path (reasons before
  // deciding, sketches that list their buckets) against the fast path, same launches,
  // same report.
  const n = Math.min(RUNS, Number(process.env.COMPARE_RUNS ?? 300));
  const ref = timed(() => rehearse(plan, history, { runs: n, seed: 1, reference: true }));
  const fast = timed(() => rehearse(plan, history, { runs: n, seed: 1 }));
  if (JSON.stringify(ref.value) !== JSON.stringify(fast.value))
    throw new Error('the fast path report differs from the reference path report');
  compare = {
    launches: n,
    referenceCpuMsPerLaunch: Number((ref.cpuMs / n).toFixed(2)),
    fastCpuMsPerLaunch: Number((fast.cpuMs / n).toFixed(2)),
  };
  console.log(`\n| one thread, ${fmt(n)} launches | CPU per launch |`);
  console.log('|---|---:|');
  console.log(`| reference path | ${fmt(compare.referenceCpuMsPerLaunch, 2)} ms |`);
  console.log(`| fast path (default) | ${fmt(compare.fastCpuMsPerLaunch, 2)} ms |`);
}

if (process.argv.includes('--profile')) {
  // Self time by module from V8's CPU profile of a 1,000-launch rehearsal.
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-prof-'));
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, self, '--profile-child'],
    {
      stdio: 'inherit',
    },
  );
  if (child.status !== 0) throw new Error('profiling run failed');
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  rmSync(dir, { recursive: true });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const url = byId.get(id)?.callFrame.url ?? '';
    const name = byId.get(id)?.callFrame.functionName ?? '';
    const m = /packages\/core\/dist\/([a-z-]+)\/([a-z-]+)\.js/.exec(url);
    const key = m
      ? `${m[1]}/${m[2]}`
      : name === '(garbage collector)'
        ? 'garbage collector'
        : name === '(idle)' || name === '(program)'
          ? 'runtime'
          : 'other (node, zod, yaml)';
    totals.set(key, (totals.get(key) ?? 0) + dt);
    all += dt;
  });
  const group = (key) =>
    key.startsWith('statistics/')
      ? 'statistics (evaluateGuards, checkSampleRatio)'
      : key.startsWith('decide/')
        ? 'decide (decide, applyDecision)'
        : key.startsWith('rehearsal/')
          ? 'rehearsal (simulator, samplers)'
          : key.includes('/')
            ? 'core, other'
            : key;
  const groups = new Map();
  for (const [key, t] of totals) groups.set(group(key), (groups.get(group(key)) ?? 0) + t);
  console.log('\n| where the CPU time goes (1,000 launches, self time) | share |');
  console.log('|---|---:|');
  for (const [key, t] of [...groups].sort((a, b) => b[1] - a[1]))
    console.log(`| ${key} | ${fmt((100 * t) / all, 1)}% |`);
  console.log('\n| top modules | share |');
  console.log('|---|---:|');
  for (const [key, t] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`| ${key} | ${fmt((100 * t) / all, 1)}% |`);
}

// The figure as a JSON line, last.
console.log(
  JSON.stringify({
    launches: RUNS,
    phases: plan.phases.length,
    kpis: Object.values(plan.kpis).flat().length,
    threads: THREADS,
    cpuSeconds: Number((run.cpuMs / 1000).toFixed(2)),
    wallSeconds: Number((run.wallMs / 1000).toFixed(2)),
    looksPerLaunch: Number(warm.looks.toFixed(1)),
    cpuMsPerLaunch: Number((run.cpuMs / RUNS).toFixed(2)),
    targetWallSeconds: (10 * RUNS) / 10_000,
    ...(compare === null ? {} : { compare }),
  }),
);
