// Event ingest over HTTP: a real `startServer` on a fresh SQLite folder, N clients
// posting 1000-event batches to POST /v1/events with an sdk token, as SDKs do.
//
//   npm run build && node bench/ingest-http.mjs
//
// The server runs in a child process (this file, forked with --server), so its CPU
// time (process.cpuUsage, reported over IPC) is the server's alone; the clients
// send pre-serialized bodies over keep-alive connections to keep their own cost low.
// The server runs as in production: its background projector folds the batches
// while they arrive; the controller and outbox worker are off (nothing to decide).
//
// Knobs (env): BENCH_SECONDS (10), BENCH_CLIENTS (8 requests in flight), BENCH_BATCH
// (1000 events), BENCH_UNITS (200000 exposed units), BENCH_WARMUP_SECONDS (2),
// BENCH_DRAIN_SECONDS (30: afterwards, time to fold the backlog before giving up),
// BENCH_PROJECTOR (on; `off` never runs the server's projector: the ingest path alone),
// THRESHOLD_BENCH_DATABASE_URL (postgres://…: run on PostgreSQL instead, in a
// scratch schema dropped afterwards).
//
// Prints events/s, batches/s, batch latency p50/p99 (request sent → 202 received),
// server CPU per event (user+system µs of the server process during the timed
// window), and what the projection did meanwhile.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { armOf, bucketOf } from '../packages/core/dist/index.js';

/** The arm a unit really has at 10% (salt 'bench'): the projection quarantines any other claim. */
const armOfUnit = (unit) => armOf(bucketOf(unit, 'bench'), 1000, 'rest');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const UNITS = Number(process.env.BENCH_UNITS ?? 200_000);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 30);
const PROJECTOR = process.env.BENCH_PROJECTOR !== 'off';
const pgUrl = process.env.THRESHOLD_BENCH_DATABASE_URL;

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

if (process.argv[2] === '--server') await serverMain();
else await clientMain();

// ---- the server process --------------------------------------------------------------

