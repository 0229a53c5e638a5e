// Sustained event ingest into the store, durable before ack, then projection.
//
//   npm run build && node bench/ingest.mjs
//
// SQLite (fresh temp folder) always; PostgreSQL too when THRESHOLD_BENCH_DATABASE_URL
// or THRESHOLD_TEST_DATABASE_URL is set (a scratch schema, dropped afterwards).
// Knobs (env): BENCH_SECONDS (10), BENCH_INFLIGHT (8 batches in flight, like
// concurrent HTTP requests), BENCH_BATCH (1000 events), BENCH_UNITS (200000),
// BENCH_PROJECT_SECONDS (10), BENCH_PROJECT_STEP (2 batches per project() call while
// ingesting), BENCH_MIXED_INFLIGHT (as BENCH_INFLIGHT), BENCH_PROJECTOR (`worker`: on
// SQLite fold in the projection worker thread as the server does: 4 batches per step
// while ingest keeps the connection busy, up to 16 while idle, or BENCH_WORKER_STEP and
// BENCH_WORKER_MAX_STEP; `main`: project() calls on this thread, as before the worker).
//
// Prints a markdown table: events/s, batches/s, batch latency p50/p99 (time from
// calling ingest() to its promise resolving after commit+fsync), then the
// projection's events/s over the stored batches and its CPU per event (process.cpuUsage
// counts every thread, so the worker's CPU is included; nothing else runs meanwhile).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { armOf, bucketOf, parsePlan } from '../packages/core/dist/index.js';
import { openStore } from '../packages/server/dist/store/index.js';
import { startProjector } from '../packages/server/dist/ingest/projector.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const UNITS = Number(process.env.BENCH_UNITS ?? 200_000);
const PROJECT_SECONDS = Number(process.env.BENCH_PROJECT_SECONDS ?? 10);
const PROJECT_STEP = Number(process.env.BENCH_PROJECT_STEP ?? 2);
const MIXED_INFLIGHT = Number(process.env.BENCH_MIXED_INFLIGHT ?? INFLIGHT);
const PROJECTOR = process.env.BENCH_PROJECTOR ?? 'worker';
const WORKER_STEP = Number(process.env.BENCH_WORKER_STEP ?? 4);
const WORKER_MAX_STEP = Number(process.env.BENCH_WORKER_MAX_STEP ?? 16);
const pgUrl = process.env.THRESHOLD_BENCH_DATABASE_URL || process.env.THRESHOLD_TEST_DATABASE_URL;
const silent = { error: (obj, msg) => console.error(msg, obj) };

/** The server's background projector (worker thread on SQLite), or undefined in `main` mode. */
function backgroundProjector(store) {
  if (PROJECTOR !== 'worker') return undefined;
  const p = startProjector(store, {
    logger: silent,
    limitBatches: WORKER_STEP,
    maxBatches: WORKER_MAX_STEP,
    intervalMs: 20,
  });
  return p.thread === 'worker' ? p : (void p.stop(), undefined);
}

const PLAN = `
launch: bench
owner: bench
phases:
  - { name: canary, traffic: 10%, min_duration: 1h }
  - { name: full, traffic: 100% }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease: 2% } }
    - { name: order_value, kind: mean, event: purchase, guard: { max_decrease: 3% } }
    - { name: clicks, kind: count, event: click, guard: { max_decrease: 5% } }
  operational-health:
    - { name: p95_latency, kind: quantile, q: 0.95, event: latency_ms, guard: { max_increase: 5% } }
    - { name: availability, kind: slo-burn, numerator: error, denominator: request,
        guard: { burn_rate: { slo: 99.9% } } }
`;

/** The arm a unit really has at 10% (salt 'bench'): the projection quarantines any other claim. */
const armOfUnit = (unit) => armOf(bucketOf(unit, 'bench'), 1000, 'rest');

// Deterministic pseudo-random numbers, so every run sends the same traffic.
let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

/** A batch like one SDK instance sends: a few exposures, mostly tracks of the KPIs' events. */
function makeBatch(now) {
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    const u = Math.floor(rand() * UNITS);
    const unit = `user-${u}`;
    const ts = now - Math.floor(rand() * 5000);
    const r = rand();
    if (r < 0.1) {
      const arm = armOfUnit(`user-${u}`);
      events.push({ type: 'exposure', flag: 'bench', launch: 'L', unit, arm, phase: 'canary', ts });
    } else if (r < 0.4) events.push({ type: 'track', unit, event: 'request', ts });
    else if (r < 0.65)
      events.push({ type: 'track', unit, event: 'latency_ms', value: 20 + rand() * 400, ts });
    else if (r < 0.85) events.push({ type: 'track', unit, event: 'click', ts });
    else if (r < 0.9)
      events.push({ type: 'track', unit, event: 'purchase', value: 5 + rand() * 100, ts });
    else if (r < 0.91) events.push({ type: 'track', unit, event: 'error', ts });
    else events.push({ type: 'track', unit, event: 'page_view', ts });
  }
  return events;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function seedLaunch(store) {
  const parsed = parsePlan(PLAN);
  if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
  const v = await store.putPlan({
    name: 'bench',
    source: PLAN,
    format: 'yaml',
    plan: parsed.plan,
    createdBy: 'bench',
  });
  await store.createLaunch({
    id: 'L',
    planName: 'bench',
    planVersion: v.version,
    salt: 'bench',
    createdBy: 'bench',
    traffic: 0.1,
  });
  // Expose every unit first, so the projection attributes the tracks.
  // The seed exposes every unit in one go: lift its per-minute unit cap (ADR 0019).
  await store.createToken({
    id: 'seed',
    name: 'seed',
    scopes: ['sdk'],
    hash: '0'.repeat(64),
    maxUnitsPerMinute: 1e9,
  });
  for (let start = 0; start < UNITS; start += BATCH) {
    const events = [];
    for (let u = start; u < Math.min(UNITS, start + BATCH); u++) {
      const arm = armOfUnit(`user-${u}`);
      const unit = `user-${u}`;
      events.push({
        type: 'exposure',
        flag: 'bench',
        launch: 'L',
        unit,
        arm,
        phase: 'canary',
        ts: Date.now(),
      });
    }
    await store.ingest('seed', `seed-${start}`, events);
  }
  while ((await store.project(50)) > 0);
}

