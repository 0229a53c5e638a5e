#!/usr/bin/env node
// The server while it rehearses: /healthz latency, probed one request after
// another, during a rehearsal of the bench plan on the server's worker pool
// (issue 15's target: p99 < 50 ms during a 10,000-launch rehearsal). A figure,
// not a test (the test, packages/server/test/rehearsals.test.ts, only asserts
// that /healthz keeps answering). Run after `npm run build`:
//
//   node bench/rehearsal-server.mjs               # 2,000 launches (keeps a run short)
//   RUNS=10000 node bench/rehearsal-server.mjs    # the size
//
// Prints a table, then a JSON line last.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createToken, startServer } from '../packages/server/dist/index.js';

const RUNS = Number(process.env.RUNS ?? 2000);
const PLAN = readFileSync(new URL('./rehearsal-plan.yaml', import.meta.url), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'rehearsal-server-'));
const server = await startServer({
  port: 0,
  dataDir: dir,
  logger: pino({ level: 'silent' }),
});
try {
  const { token } = await createToken(server.store, { name: 'bench', scopes: ['viewer'] });
  const started = performance.now();
  let answered = false;
  const rehearsal = fetch(`${server.url}/api/v1/rehearsals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      planSource: PLAN,
      profile: { unitsPerMinute: 2000, diurnal: true },
      runs: RUNS,
    }),
  }).then(async (r) => {
    const body = await r.json();
    answered = true;
    if (r.status !== 200) throw new Error(`rehearsal: ${r.status} ${JSON.stringify(body)}`);
    return body;
  });
  const latencies = [];
  while (!answered) {
    const t = performance.now();
    const r = await fetch(`${server.url}/healthz`);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`/healthz answered ${r.status}`);
    if (!answered) latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const body = await rehearsal;
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const round = (x) => Number(x.toFixed(1));
  const figure = {
    launches: body.report.clean.runs,
    rehearsalWallSeconds: round(wallMs / 1000),
    probes: latencies.length,
    healthzP50Ms: round(at(0.5)),
    healthzP99Ms: round(at(0.99)),
    healthzMaxMs: round(latencies.at(-1)),
    targetP99Ms: 50,
  };
  console.log('| launches | rehearsal wall | /healthz probes | p50 | p99 | max |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${figure.launches} | ${figure.rehearsalWallSeconds} s | ${figure.probes} | ${figure.healthzP50Ms} ms | ${figure.healthzP99Ms} ms | ${figure.healthzMaxMs} ms |`,
  );
  console.log(JSON.stringify(figure));
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
