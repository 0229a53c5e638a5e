// Look latency with 50 Prometheus KPIs: a real Prometheus (Debian's, 1 s scrapes)
// scrapes a prom-client service with per-arm counters and a histogram; a real
// `startServer` reads a launch's 50 KPIs through the Prometheus source at every
// look (about 240 HTTP queries per look, 16 in flight). Meanwhile a client polls
// /healthz every 50 ms, to show the HTTP server is not blocked by the looks.
//
//   npm run build && node bench/metric-sources.mjs
//
// Knobs (env): BENCH_LOOKS (30), BENCH_WARMUP_SECONDS (12: scrapes before the first
// look), BENCH_KPIS (50), PROMETHEUS (/usr/bin/prometheus).
//
// Prints look latency p50/p99/max over the looks, /healthz p50/p99/max meanwhile,
// the CPU time of this process (server + service + clients) and of Prometheus, and
// a JSON line last.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const LOOKS = Number(process.env.BENCH_LOOKS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 12);
const KPIS = Number(process.env.BENCH_KPIS ?? 50);
const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';

if (!existsSync(PROMETHEUS)) {
  console.error(`bench/metric-sources: needs ${PROMETHEUS} (apt-get install -y prometheus)`);
  process.exit(2);
}

const { Counter, Histogram, Registry } = await import('prom-client');
const { createToken, startServer } = await import('../packages/server/dist/index.js');
const pino = (await import('pino')).default;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => Math.round(x * 10) / 10;

async function freePort() {
  const srv = createNetServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// ---- the service: 10 metric families per arm, so 50 KPIs read different series --------
const registry = new Registry();
const FAMILIES = 10;
const requests = [];
const latency = [];
const cpu = [];
for (let f = 0; f < FAMILIES; f++) {
  requests.push(
    new Counter({
      name: `svc${f}_requests_total`,
      help: 'requests',
      labelNames: ['arm', 'code'],
      registers: [registry],
    }),
  );
  latency.push(
    new Histogram({
      name: `svc${f}_seconds`,
      help: 'latency',
      labelNames: ['arm'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  );
  cpu.push(
    new Counter({
      name: `svc${f}_cpu_seconds_total`,
      help: 'cpu',
      labelNames: ['arm'],
      registers: [registry],
    }),
  );
}
const ticker = setInterval(() => {
  for (let f = 0; f < FAMILIES; f++)
    for (const arm of ['treatment', 'control']) {
      requests[f].inc({ arm, code: '200' }, 20);
      requests[f].inc({ arm, code: '500' }, Math.random() < 0.1 ? 1 : 0);
      for (let i = 0; i < 5; i++) latency[f].observe({ arm }, 0.02 + Math.random() * 0.06);
      cpu[f].inc({ arm }, 0.04);
    }
}, 100);
const service = createServer((req, res) => {
  void registry.metrics().then((body) => {
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(body);
  });
});
await new Promise((r) => service.listen(0, '127.0.0.1', r));

// ---- Prometheus -------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-prom-'));
const promPort = await freePort();
writeFileSync(
  join(dir, 'prometheus.yml'),
  `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: svc\n    static_configs: [{ targets: ['127.0.0.1:${service.address().port}'] }]\n`,
);
const prom = spawn(
  PROMETHEUS,
  [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ],
  { stdio: 'ignore' },
);
const promUrl = `http://127.0.0.1:${promPort}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${promUrl}/-/ready`)).ok) break;
  } catch {
    // not yet
  }
  if (i > 150) throw new Error('prometheus did not start');
  await sleep(200);
}

// ---- the plan: KPIS Prometheus KPIs of every kind ---------------------------------------
const kinds = ['ratio', 'mean', 'quantile', 'slo-burn', 'ratio'];
const kpiLines = [];
for (let i = 0; i < KPIS; i++) {
  const f = i % FAMILIES;
  const kind = kinds[i % kinds.length];
  const bad = `sum(increase(svc${f}_requests_total{arm="{{arm}}",code="500"}[{{interval}}]))`;
  const all = `sum(increase(svc${f}_requests_total{arm="{{arm}}"}[{{interval}}]))`;
  const base = `    - name: k${i}\n      source: prometheus\n      step: 2s\n      kind: ${kind}\n`;
  if (kind === 'ratio')
    kpiLines.push(
      `${base}      numerator: ${bad}\n      denominator: ${all}\n      guard: { max_increase_abs: 0.05 }\n`,
    );
  else if (kind === 'slo-burn')
    kpiLines.push(
      `${base}      numerator: ${bad}\n      denominator: ${all}\n      guard: { burn_rate: { slo: 99%, windows: [{ long: 1m, short: 10s, factor: 14.4 }] } }\n`,
    );
  else if (kind === 'mean')
    kpiLines.push(
      `${base}      query: sum(increase(svc${f}_cpu_seconds_total{arm="{{arm}}"}[{{interval}}])) / ${all}\n      guard: { max_increase: 20%, max: 1 }\n`,
    );
  else
    kpiLines.push(
      `${base}      q: 0.95\n      query: histogram_quantile(0.95, sum by (le) (increase(svc${f}_seconds_bucket{arm="{{arm}}"}[{{interval}}])))\n      guard: { max_increase: 20% }\n`,
    );
}
const PLAN = `launch: bench-prom
owner: bench
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, min_units: 0 }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
${kpiLines.join('')}`;

