// /healthz while maximal plan validations run: a real `startServer` (built, so the
// plan validation worker thread is used) on a fresh SQLite folder; BENCH_PARALLEL
// clients each POST a 1 MiB plan with 350,000 wrong entries to
// /api/v1/plans/validate, again and again, while one client asks /healthz every
// 10 ms. Before the worker, one such validation blocked the event loop for ~9.5 s.
//
//   npm run build && node bench/validation-healthz.mjs
//
// Knobs (env): BENCH_SECONDS (20), BENCH_PARALLEL (2 validations in flight).
//
// Prints /healthz latency p50/p99/max, validations answered and their latency,
// process CPU (user+system, both threads) and peak RSS, then a JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createToken, startServer } from '@threshold/server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 2);
const ENTRIES = 350_000;

const head = `launch: x\nowner: y\nphases: [${'0,'.repeat(ENTRIES - 1)}0]\n`;
const plan = `${head}#${'x'.repeat(1024 * 1024 - 1 - head.length - 2)}\n`;

const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-validate-'));
const server = await startServer({
  port: 0,
  dataDir: dir,
  logger: pino({ level: 'silent' }),
  controller: false,
  outbox: false,
});
const viewer = (await createToken(server.store, { name: 'bench', scopes: ['viewer'] })).token;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const healthz = [];
const validations = [];
const statuses = {};
let peakRss = 0;
const cpu0 = process.cpuUsage();
const end = performance.now() + SECONDS * 1000;

async function validator() {
  while (performance.now() < end) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/v1/plans/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/yaml' },
      body: plan,
    });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 422) validations.push(performance.now() - t0);
    else await new Promise((r) => setTimeout(r, 200)); // 429: the queue is full
  }
}

async function prober() {
  while (performance.now() < end) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    await res.arrayBuffer();
    healthz.push(performance.now() - t0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 10));
  }
}

await Promise.all([prober(), ...Array.from({ length: PARALLEL }, validator)]);
const cpu = process.cpuUsage(cpu0);
await server.close();
rmSync(dir, { recursive: true, force: true });

healthz.sort((a, b) => a - b);
validations.sort((a, b) => a - b);
const result = {
  bench: 'validation-healthz',
  seconds: SECONDS,
  parallel: PARALLEL,
  healthzRequests: healthz.length,
  healthzP50Ms: +quantile(healthz, 0.5).toFixed(1),
  healthzP99Ms: +quantile(healthz, 0.99).toFixed(1),
  healthzMaxMs: +healthz[healthz.length - 1].toFixed(1),
  validations: validations.length,
  validationP50Ms: validations.length ? Math.round(quantile(validations, 0.5)) : null,
  statuses,
  cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
  peakRssMb: Math.round(peakRss / 1e6),
};
console.log(
  `/healthz: ${result.healthzRequests} requests, p50 ${result.healthzP50Ms} ms, p99 ${result.healthzP99Ms} ms, max ${result.healthzMaxMs} ms`,
);
console.log(
  `validations (1 MiB, ${ENTRIES} wrong entries): ${result.validations} answered 422, p50 ${result.validationP50Ms} ms; statuses ${JSON.stringify(statuses)}`,
);
console.log(`CPU ${result.cpuSeconds} s (both threads), peak RSS ${result.peakRssMb} MB`);
console.log(JSON.stringify(result));
