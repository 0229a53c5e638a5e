/**
 * Real parts for the router tests: a real `/usr/sbin/haproxy` started on free
 * loopback ports with a generated config (a frontend, one backend with the
 * stable and the canary server, a Runtime API on TCP and on a unix socket,
 * HAProxy's Prometheus exporter), and two small upstream HTTP services that say
 * which version they are. Stop, kill and start again to test a restart.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BACKEND,
  HAPROXY_BIN,
  haproxyConfig,
  runtime,
  spawnHaproxy,
  stopProcess,
} from '../../../../examples/infra-canary/haproxy.mjs';
import { freePort } from '../sources/prometheus-harness.js';

export { HAPROXY_BIN };
/** Whether the real HAProxy is here; tests skip with a visible message when not. */
export const HAVE_HAPROXY = existsSync(HAPROXY_BIN);
if (!HAVE_HAPROXY)
  console.warn(
    `SKIPPED: router tests need ${HAPROXY_BIN} (apt-get install -y haproxy; .ci/run does)`,
  );

/** One upstream version of the service. */
export interface Upstream {
  name: string;
  port: number;
  /** Requests served so far. */
  served: number;
  /** Answer 500 to this share of requests (an injected fault). */
  errorRate: number;
  close(): Promise<void>;
}

/** Start an upstream that answers its name (and counts requests). */
export async function startUpstream(name: string): Promise<Upstream> {
  const state = { served: 0, errorRate: 0, owed: 0 };
  const server: Server = createServer((req, res) => {
    state.served++;
    state.owed += state.errorRate;
    const fail = state.owed >= 1;
    if (fail) state.owed -= 1;
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain', 'x-version': name });
    res.end(name);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    get served() {
      return state.served;
    },
    set served(n) {
      state.served = n;
    },
    get errorRate() {
      return state.errorRate;
    },
    set errorRate(r) {
      state.errorRate = r;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A running HAProxy in front of two upstreams. */
export interface TestHaproxy {
  /** http://127.0.0.1:<port> of the frontend. */
  url: string;
  /** The Runtime API on TCP, as a router address. */
  tcpAddress: string;
  /** The Runtime API on a unix socket, as a router address. */
  unixAddress: string;
  /** http://127.0.0.1:<port>/metrics: HAProxy's own Prometheus exporter. */
  metricsUrl: string;
  backend: string;
  stable: string;
  canary: string;
  /** Send one command line to the Runtime API (what an operator would type into socat). */
  runtime(command: string): Promise<string>;
  /** Stop gracefully (SIGTERM) and wait. */
  stop(): Promise<void>;
  /** Kill at once (SIGKILL) and wait. */
  kill(): Promise<void>;
  /** Freeze it (SIGSTOP) at once: connections are accepted by the kernel and never answered. */
  freeze(): void;
  /** Let a frozen one go on (SIGCONT), with the weights it held. */
  thaw(): void;
  /** Start again with the same config and ports: weights are the config file's again. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Start HAProxy with `stable` at weight 256 and `canary` at weight 0 in backend `web`. */
export async function startHaproxy(stable: Upstream, canary: Upstream): Promise<TestHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-haproxy-'));
  const [front, api, metrics] = [await freePort(), await freePort(), await freePort()];
  const socket = join(dir, 'admin.sock');
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    haproxyConfig({
      frontPort: front,
      socket,
      apiPort: api,
      metricsPort: metrics,
      servers: [
        { name: stable.name, port: stable.port, weight: 256 },
        { name: canary.name, port: canary.port, weight: 0 },
      ],
    }),
  );
  let child: ChildProcess | undefined;
  async function start(): Promise<void> {
    child = await spawnHaproxy({ config, api, server: stable.name });
  }
  async function halt(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = undefined;
    await stopProcess(proc, signal);
  }
  await start();
  return {
    url: `http://127.0.0.1:${front}`,
    tcpAddress: `tcp://127.0.0.1:${api}`,
    unixAddress: `unix://${socket}`,
    metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
    backend: BACKEND,
    stable: stable.name,
    canary: canary.name,
    runtime: (command) => runtime(api, command),
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    freeze: () => {
      child?.kill('SIGSTOP');
    },
    thaw: () => {
      child?.kill('SIGCONT');
    },
    start,
    async close() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Send `n` requests through `url` (a few at a time) and count the answers per version. */
export async function sendRequests(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await fetch(url);
      const version = res.headers.get('x-version') ?? `HTTP ${res.status}`;
      await res.arrayBuffer();
      counts[version] = (counts[version] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return counts;
}