const data = mkdtempSync(join(tmpdir(), 'threshold-bench-srv-'));
const server = await startServer({
  port: 0,
  dataDir: data,
  logger: pino({ level: 'silent' }),
  controller: false,
  outbox: false,
  sources: [{ name: 'prometheus', kind: 'prometheus', url: promUrl, timeoutMs: 5000 }],
});
const { token } = await createToken(server.store, { name: 'bench', scopes: ['operator'] });
const auth = { authorization: `Bearer ${token}` };
const up = await fetch(`${server.url}/api/v1/plans`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/yaml' },
  body: PLAN,
});
if (up.status !== 201) throw new Error(`plan upload: ${up.status} ${await up.text()}`);
await sleep(WARMUP_SECONDS * 1000);
const started = await fetch(`${server.url}/api/v1/launches`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ plan: 'bench-prom' }),
});
if (started.status !== 201)
  throw new Error(`launch start: ${started.status} ${await started.text()}`);
// Let the phase gather a few intervals so range queries return data.
await sleep(6000);

// ---- measure ---------------------------------------------------------------------------
const healthz = [];
let polling = true;
const poller = (async () => {
  while (polling) {
    const t0 = performance.now();
    await (await fetch(`${server.url}/healthz`)).arrayBuffer();
    healthz.push(performance.now() - t0);
    await sleep(50);
  }
})();
const procCpu = () => {
  const f = readFileSync(`/proc/${prom.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) / 100) * 1000; // utime + stime, clock ticks of 10 ms
};
const cpu0 = process.cpuUsage();
const promCpu0 = procCpu();
const wall0 = performance.now();
const looks = [];
for (let i = 0; i < LOOKS; i++) {
  const t0 = performance.now();
  const [outcome] = await server.controller.lookOnce();
  looks.push(performance.now() - t0);
  if (outcome === undefined) throw new Error('no running launch to look at');
  await sleep(300);
}
const wall = performance.now() - wall0;
const cpu1 = process.cpuUsage(cpu0);
const promCpu = procCpu() - promCpu0;
polling = false;
await poller;
const metricsText = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
const queries = Number(
  /threshold_source_query_duration_seconds_count\{source="prometheus"\} (\d+)/.exec(
    metricsText,
  )?.[1] ?? 0,
);
const errors = [...metricsText.matchAll(/threshold_source_errors_total\{[^}]*\} (\d+)/g)].reduce(
  (s, m) => s + Number(m[1]),
  0,
);

await server.close();
prom.kill('SIGTERM');
await new Promise((r) => prom.once('exit', r));
clearInterval(ticker);
service.closeAllConnections();
service.close();
rmSync(dir, { recursive: true, force: true });
rmSync(data, { recursive: true, force: true });

const result = {
  bench: 'metric-sources',
  kpis: KPIS,
  looks: LOOKS,
  queriesPerLook: Math.round(queries / LOOKS),
  queryErrors: errors,
  lookP50Ms: ms(pct(looks, 50)),
  lookP99Ms: ms(pct(looks, 99)),
  lookMaxMs: ms(Math.max(...looks)),
  healthzSamples: healthz.length,
  healthzP50Ms: ms(pct(healthz, 50)),
  healthzP99Ms: ms(pct(healthz, 99)),
  healthzMaxMs: ms(Math.max(...healthz)),
  wallSeconds: ms(wall / 1000),
  cpuProcessMs: ms((cpu1.user + cpu1.system) / 1000),
  cpuPrometheusMs: ms(promCpu),
};
console.log(
  `${KPIS} Prometheus KPIs, ${LOOKS} looks, ~${result.queriesPerLook} queries per look (${errors} failed)`,
);
console.log(
  `look latency:    p50 ${result.lookP50Ms} ms, p99 ${result.lookP99Ms} ms, max ${result.lookMaxMs} ms`,
);
console.log(
  `/healthz (meanwhile, ${healthz.length} requests): p50 ${result.healthzP50Ms} ms, p99 ${result.healthzP99Ms} ms, max ${result.healthzMaxMs} ms`,
);
console.log(
  `CPU over ${result.wallSeconds} s: this process ${result.cpuProcessMs} ms (server, service, clients), Prometheus ${result.cpuPrometheusMs} ms`,
);
console.log(JSON.stringify(result));
