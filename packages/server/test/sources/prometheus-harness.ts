/**
 * Real parts for the Prometheus tests: a small HTTP service exposing per-arm
 * counters and a histogram with prom-client (traffic simulated inside it, so the
 * test can inject errors into one arm), and a real `/usr/bin/prometheus` on a free
 * loopback port with a temporary TSDB, scraping it every second. Stop and start
 * again on the same port and data, to test an outage.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Histogram, Registry } from 'prom-client';

/** Where Debian installs Prometheus. */
export const PROMETHEUS_BIN = process.env.THRESHOLD_TEST_PROMETHEUS ?? '/usr/bin/prometheus';
/** Whether the real Prometheus is here; tests skip with a visible message when not. */
export const HAVE_PROMETHEUS = existsSync(PROMETHEUS_BIN);
if (!HAVE_PROMETHEUS)
  console.warn(
    `SKIPPED: Prometheus tests need ${PROMETHEUS_BIN} (apt-get install -y prometheus; .ci/run does)`,
  );

/** A free loopback port (listen on 0, close, reuse the number). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Per-arm traffic of the test service. */
export interface ArmTraffic {
  /** Requests per second. */
  rps: number;
  /** Share of requests answered 5xx. */
  errorRate: number;
  /** Write latency in seconds (every request observes it, ±10% spread). */
  latency: number;
}

/** The test service: what it exposes and how to change its traffic. */
export interface TestService {
  port: number;
  traffic: Record<'treatment' | 'control', ArmTraffic>;
  close(): Promise<void>;
}

/** Start the service; it ticks every 100 ms, adding each arm's requests. */
export async function startTestService(
  traffic: Record<'treatment' | 'control', ArmTraffic>,
): Promise<TestService> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'ledger_requests_total',
    help: 'Ledger requests by arm and status code.',
    labelNames: ['arm', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ledger_write_seconds',
    help: 'Ledger write latency.',
    labelNames: ['arm'],
    buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
    registers: [registry],
  });
  const cpu = new Counter({
    name: 'ledger_cpu_seconds_total',
    help: 'CPU seconds spent by arm.',
    labelNames: ['arm'],
    registers: [registry],
  });
  const arms = ['treatment', 'control'] as const;
  for (const arm of arms) {
    requests.inc({ arm, code: '200' }, 0);
    requests.inc({ arm, code: '500' }, 0);
  }
  const owed = { treatment: 0, control: 0 };
  const errorsOwed = { treatment: 0, control: 0 };
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const state = { traffic };
  const timer = setInterval(() => {
    for (const arm of arms) {
      const t = state.traffic[arm];
      owed[arm] += t.rps / 10;
      const n = Math.floor(owed[arm]);
      owed[arm] -= n;
      // Errors are spread evenly (not random) so every interval shows the same rate.
      errorsOwed[arm] += n * t.errorRate;
      const errors = Math.min(n, Math.floor(errorsOwed[arm]));
      errorsOwed[arm] -= errors;
      requests.inc({ arm, code: '500' }, errors);
      requests.inc({ arm, code: '200' }, n - errors);
      for (let i = 0; i < n; i++) latency.observe({ arm }, t.latency * (0.9 + 0.2 * random()));
      cpu.inc({ arm }, n * 0.002);
    }
  }, 100);
  const server: Server = createServer((req, res) => {
    void registry.metrics().then((body) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get traffic() {
      return state.traffic;
    },
    set traffic(t) {
      state.traffic = t;
    },
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A running Prometheus. */
export interface TestPrometheus {
  url: string;
  port: number;
  /** Stop (SIGTERM, wait for exit); the data stays. */
  stop(): Promise<void>;
  /** Start again on the same port and data. */
  start(): Promise<void>;
  /** Stop and remove the data. */
  close(): Promise<void>;
}

/** How a test reaches a Prometheus that needs TLS or auth (`--web.config.file`). */
export interface PrometheusWeb {
  /** The web config YAML (tls_server_config, basic_auth_users), written beside the data. */
  config: string;
  /** Served over HTTPS (the config has tls_server_config). */
  https: boolean;
  /** PEM of the CA to trust when probing readiness. */
  ca?: string;
  /** The Authorization header to probe readiness with. */
  authorization?: string;
}

/** GET a URL over http(s) with an optional CA and Authorization header; status and body. */
export function probe(
  url: string,
  opts: { ca?: string; authorization?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      headers: opts.authorization === undefined ? {} : { authorization: opts.authorization },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end();
  });
}

/** Start Prometheus scraping `targetPort` every second (or `scrapeInterval`), behind `web`'s TLS and auth if given. */
export async function startPrometheus(
  targetPort: number,
  web?: PrometheusWeb,
  options: { scrapeInterval?: string } = {},
): Promise<TestPrometheus> {
  const every = options.scrapeInterval ?? '1s';
  const dir = mkdtempSync(join(tmpdir(), 'threshold-prom-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${every}`,
      // A scrape may take as long as the interval, never longer (Prometheus refuses that).
      `  scrape_timeout: ${every}`,
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: ledger',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${targetPort}']`,
      '',
    ].join('\n'),
  );
  const webConfig = join(dir, 'web.yml');
  if (web !== undefined) writeFileSync(webConfig, web.config);
  const url = `${web?.https === true ? 'https' : 'http'}://127.0.0.1:${port}`;
  const probeOpts = {
    ...(web?.ca === undefined ? {} : { ca: web.ca }),
    ...(web?.authorization === undefined ? {} : { authorization: web.authorization }),
  };
  let child: ChildProcess | undefined;
  let output = '';
  async function start(): Promise<void> {
    output = '';
    const proc = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1d',
        '--log.level=warn',
        ...(web === undefined ? [] : [`--web.config.file=${webConfig}`]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
      try {
        const res = await probe(`${url}/-/ready`, probeOpts);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus did not become ready: ${output}`);
  }
  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await start();
  return {
    url,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until Prometheus has scraped the service at least `scrapes` times. */
export async function waitForScrapes(
  url: string,
  scrapes: number,
  opts: { ca?: string; authorization?: string } = {},
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await probe(
      `${url}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="ledger"}[1h])')}`,
      opts,
    );
    const body = JSON.parse(res.body) as { data?: { result?: { value?: [number, string] }[] } };
    const n = Number(body.data?.result?.[0]?.value?.[1] ?? 0);
    if (n >= scrapes) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prometheus did not scrape ${scrapes} times`);
}
