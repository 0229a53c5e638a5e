/**
 * `npm start`: Threshold on SQLite with two demo launches and simulated traffic
 * through real SDK clients. Everything goes through the real paths: plans and
 * launches through the HTTP API, users through the SDK, decisions through the
 * controller. Each start rolls back the previous run's demo launches (with a
 * reason, so the record says why) and starts fresh ones.
 */
import { join, resolve } from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { createToken } from '../auth/create-token.js';
import type { CommittedDecision } from '../controller/controller.js';
import { DEFAULT_PORT, startServer } from '../start-server.js';
import type { RunningServer } from '../start-server.js';
import type { Scope } from '../store/store.js';
import { decisionLine, notificationLine } from './decision-line.js';
import type { SettledNotification } from '../notify/outbox-worker.js';
import { DEMO_PLAN_DIR, readDemoPlans } from './demo-plans.js';
import { startTrafficSimulator } from './traffic-simulator.js';
import type { TrafficSimulator } from './traffic-simulator.js';

/** Default data folder of the demo. */
export const DEMO_DATA_DIR = join('.threshold', 'demo');

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port (default 4600; 0 picks a free one). */
  port?: number;
  host?: string;
  /** SQLite folder (default ./.threshold/demo). */
  dataDir?: string;
  /** Run faster: durations divided and traffic multiplied by this (default 1; tests use ~5). */
  speed?: number;
  /** Simulated users per second before `speed` (default 100). */
  usersPerSecond?: number;
  /** Controller look interval (default 2000 ms, divided by speed). */
  lookIntervalMs?: number;
  /** Folder of the demo plans (default examples/demo of this repository). */
  planDir?: string;
  /** Where the banner and decision lines go (default stdout). */
  out?: { write(text: string): unknown };
  /** Server logs (default: warnings and errors on stderr). */
  logger?: Logger;
  /** Random numbers of the traffic simulator (default Math.random; tests pass a seeded one). */
  random?: () => number;
}

/** Tokens the demo creates (printed so people can sign in and act). */
export interface DemoTokens {
  admin: string;
  operator: string;
  viewer: string;
  /** approver:product and approver:sre */
  approver: string;
  sdk: string;
}

/** A running demo. */
export interface RunningDemo {
  server: RunningServer;
  url: string;
  /** The dashboard link that signs in with the admin token. */
  signInUrl: string;
  tokens: DemoTokens;
  /** Launch ids: the healthy one and the one that regresses. */
  launches: { healthy: string; regressing: string };
  simulator: TrafficSimulator;
  /** Stop the traffic, then the server. Idempotent. */
  stop(): Promise<void>;
}

const clock = () => new Date().toISOString().slice(11, 19);

async function api<T>(url: string, token: string, path: string, body: unknown): Promise<T> {
  const yaml = typeof body === 'string';
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': yaml ? 'application/yaml' : 'application/json',
    },
    body: yaml ? body : JSON.stringify(body),
  });
  const parsed = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(`demo: POST ${path} failed: ${parsed.error?.message ?? res.status}`);
  return parsed;
}

