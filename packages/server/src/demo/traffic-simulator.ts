/**
 * The demo's traffic: simulated users on a few REAL SDK clients (as if several
 * app servers), talking HTTP to the server like any application. Each user is
 * evaluated against both demo flags and tracks events whose rates depend on the
 * arm it got: checkout-v2 is healthy (a faster checkout, same conversion and
 * errors); search-v3's treatment fails far more often once it serves half of the
 * traffic or more (the new ranking service saturates); below that it is a
 * little better, like the healthy one.
 */
import { createClient } from '@threshold/sdk';
import type { ThresholdClient } from '@threshold/sdk';

/** Options of {@link startTrafficSimulator}. */
export interface TrafficSimulatorOptions {
  url: string;
  /** An sdk-scope token. */
  token: string;
  /** New users per second (default 100). */
  usersPerSecond?: number;
  /** SDK clients sharing the users (default 3). */
  clients?: number;
  /** Flags of the healthy and the regressing launch. */
  flags?: { healthy: string; regressing: string };
  /** Random numbers (default Math.random). */
  random?: () => number;
}

/** A running simulator. */
export interface TrafficSimulator {
  /** Users simulated so far. */
  readonly users: number;
  /** The SDK clients (e.g. to wait for them to be ready). */
  readonly clients: readonly ThresholdClient[];
  /** Stop making users, flush every client's events and close them. */
  stop(): Promise<void>;
}

const TICK_MS = 100;

/** The share of treatment (0..1) a client's config gives a flag. */
function trafficOf(client: ThresholdClient, flag: string): number {
  const f = client.config?.flags.find((x) => x.key === flag);
  return f === undefined ? 0 : f.traffic / 10_000;
}

/** A roughly normal value (mean, sd), kept positive. */
function normal(random: () => number, mean: number, sd: number): number {
  const z = (random() + random() + random() + random() - 2) * Math.sqrt(3);
  return Math.max(1, Math.round(mean + sd * z));
}

/** Start making users (clients connect in the background; users wait until a client is ready). */
export function startTrafficSimulator(options: TrafficSimulatorOptions): TrafficSimulator {
  const random = options.random ?? Math.random;
  const rate = options.usersPerSecond ?? 100;
  const flags = options.flags ?? { healthy: 'checkout-v2', regressing: 'search-v3' };
  const clients = Array.from({ length: options.clients ?? 3 }, () =>
    createClient({
      url: options.url,
      token: options.token,
      events: { flushIntervalMs: 500, batchSize: 1000, maxBuffer: 100_000 },
      readyTimeoutMs: 30_000,
      onError: () => undefined,
    }),
  );
  const nonce = Math.floor(random() * 36 ** 4).toString(36);
  let users = 0;
  let owed = 0;
  let stopped = false;

  const visit = (client: ThresholdClient, unit: string) => {
    const checkout = client.evaluate(flags.healthy, { userId: unit });
    if (checkout.arm === 'treatment' || checkout.arm === 'control') {
      const t = checkout.arm === 'treatment';
      // A little better on every KPI: a false alarm on a healthy change stays far less likely than alpha.
      client.track(unit, 'checkout_latency_ms', normal(random, t ? 300 : 320, 60));
      if (random() < (t ? 0.32 : 0.3)) client.track(unit, 'purchase', normal(random, 60, 20));
      if (random() < (t ? 0.008 : 0.01)) client.track(unit, 'checkout_error');
    }
    const search = client.evaluate(flags.regressing, { userId: unit });
    if (search.arm === 'treatment' || search.arm === 'control') {
      const t = search.arm === 'treatment';
      // Saturation: at half of the traffic or more the new service fails often (and is a bit slower, within its margin).
      const saturated = t && trafficOf(client, flags.regressing) >= 0.5;
      client.track(unit, 'search_latency_ms', normal(random, saturated ? 185 : t ? 175 : 180, 40));
      if (random() < (t ? 0.62 : 0.6)) client.track(unit, 'result_click');
      if (random() < (saturated ? 0.15 : t ? 0.018 : 0.02)) client.track(unit, 'search_error');
    }
  };

  const timer = setInterval(() => {
    if (stopped) return;
    owed += (rate * TICK_MS) / 1000;
    const ready = clients.filter((c) => c.status === 'ready');
    // Nobody can serve users yet: they do not queue up for a burst later.
    if (ready.length === 0) {
      owed = 0;
      return;
    }
    for (; owed >= 1; owed--) {
      const client = ready[users % ready.length] as ThresholdClient;
      visit(client, `user-${nonce}-${users}`);
      users++;
    }
  }, TICK_MS);
  timer.unref?.();

  return {
    get users() {
      return users;
    },
    clients,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}