async function ingestFor(store, seconds, inflight = INFLIGHT) {
  const pool = Array.from({ length: 64 }, () => makeBatch(Date.now()));
  const latencies = [];
  let events = 0;
  let next = 0;
  const runId = randomBytes(4).toString('hex');
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const batch = pool[next++ % pool.length];
      const start = performance.now();
      const r = await store.ingest('bench-token', `${runId}-${next}`, batch);
      latencies.push(performance.now() - start);
      events += r.accepted;
    }
  };
  await Promise.all(Array.from({ length: inflight }, client));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    events,
    batches: latencies.length,
    elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function projectFor(store, seconds) {
  const before = await store.projectionStatus();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  const worker = backgroundProjector(store);
  if (worker !== undefined) {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await worker.stop();
  } else {
    while (performance.now() - t0 < seconds * 1000) {
      const n = await store.project(20);
      if (n === 0) break;
      events += n;
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const after = await store.projectionStatus();
  if (worker !== undefined) events = after.events - before.events;
  return {
    events,
    elapsed,
    cpuSeconds,
    pending: after.pendingBatches,
    attributed: after.attributed - before.attributed,
    thread: worker === undefined ? 'main' : 'worker',
  };
}

async function run(name, open, cleanup) {
  const store = await open();
  try {
    await seedLaunch(store);
    await ingestFor(store, Math.min(2, SECONDS)); // warm-up (JIT, file growth)
    while ((await store.project(50)) > 0); // keep the warm-up out of the projection figure
    const ingest = await ingestFor(store, SECONDS);
    const projection = await projectFor(store, PROJECT_SECONDS);
    // Both at once, as in a server: the worker thread (SQLite, BENCH_PROJECTOR=worker),
    // or a projector on this thread running project(PROJECT_STEP) back to back.
    const statusBefore = await store.projectionStatus();
    const worker = backgroundProjector(store);
    let projecting = worker === undefined;
    const projector = (async () => {
      while (projecting) {
        await store.project(PROJECT_STEP);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const mixed = await ingestFor(store, SECONDS, MIXED_INFLIGHT);
    projecting = false;
    await projector;
    await worker?.stop();
    const statusAfter = await store.projectionStatus();
    mixed.folded = statusAfter.events - statusBefore.events;
    mixed.backlogGrowth = statusAfter.pendingBatches - statusBefore.pendingBatches;
    mixed.thread = worker === undefined ? 'main' : 'worker';
    return { name, ingest, projection, mixed };
  } finally {
    await store.close();
    await cleanup?.();
  }
}

const fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-'));
rows.push(
  await run(
    'SQLite (WAL, synchronous=FULL)',
    () => openStore({ dataDir: dir }),
    () => rmSync(dir, { recursive: true, force: true }),
  ),
);
if (pgUrl) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  rows.push(
    await run(
      'PostgreSQL (synchronous_commit default)',
      () => openStore({ url: pgUrl, schema }),
      async () => {
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      },
    ),
  );
} else {
  console.log(
    '(PostgreSQL skipped: set THRESHOLD_BENCH_DATABASE_URL or THRESHOLD_TEST_DATABASE_URL)\n',
  );
}

console.log('Ingest alone, then projection alone:\n');
console.log(
  `ingest: ${SECONDS}s, ${INFLIGHT} batches in flight, ${BATCH} events/batch, ${fmt(UNITS)} units; node ${process.version}\n`,
);
console.log(
  '| store | events/s | batches/s | batch p50 ms | batch p99 ms | projection thread | projection events/s | projection events per CPU-s of this process | projected (s) | pending batches after |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|---:|');
for (const { name, ingest: i, projection: p } of rows) {
  console.log(
    `| ${name} | ${fmt(i.events / i.elapsed)} | ${fmt(i.batches / i.elapsed)} | ${fmt(i.p50, 1)} | ${fmt(i.p99, 1)} | ${p.thread} | ${fmt(p.events / p.elapsed)} | ${fmt(p.events / p.cpuSeconds)} | ${fmt(p.elapsed, 1)} | ${fmt(p.pending)} |`,
  );
}
console.log(
  `\nIngest (${MIXED_INFLIGHT} in flight) while projecting: the worker thread (${WORKER_STEP}–${WORKER_MAX_STEP} batches per step) or project(${PROJECT_STEP}) back to back on the main thread (${SECONDS}s):\n`,
);
console.log(
  '| store | projection thread | ingest events/s | batch p50 ms | batch p99 ms | projected events/s | backlog growth (batches) |',
);
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const { name, mixed: m } of rows) {
  console.log(
    `| ${name} | ${m.thread} | ${fmt(m.events / m.elapsed)} | ${fmt(m.p50, 1)} | ${fmt(m.p99, 1)} | ${fmt(m.folded / m.elapsed)} | ${fmt(m.backlogGrowth)} |`,
  );
}