async function serverMain() {
  const { parsePlan } = await import('../packages/core/dist/index.js');
  const { createToken, openStore, startServer } = await import('../packages/server/dist/index.js');
  const pino = (await import('pino')).default;
  const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-http-'));
  const schema = pgUrl ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const storeOptions = pgUrl ? { url: pgUrl, schema } : { dataDir: dir };

  // Seed before the server starts: a plan, a running launch whose units are all
  // exposed (so the projection attributes the tracks), and an sdk token.
  const seedStore = await openStore(storeOptions);
  const parsed = parsePlan(PLAN);
  if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
  const v = await seedStore.putPlan({
    name: 'bench',
    source: PLAN,
    format: 'yaml',
    plan: parsed.plan,
    createdBy: 'bench',
  });
  await seedStore.createLaunch({
    id: 'L',
    planName: 'bench',
    planVersion: v.version,
    salt: 'bench',
    createdBy: 'bench',
    traffic: 0.1,
  });
  // The seed exposes every unit in one go: lift its per-minute unit cap (ADR 0019).
  await seedStore.createToken({
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
      events.push({
        type: 'exposure',
        flag: 'bench',
        launch: 'L',
        unit: `user-${u}`,
        arm,
        phase: 'canary',
        ts: Date.now(),
      });
    }
    await seedStore.ingest('seed', `seed-${start}`, events);
  }
  while ((await seedStore.project(50)) > 0);
  const { token } = await createToken(seedStore, { name: 'bench-sdk', scopes: ['sdk'] });
  await seedStore.close();

  const server = await startServer({
    port: 0,
    ...(pgUrl ? { databaseUrl: pgUrl, databaseSchema: schema } : { dataDir: dir }),
    logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }),
    controller: false,
    outbox: false,
    // Off: the longest timer Node accepts (~24 days); the projector never runs.
    ...(PROJECTOR ? {} : { projectIntervalMs: 2 ** 31 - 1 }),
    // The bench measures the server, not the per-token limit (default 50,000 events/s).
    app: { ingestRate: { eventsPerSecond: 1e9, burst: 1e9 } },
  });

  // The main thread's own CPU (Linux: /proc/<pid>/task/<pid>/stat, in clock ticks of
  // 10 ms), to tell event-loop work from work on other threads (projection worker, GC).
  const mainThreadMicros = () => {
    try {
      const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10_000;
    } catch {
      return NaN;
    }
  };
  let cpu0 = process.cpuUsage();
  let main0 = mainThreadMicros();
  let status0 = await server.store.projectionStatus();
  process.on('message', async (msg) => {
    if (msg.type === 'mark') {
      cpu0 = process.cpuUsage();
      main0 = mainThreadMicros();
      status0 = await server.store.projectionStatus();
      process.send({ type: 'marked' });
    } else if (msg.type === 'read') {
      const cpu = process.cpuUsage(cpu0);
      const status = await server.store.projectionStatus();
      process.send({
        type: 'read',
        cpuMicros: cpu.user + cpu.system,
        mainThreadMicros: mainThreadMicros() - main0,
        projectedEvents: status.events - status0.events,
        pendingBatches: status.pendingBatches,
      });
    } else if (msg.type === 'drain') {
      // How long the projector takes to fold what is left, with no ingest competing.
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const e0 = (await server.store.projectionStatus()).events;
      let status;
      for (;;) {
        status = await server.store.projectionStatus();
        if (status.pendingBatches === 0 || performance.now() - t0 > DRAIN_SECONDS * 1000) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const c = process.cpuUsage(c0);
      process.send({
        type: 'drained',
        seconds: (performance.now() - t0) / 1000,
        events: status.events - e0,
        cpuMicros: c.user + c.system,
        pendingBatches: status.pendingBatches,
      });
    } else if (msg.type === 'stop') {
      await server.close();
      if (pgUrl) {
        const pg = (await import('pg')).default;
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send({ type: 'ready', url: server.url, token });
}

// ---- the clients ------------------------------------------------------------------------

async function clientMain() {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: 'inherit' });
  const replies = [];
  const waiters = [];
  child.on('message', (m) => (waiters.length > 0 ? waiters.shift()(m) : replies.push(m)));
  const next = () =>
    new Promise((resolve) =>
      replies.length > 0 ? resolve(replies.shift()) : waiters.push(resolve),
    );
  const ask = (type) => {
    child.send({ type });
    return next();
  };
  child.on('exit', (code) => {
    if (code !== 0) {
      console.error(`server process exited with ${code}`);
      process.exit(1);
    }
  });

  const ready = await next();
  const url = new URL('/v1/events', ready.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

  // Deterministic traffic, like bench/ingest.mjs: a few exposures, mostly KPI tracks.
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const makeEvents = (now) => {
    const events = [];
    for (let i = 0; i < BATCH; i++) {
      const u = Math.floor(rand() * UNITS);
      const unit = `user-${u}`;
      const ts = now - Math.floor(rand() * 5000);
      const r = rand();
      if (r < 0.1) {
        const arm = armOfUnit(`user-${u}`);
        events.push({
          type: 'exposure',
          flag: 'bench',
          launch: 'L',
          unit,
          arm,
          phase: 'canary',
          ts,
        });
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
  };
  // Bodies are pre-serialized; only the batchId differs per request (unique, so no dedupe).
  const pool = Array.from({ length: 64 }, () => JSON.stringify(makeEvents(Date.now())));
  const runId = randomBytes(4).toString('hex');
  let sent = 0;
  const body = () => {
    const n = sent++;
    return (
      `{"wireVersion":1,"sdk":{"name":"bench","version":"1"},"sentAt":${Date.now()},` +
      `"batchId":"${runId}-${n}","events":${pool[n % pool.length]}}`
    );
  };
  const post = (text) =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${ready.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 202)
              reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString()).accepted);
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });

  const run = async (seconds) => {
    const latencies = [];
    let events = 0;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const client = async () => {
      while (performance.now() < deadline) {
        const text = body();
        const start = performance.now();
        const accepted = await post(text);
        latencies.push(performance.now() - start);
        events += accepted;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    latencies.sort((a, b) => a - b);
    const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return {
      events,
      batches: latencies.length,
      elapsed: (performance.now() - t0) / 1000,
      p50: at(0.5),
      p99: at(0.99),
      max: latencies[latencies.length - 1],
    };
  };

  await run(WARMUP_SECONDS); // JIT, file growth
  if (PROJECTOR) await ask('drain');
  await ask('mark');
  const r = await run(SECONDS);
  const server = await ask('read');
  const drained = PROJECTOR
    ? await ask('drain')
    : { seconds: NaN, events: 0, cpuMicros: 0, pendingBatches: NaN };
  child.send({ type: 'stop' });
  agent.destroy();

  const fmt = (n, d = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(
    `POST /v1/events: ${SECONDS}s, ${CLIENTS} clients, ${BATCH} events/batch, ${fmt(UNITS)} units, ${pgUrl ? 'PostgreSQL' : 'SQLite'}, projector ${PROJECTOR ? 'on' : 'off'}; node ${process.version}\n`,
  );
  console.log(
    '| events/s | batches/s | batch p50 ms | batch p99 ms | batch max ms | server CPU µs/event | of which main thread | projected events/s meanwhile | pending batches after | backlog fold (s) | fold CPU µs/event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${fmt(r.events / r.elapsed)} | ${fmt(r.batches / r.elapsed)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${fmt(server.cpuMicros / r.events, 2)} | ${fmt(server.mainThreadMicros / r.events, 2)} | ${fmt(server.projectedEvents / r.elapsed)} | ${fmt(server.pendingBatches)} | ${fmt(drained.seconds, 1)}${drained.pendingBatches > 0 ? ` (${fmt(drained.pendingBatches)} left)` : ''} | ${drained.events > 0 ? fmt(drained.cpuMicros / drained.events, 2) : 'n/a'} |`,
  );
  console.log(
    '\nserver CPU µs/event: all threads of the server process (HTTP, validation, store, projection) over ingested events; main thread: its event loop alone.',
  );
}