/** Start the demo. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const out = options.out ?? process.stdout;
  const speed = options.speed ?? 1;
  if (!(speed > 0 && Number.isFinite(speed)))
    throw new RangeError(`speed: must be a positive number, got ${String(speed)}`);
  const dataDir = resolve(options.dataDir ?? DEMO_DATA_DIR);
  const plans = await readDemoPlans(options.planDir ?? DEMO_PLAN_DIR, speed);
  const names = new Map<string, string>();
  const onDecision = ({ launch, decision }: CommittedDecision) => {
    // A notification is printed once, when its outcome is known (below), not when it is queued.
    if (decision.type === 'notify' || decision.type === 'webhook') return;
    out.write(`${clock()}  ${decisionLine(names.get(launch.id) ?? launch.planName, decision)}\n`);
  };
  const onSettled = (n: SettledNotification) => {
    out.write(`${clock()}  ${notificationLine(names.get(n.launchId) ?? n.plan, n)}\n`);
  };
  const server = await startServer({
    port: options.port ?? DEFAULT_PORT,
    ...(options.host === undefined ? {} : { host: options.host }),
    dataDir,
    logger: options.logger ?? pino({ level: 'warn' }, pino.destination(2)),
    controller: {
      lookIntervalMs: options.lookIntervalMs ?? Math.max(100, Math.round(2000 / speed)),
      lookRecordIntervalMs: Math.max(500, Math.round(10_000 / speed)),
      onDecision,
    },
    outbox: { onSettled },
  });
  let simulator: TrafficSimulator | undefined;
  try {
    const token = async (name: string, scopes: Scope[]) =>
      (await createToken(server.store, { name, scopes })).token;
    const tokens: DemoTokens = {
      admin: await token('demo-admin', ['admin']),
      operator: await token('demo-operator', ['operator']),
      viewer: await token('demo-viewer', ['viewer']),
      approver: await token('demo-approver', ['approver:product', 'approver:sre']),
      sdk: await token('demo-sdk', ['sdk']),
    };
    const launches = { healthy: '', regressing: '' };
    for (const kind of ['healthy', 'regressing'] as const) {
      const plan = await api<{ name: string; version: number }>(
        server.url,
        tokens.operator,
        '/api/v1/plans',
        plans[kind],
      );
      // A previous run's launch of this plan would block a new one (one active launch per flag).
      for (const old of await server.store.listLaunches({ status: ['running', 'paused'] }))
        if (old.planName === plan.name)
          await api(server.url, tokens.operator, `/api/v1/launches/${old.id}/rollback`, {
            reason: 'the demo restarted: replaced by a fresh launch',
          });
      const started = await api<{ launch: { id: string } }>(
        server.url,
        tokens.operator,
        '/api/v1/launches',
        { plan: plan.name, version: plan.version },
      );
      launches[kind] = started.launch.id;
      names.set(started.launch.id, plan.name);
    }
    const rate = (options.usersPerSecond ?? 100) * speed;
    simulator = startTrafficSimulator({
      url: server.url,
      token: tokens.sdk,
      usersPerSecond: rate,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    // On the loopback interface, show the name people type (the README says localhost:4600).
    const shown = server.url.replace('//127.0.0.1:', '//localhost:');
    const signInUrl = `${shown}/#token=${tokens.admin}`;
    out.write(banner(shown, signInUrl, dataDir, tokens, launches, rate, speed));
    let stopping: Promise<void> | undefined;
    const sim = simulator;
    return {
      server,
      url: server.url,
      signInUrl,
      tokens,
      launches,
      simulator: sim,
      stop() {
        stopping ??= (async () => {
          await sim.stop();
          await server.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await simulator?.stop();
    await server.close();
    throw err;
  }
}

function banner(
  url: string,
  signInUrl: string,
  dataDir: string,
  tokens: DemoTokens,
  launches: { healthy: string; regressing: string },
  rate: number,
  speed: number,
): string {
  const fast = speed === 1 ? '' : ` (running ${speed}x faster)`;
  return `
Threshold demo${fast}: ${url}   (SQLite in ${dataDir})

  Dashboard (signs in as admin):  ${signInUrl}

  Tokens (for the dashboard, the API and 'threshold launch …' via THRESHOLD_TOKEN):
    admin     ${tokens.admin}
    operator  ${tokens.operator}
    viewer    ${tokens.viewer}
    approver  ${tokens.approver}   (approver:product, approver:sre)

  Launches:
    ${launches.healthy}   healthy: canary 20% → half 50% → full 100%, then a bake
    ${launches.regressing}   regresses under load: passes the canary, rolls back at half

  Traffic: ${Math.round(rate)} simulated users per second through 3 SDK clients.
  Notifications reach a Slack-compatible webhook only when THRESHOLD_NOTIFY_<TARGET> or
  THRESHOLD_NOTIFY_DEFAULT names one; each one's outcome is printed below once.
  Follow one:  THRESHOLD_URL=${url} THRESHOLD_TOKEN=${tokens.viewer} npx threshold launch status ${launches.healthy}

Decisions as they happen (Ctrl-C stops the demo):
`;
}
