/**
 * A real receiver for the signed webhook router (what a mesh or a deploy tool
 * would run), answering every weight request with `status`, and a plan that
 * moves one service through it, with a KPI a real Prometheus parses.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running receiver. */
export interface WeightsReceiver {
  /** Where router configs send the weights. */
  url: string;
  /** What it answers (200 applies; anything else refuses). */
  status: number;
  close(): Promise<void>;
}

/** Start a receiver on a free loopback port, answering 200. */
export async function startWeightsReceiver(): Promise<WeightsReceiver> {
  const state = { status: 200 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(state.status).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/weights`,
    get status() {
      return state.status;
    },
    set status(s) {
      state.status = s;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A webhook router config named `name` sending to `receiver`. */
export function webhookRouterConfig(name: string, receiver: WeightsReceiver) {
  return {
    name,
    kind: 'webhook' as const,
    url: receiver.url,
    secret: 'weights-receiver-secret-0123456789',
    timeoutMs: 2000,
    resyncMs: 60_000,
  };
}

/** Plan `name` (its own flag) moving `service` at router `router`, canary 10% for an hour, then 100%. */
export function routedPlan(name: string, router: string, service = 'web'): string {
  return `launch: ${name}
owner: web-team
phases:
  - { name: canary, traffic: 10%, min_duration: 1h }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: mean, source: prometheus, query: 'vector(0)', guard: { max: 1 } }
router: { name: ${router}, service: ${service}, arms: { treatment: web-v2, control: web-v1 } }
`;
}
