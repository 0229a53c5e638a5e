// A real HAProxy for the infrastructure canary, the router tests and
// bench/router.mjs: one generated config (a frontend, backend `web` with a
// stable and a canary server, the Runtime API, optionally HAProxy's Prometheus
// exporter), the Runtime API client, and start/stop. One place, so the three
// cannot drift apart in how they run it.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** Where Debian installs HAProxy. */
export const HAPROXY_BIN =
  process.env.THRESHOLD_HAPROXY_BIN ?? process.env.THRESHOLD_TEST_HAPROXY ?? '/usr/sbin/haproxy';

/** The backend every config here routes through. */
export const BACKEND = 'web';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on loopback. */
export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * The config text: `frontPort` in front of backend `web` (round robin over
 * `servers`, each `{ name, port, weight }`), the Runtime API on the unix
 * `socket` (and on TCP `apiPort` when given), and the Prometheus exporter on
 * `metricsPort` when given.
 */
export function haproxyConfig({ frontPort, socket, apiPort, metricsPort, servers }) {
  return [
    'global',
    // One thread: round robin is then exact, so a measured share is the weight's.
    '  nbthread 1',
    ...(apiPort === undefined ? [] : [`  stats socket 127.0.0.1:${apiPort} level admin`]),
    `  stats socket ${socket} mode 600 level admin`,
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    'frontend fe',
    `  bind 127.0.0.1:${frontPort}`,
    `  default_backend ${BACKEND}`,
    ...(metricsPort === undefined
      ? []
      : [
          'frontend metrics',
          `  bind 127.0.0.1:${metricsPort}`,
          '  http-request use-service prometheus-exporter if { path /metrics }',
        ]),
    `backend ${BACKEND}`,
    '  balance roundrobin',
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} weight ${s.weight}`),
    '',
  ].join('\n');
}

/** One Runtime API command (what an operator would type into socat); `api` is a unix socket path or a TCP port. */
export function runtime(api, command) {
  return new Promise((resolve, reject) => {
    const s = typeof api === 'number' ? connect(api, '127.0.0.1') : connect(api);
    let out = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/**
 * Start `haproxy -f config` and wait until its Runtime API at `api` reports
 * `server`'s weight (so it routes); throws with HAProxy's output if it exits or
 * does not answer within 20 s.
 */
export async function spawnHaproxy({ config, api, server, bin = HAPROXY_BIN }) {
  let output = '';
  const proc = spawn(bin, ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    try {
      if (/\(initial/.test(await runtime(api, `get weight ${BACKEND}/${server}`))) return proc;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`haproxy did not start: ${output}`);
}

/** Stop a child with `signal` (SIGKILL after 10 s) and wait until it has exited. */
export async function stopProcess(proc, signal = 'SIGTERM') {
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
