// The infrastructure canary, end to end on real parts: two versions of a small
// HTTP service behind a real HAProxy, a real Prometheus scraping HAProxy's own
// exporter, a Threshold server that moves the new version's weight through
// HAProxy's Runtime API, and a load generator sending requests through HAProxy
// the whole time. `run.mjs` is the command; the tests call runInfraCanary().
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, startServer } from '@threshold/server';
import pino from 'pino';
import {
  HAPROXY_BIN,
  freePort,
  haproxyConfig,
  runtime,
  spawnHaproxy,
  stopProcess,
} from './haproxy.mjs';
import { startService } from './service.mjs';

export const PROMETHEUS_BIN = process.env.THRESHOLD_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PLAN_FILE = new URL('./plan.yaml', import.meta.url);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Start a child process and wait until `ready()` says so. */
async function startProcess(bin, args, ready, what) {
  let output = '';
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited: ${output}`);
    if (await ready().catch(() => false)) return proc;
    await sleep(150);
  }
  proc.kill('SIGKILL');
  throw new Error(`${what} did not start: ${output}`);
}

/** The new version's share HAProxy itself holds. */
async function heldShare(socket) {
  const out = await runtime(socket, 'get weight web/web-v2; get weight web/web-v1');
  const [t, c] = [...out.matchAll(/(\d+) \(initial/g)].map((m) => Number(m[1]));
  return t + c > 0 ? t / (t + c) : null;
}

/** Requests through HAProxy's frontend, a few at a time, counted per version. */
function loadGenerator(url, { concurrency = 6, pauseMs = 20 } = {}) {
  let stopped = false;
  let counts = { 'web-v1': 0, 'web-v2': 0, errors: 0 };
  const worker = async () => {
    while (!stopped) {
      try {
        const res = await fetch(url);
        const version = res.headers.get('x-version');
        await res.arrayBuffer();
        if (version === 'web-v1' || version === 'web-v2') counts[version]++;
        if (res.status >= 500) counts.errors++;
      } catch {
        counts.errors++;
      }
      await sleep(pauseMs);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    /** Counts since the last take, and start counting again. */
    take() {
      const c = counts;
      counts = { 'web-v1': 0, 'web-v2': 0, errors: 0 };
      return c;
    },
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

/**
 * Bring everything up, start the launch, follow it to its end and take it all
 * down. `fault`: the new version fails 30% of its requests. `say(line)` narrates.
 * Returns what happened: the outcome, each phase's weight against the share of
 * requests measured reaching the new version, and the log.
 */
export async function runInfraCanary({ fault = false, say = () => {}, timeoutMs = 240_000 } = {}) {
  for (const bin of [HAPROXY_BIN, PROMETHEUS_BIN])
    if (!existsSync(bin))
      throw new Error(`${bin} is missing (apt-get install -y haproxy prometheus)`);
  const dir = mkdtempSync(join(tmpdir(), 'threshold-infra-canary-'));
  const cleanup = [];
  try {
    const v1 = await startService({ version: 'web-v1' });
    const v2 = await startService({ version: 'web-v2', errorRate: fault ? 0.3 : 0 });
    cleanup.push(
      () => v1.close(),
      () => v2.close(),
    );

    const [front, metrics, promPort] = [await freePort(), await freePort(), await freePort()];
    const socket = join(dir, 'haproxy.sock');
    const haproxyCfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      haproxyCfg,
      haproxyConfig({
        frontPort: front,
        socket,
        metricsPort: metrics,
        // The config file's weights: all traffic to the current version.
        servers: [
          { name: 'web-v1', port: v1.port, weight: 256 },
          { name: 'web-v2', port: v2.port, weight: 0 },
        ],
      }),
    );
    const haproxy = await spawnHaproxy({ config: haproxyCfg, api: socket, server: 'web-v1' });
    cleanup.push(() => stopProcess(haproxy));
    say(
      `haproxy: http://127.0.0.1:${front} in front of web-v1 (weight 256) and web-v2 (weight 0); Runtime API ${socket}`,
    );

    const promCfg = join(dir, 'prometheus.yml');
    writeFileSync(
      promCfg,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: haproxy',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metrics}']`,
        // HAProxy labels responses by server; the plan's queries ask by arm.
        '    metric_relabel_configs:',
        '      - { source_labels: [server], regex: web-v2, target_label: arm, replacement: treatment }',
        '      - { source_labels: [server], regex: web-v1, target_label: arm, replacement: control }',
        '',
      ].join('\n'),
    );
    const promUrl = `http://127.0.0.1:${promPort}`;
    const prometheus = await startProcess(
      PROMETHEUS_BIN,
      [
        `--config.file=${promCfg}`,
        `--storage.tsdb.path=${join(dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      async () => (await fetch(`${promUrl}/-/ready`)).status === 200,
      'prometheus',
    );
    cleanup.push(() => stopProcess(prometheus));
    say(`prometheus: ${promUrl}, scraping HAProxy's exporter every second`);

    const load = loadGenerator(`http://127.0.0.1:${front}/`);
    cleanup.push(() => load.stop());

    const server = await startServer({
      port: 0,
      dataDir: join(dir, 'threshold'),
      logger: pino({ level: 'silent' }),
      sources: [{ name: 'prometheus', kind: 'prometheus', url: promUrl, timeoutMs: 2000 }],
      routers: [{ name: 'edge', kind: 'haproxy', address: `unix://${socket}`, timeoutMs: 2000 }],
      controller: { lookIntervalMs: 1000, lookRecordIntervalMs: 1000 },
      routerIntervalMs: 250,
      outbox: false,
    });
    cleanup.push(() => server.close());
    const { token } = await createToken(server.store, {
      name: 'infra-canary',
      scopes: ['operator'],
    });
    const api = async (method, path, body, type = 'application/json') => {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': type }),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.error?.message}`);
      return json;
    };
    say(`threshold: ${server.url} (operator token ${token})`);

    // Prometheus needs a few scrapes before the first look has anything to read.
    await sleep(3000);
    await api('POST', '/api/v1/plans', readFileSync(PLAN_FILE, 'utf8'), 'application/yaml');
    const { launch } = await api('POST', '/api/v1/launches', { plan: 'web-v2' });
    say(`launch ${launch.id} started${fault ? ' (web-v2 fails 30% of its requests)' : ''}`);

    const t0 = Date.now();
    const at = () => `[${String(Math.round((Date.now() - t0) / 1000)).padStart(3)}s]`;
    const phases = [];
    const events = [];
    let seq = 0;
    let current = null;
    let outcome = null;
    while (outcome === null) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`the launch did not end within ${timeoutMs} ms`);
      await sleep(500);
      const { events: fresh } = await api(
        'GET',
        `/api/v1/launches/${launch.id}/events${seq === 0 ? '' : `?after=${seq}`}`,
      );
      for (const e of fresh) {
        seq = e.seq;
        events.push(e);
        if (e.type === 'decision') {
          const d = e.data;
          if (d.type === 'advance')
            say(`${at()} decided: ${d.fromPhase} → ${d.toPhase} at ${d.traffic * 100}%`);
          else if (d.type === 'rollback') say(`${at()} decided: ROLL BACK to 0%: ${d.reason}`);
          else if (d.type === 'complete') say(`${at()} decided: COMPLETE: ${d.reason}`);
          else if (d.type === 'hold' || d.type === 'release-hold')
            say(`${at()} ${d.type}: ${d.reason}`);
        } else if (e.type === 'router') {
          const r = e.data;
          say(
            `${at()} ${r.status === 'applied' ? 'applied' : 'NOT applied'}: ${r.reason}${r.latencyMs === undefined ? '' : ` (${r.latencyMs} ms after the decision)`}`,
          );
          if (r.status === 'applied') {
            // A new weight holds from here: measure what reaches each version under it.
            if (current !== null) phases.push(finish(current, load.take()));
            load.take();
            const row = (await api('GET', `/api/v1/launches/${launch.id}`)).launch;
            current = {
              phase: row.status === 'rolled-back' ? 'rolled back' : row.phase,
              weight: r.traffic,
            };
          }
        }
      }
      const row = (await api('GET', `/api/v1/launches/${launch.id}`)).launch;
      if (row.status === 'completed' || row.status === 'rolled-back') {
        // The last share is confirmed once a router entry with it follows the final decision.
        const last = events
          .filter((e) => e.type === 'router' && e.data.status === 'applied')
          .at(-1);
        if (last !== undefined && Math.abs(last.data.traffic - row.share) < 1e-9)
          outcome = row.status;
      }
    }
    // Measure the final share under load for a moment.
    await sleep(2000);
    if (current !== null) phases.push(finish(current, load.take()));
    for (const p of phases)
      say(
        `measured: ${p.phase} at ${p.weight * 100}%: ${(p.measured * 100).toFixed(1)}% of ${p.requests} requests reached web-v2`,
      );
    const held = await heldShare(socket);
    say(
      `${outcome === 'completed' ? 'COMPLETED' : 'ROLLED BACK'}: HAProxy holds web-v2 at ${held === null ? '?' : held * 100}%`,
    );
    return { outcome, phases, events, heldShare: held, launchId: launch.id };
  } finally {
    for (const stop of cleanup.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function finish(current, counts) {
  const requests = counts['web-v1'] + counts['web-v2'];
  return { ...current, requests, measured: requests === 0 ? 0 : counts['web-v2'] / requests };
}
