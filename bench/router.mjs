// Decision → weight applied, on loopback: a real HAProxy (Runtime API on a unix
// socket) in front of two idle upstreams, a real Prometheus (the plan's KPI must
// parse there before a launch may start), and a real `startServer` with its
// controller and router reconciler running. Each round starts a launch whose
// first phase needs a sign-off, approves it (the controller's advance to 10%),
// then rolls it back through the API (an operator's 0%). The latency of each is
// the router entry's `latencyMs`: from the decision's commit to HAProxy's
// confirmation (weights set, then read back).
//
//   npm run build && node bench/router.mjs
//
// Knobs (env): BENCH_ROUNDS (50), HAPROXY (/usr/sbin/haproxy), PROMETHEUS (/usr/bin/prometheus).
// Prints p50/p99/max per kind of decision, and a JSON line last.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HAPROXY_BIN,
  freePort,
  haproxyConfig,
  spawnHaproxy,
  stopProcess,
} from '../examples/infra-canary/haproxy.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const HAPROXY = process.env.HAPROXY ?? HAPROXY_BIN;
const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
for (const bin of [HAPROXY, PROMETHEUS])
  if (!existsSync(bin)) {
    console.error(`bench/router: needs ${bin} (apt-get install -y haproxy prometheus)`);
    process.exit(2);
  }

const { createToken, startServer } = await import('../packages/server/dist/index.js');
const pino = (await import('pino')).default;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
async function spawnUntil(bin, args, ready) {
  const proc = spawn(bin, args, { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    if (await ready().catch(() => false)) return proc;
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`${bin} did not start`);
}

const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-router-'));
const upstreams = [];
for (let i = 0; i < 2; i++) {
  const s = createServer((req, res) => res.end('ok'));
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  upstreams.push(s);
}
const socket = join(dir, 'haproxy.sock');
writeFileSync(
  join(dir, 'haproxy.cfg'),
  haproxyConfig({
    frontPort: await freePort(),
    socket,
    servers: [
      { name: 'web-v1', port: upstreams[0].address().port, weight: 256 },
      { name: 'web-v2', port: upstreams[1].address().port, weight: 0 },
    ],
  }),
);
const haproxy = await spawnHaproxy({
  bin: HAPROXY,
  config: join(dir, 'haproxy.cfg'),
  api: socket,
  server: 'web-v1',
});
const promPort = await freePort();
writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
const prometheus = await spawnUntil(
  PROMETHEUS,
  [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'prom')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--log.level=warn',
  ],
  async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).status === 200,
);

const server = await startServer({
  port: 0,
  dataDir: join(dir, 'threshold'),
  logger: pino({ level: 'silent' }),
  sources: [
    {
      name: 'prometheus',
      kind: 'prometheus',
      url: `http://127.0.0.1:${promPort}`,
      timeoutMs: 2000,
    },
  ],
  routers: [{ name: 'edge', kind: 'haproxy', address: `unix://${socket}`, timeoutMs: 2000 }],
  controller: { lookIntervalMs: 100, lookRecordIntervalMs: 3_600_000 },
  routerIntervalMs: 500,
  outbox: false,
});
const op = (await createToken(server.store, { name: 'bench', scopes: ['operator'] })).token;
const pm = (await createToken(server.store, { name: 'pm', scopes: ['approver:product'] })).token;
const call = async (token, method, path, body, type = 'application/json') => {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
await call(
  op,
  'POST',
  '/api/v1/plans',
  `launch: bench-router
owner: bench
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, signoff: [product] }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: mean, source: prometheus, query: 'vector(0)', guard: { max: 1 } }
signoff: { roles: { product: 1 } }
router: { name: edge, service: web, arms: { treatment: web-v2, control: web-v1 } }
`,
  'application/yaml',
);

/** The router entry that applied the share of the launch's decision of `type`, once there. */
const appliedFor = async (id, type) => {
  for (let i = 0; i < 400; i++) {
    const { events } = await call(op, 'GET', `/api/v1/launches/${id}/events`);
    const decision = events.find((e) => e.type === 'decision' && e.data.type === type);
    const hit =
      decision === undefined
        ? undefined
        : events.find(
            (e) =>
              e.type === 'router' &&
              e.data.status === 'applied' &&
              e.data.decision === decision.seq,
          );
    if (hit !== undefined) return hit.data;
    await sleep(25);
  }
  throw new Error(`launch ${id}: the ${type} was never applied`);
};

const advance = [];
const rollback = [];
for (let round = 0; round < ROUNDS; round++) {
  const { launch } = await call(op, 'POST', '/api/v1/launches', { plan: 'bench-router' });
  await call(pm, 'POST', `/api/v1/launches/${launch.id}/approvals`, {
    role: 'product',
    decision: 'approve',
  });
  const up = await appliedFor(launch.id, 'advance');
  if (typeof up.latencyMs === 'number') advance.push(up.latencyMs);
  await call(op, 'POST', `/api/v1/launches/${launch.id}/rollback`, { reason: 'bench' });
  const down = await appliedFor(launch.id, 'rollback');
  if (typeof down.latencyMs === 'number') rollback.push(down.latencyMs);
}

await server.close();
await stopProcess(haproxy);
prometheus.kill('SIGTERM');
for (const s of upstreams) s.close();
rmSync(dir, { recursive: true, force: true });

const row = (name, xs) =>
  `| ${name} | ${xs.length} | ${pct(xs, 50)} | ${pct(xs, 99)} | ${Math.max(...xs)} |`;
const all = [...advance, ...rollback];
console.log('| decision → HAProxy confirmed | n | p50 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
console.log(row("advance (controller's look)", advance));
console.log(row("rollback (an operator's, through the API)", rollback));
console.log(row('all', all));
console.log(
  JSON.stringify({
    bench: 'router',
    router: 'haproxy (unix socket)',
    rounds: ROUNDS,
    samples: all.length,
    p50Ms: pct(all, 50),
    p99Ms: pct(all, 99),
    maxMs: Math.max(...all),
    advanceP99Ms: pct(advance, 99),
    rollbackP99Ms: pct(rollback, 99),
    targetP99Ms: 1000,
    met: pct(all, 99) < 1000,
  }),
);
