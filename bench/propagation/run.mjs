#!/usr/bin/env node
// Config propagation: time from a config change on a local server to every one
// of N connected SDK clients applying it (the client's `change` event).
// Usage: node bench/propagation/run.mjs [--clients=1000] [--rounds=5]
// Needs the build (npm install does it). Prints a markdown table.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createClient } from '../../packages/sdk/dist/index.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
  },
});
const N = Number(values.clients);
const ROUNDS = Number(values.rounds);

const server = fork(new URL('./server.mjs', import.meta.url));
const messages = [];
let wake;
server.on('message', (m) => {
  messages.push(m);
  wake?.();
});
async function next(type, predicate = () => true) {
  for (;;) {
    const i = messages.findIndex((m) => m.type === type && predicate(m));
    if (i >= 0) return messages.splice(i, 1)[0];
    await new Promise((r) => (wake = r));
  }
}

const { port } = await next('listening');
const url = `http://127.0.0.1:${port}`;

const clients = [];
const applied = new Map(); // version -> array of hrtime bigints
for (let i = 0; i < N; i++) {
  const c = createClient({ url, token: 'bench', events: false, readyTimeoutMs: 120_000 });
  c.on('change', ({ version }) => {
    const t = process.hrtime.bigint();
    let list = applied.get(version);
    if (!list) applied.set(version, (list = []));
    list.push(t);
  });
  clients.push(c);
}
try {
  await Promise.all(clients.map((c) => c.ready()));
} catch (e) {
  console.error(`clients did not get a config: ${e instanceof Error ? e.message : e}`);
  server.kill();
  process.exit(1);
}
await next('streams', (m) => m.count >= N);
// Let the initial burst settle before measuring.
await new Promise((r) => setTimeout(r, 500));

const latencies = [];
const perRound = [];
for (let r = 0; r < ROUNDS; r++) {
  server.send({ type: 'publish' });
  const { version, t0 } = await next('published');
  const start = BigInt(t0);
  const deadline = Date.now() + 30_000;
  while ((applied.get(version)?.length ?? 0) < N && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 5));
  }
  const times = (applied.get(version) ?? []).map((t) => Number(t - start) / 1e6);
  if (times.length < N)
    console.error(`round ${r + 1}: only ${times.length}/${N} clients applied the change`);
  times.sort((a, b) => a - b);
  perRound.push({
    n: times.length,
    p50: q(times, 0.5),
    p99: q(times, 0.99),
    max: times.at(-1) ?? NaN,
  });
  latencies.push(...times);
  await new Promise((res) => setTimeout(res, 200));
}

function q(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
latencies.sort((a, b) => a - b);
const f = (x) => x.toFixed(1);
console.log(
  `Config propagation, ${N} SDK clients on loopback (one process), server in a second process, ${ROUNDS} changes\n`,
);
console.log('| round | clients applied | p50 ms | p99 ms | max ms |');
console.log('|---:|---:|---:|---:|---:|');
perRound.forEach((r, i) =>
  console.log(`| ${i + 1} | ${r.n}/${N} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`),
);
console.log(
  `| all | ${latencies.length}/${N * ROUNDS} | ${f(q(latencies, 0.5))} | ${f(q(latencies, 0.99))} | ${f(latencies.at(-1) ?? NaN)} |`,
);

await Promise.all(clients.map((c) => c.close()));
server.send({ type: 'stop' });
await once(server, 'exit');
process.exit(latencies.length === N * ROUNDS ? 0 : 1);
