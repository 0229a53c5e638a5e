/**
 * The service behind a shipped example plan, as a child process of the test: it
 * serves per-arm traffic as Prometheus metrics with prom-client, labelled by arm
 * as the plan's queries expect (`node example-service.mjs payments|search`).
 * A separate process, so Prometheus' scrapes never wait for the busy test.
 *
 *   GET  /metrics  the metrics
 *   PUT  /arms     {"treatment": {...} | null, "control": {...} | null}: each arm's
 *                  traffic (null: nobody is in that arm); fields below
 *
 * Traffic accrues by elapsed time, so a late tick on a loaded machine adds the
 * requests it owes. Errors and failed payments are spread evenly rather than drawn
 * at random, so every interval shows the arm's rate; latencies spread ±10%.
 */
import { createServer } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const profile = process.argv[2];
if (profile !== 'payments' && profile !== 'search') {
  console.error('usage: example-service.mjs payments|search');
  process.exit(2);
}

const registry = new Registry();
const arms = ['treatment', 'control'];

/** Each arm's traffic: null while nobody is in the arm. */
let traffic = { treatment: null, control: null };

const prefix = profile === 'payments' ? 'ledger' : 'search';
const requests = new Counter({
  name: `${prefix}_requests_total`,
  help: 'Requests by arm and status code.',
  labelNames: ['arm', 'code'],
  registers: [registry],
});
const latency = new Histogram({
  name: profile === 'payments' ? 'ledger_write_seconds' : 'search_request_seconds',
  help: 'Request latency.',
  labelNames: ['arm'],
  buckets:
    profile === 'payments'
      ? [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1]
      : [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2],
  registers: [registry],
});
const payments =
  profile === 'payments'
    ? {
        cpu: new Counter({
          name: 'container_cpu_usage_seconds_total',
          help: 'CPU seconds by arm.',
          labelNames: ['arm'],
          registers: [registry],
        }),
        connections: new Gauge({
          name: 'pg_stat_activity_count',
          help: 'Open database connections of each ledger service.',
          labelNames: ['service', 'arm'],
          registers: [registry],
        }),
        attempted: new Counter({
          name: 'payments_attempted_total',
          help: 'Payments attempted by arm.',
          labelNames: ['arm'],
          registers: [registry],
        }),
        succeeded: new Counter({
          name: 'payments_succeeded_total',
          help: 'Payments that succeeded by arm.',
          labelNames: ['arm'],
          registers: [registry],
        }),
      }
    : undefined;

for (const arm of arms) {
  requests.inc({ arm, code: '200' }, 0);
  requests.inc({ arm, code: '500' }, 0);
}

let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

/** Fractions owed per arm and counter, so rates hold exactly over time. */
const owed = {};
function take(key, amount) {
  owed[key] = (owed[key] ?? 0) + amount;
  const n = Math.floor(owed[key]);
  owed[key] -= n;
  return n;
}

let last = performance.now();
function tick() {
  const now = performance.now();
  const seconds = (now - last) / 1000;
  last = now;
  for (const arm of arms) {
    const t = traffic[arm];
    if (t === null) continue;
    const n = take(`${arm}.requests`, t.rps * seconds);
    const errors = Math.min(n, take(`${arm}.errors`, n * t.errorRate));
    requests.inc({ arm, code: '500' }, errors);
    requests.inc({ arm, code: '200' }, n - errors);
    for (let i = 0; i < n; i++) latency.observe({ arm }, t.latency * (0.9 + 0.2 * random()));
    if (payments !== undefined) {
      payments.cpu.inc({ arm }, n * t.cpuPerRequest);
      const service = arm === 'treatment' ? 'ledger-go' : 'ledger-java';
      payments.connections.set({ service, arm }, t.dbConnections * (0.95 + 0.1 * random()));
      const attempts = take(`${arm}.attempts`, t.paymentsPerSecond * seconds);
      const failed = Math.min(attempts, take(`${arm}.failed`, attempts * t.paymentFailureRate));
      payments.attempted.inc({ arm }, attempts);
      payments.succeeded.inc({ arm }, attempts - failed);
    }
  }
}
setInterval(tick, 50);

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    tick();
    void registry.metrics().then((body) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    });
    return;
  }
  if (req.method === 'PUT' && req.url === '/arms') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      tick(); // what is owed so far accrues at the old rates
      traffic = { ...traffic, ...JSON.parse(body) };
      // A gauge of an arm nobody is in disappears, as its service's would.
      for (const arm of arms)
        if (traffic[arm] === null && payments !== undefined)
          payments.connections.remove({
            service: arm === 'treatment' ? 'ledger-go' : 'ledger-java',
            arm,
          });
      res.writeHead(204).end();
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  // The parent reads the port from the first line.
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
