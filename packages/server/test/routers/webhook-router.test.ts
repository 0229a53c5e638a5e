/**
 * The webhook router against a real local HTTP receiver that verifies the
 * signature the way the docs tell receivers to: the contract, the body and
 * headers, and "only a 2xx (naming the weight it was sent) is applied".
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/notify/webhook-signature.js';
import { webhookRouter } from '../../src/routers/webhook-router.js';
import type { RouterWebhookBody } from '../../src/routers/webhook-router.js';
import type { RouterTarget } from '../../src/routers/traffic-router.js';
import { freePort } from '../sources/prometheus-harness.js';
import { trafficRouterContract } from './traffic-router-contract.js';

const SECRET = 'router-test-secret';

/** A receiver that holds the last weight per service, like a mesh controller would. */
interface Receiver {
  url: string;
  /** Every request, verified or not. */
  seen: { headers: IncomingHttpHeaders; body: string; verified: string | null }[];
  /** Weight (percent) held per service. */
  held: Map<string, number>;
  /** Answer this status instead of applying (and for which service). */
  refuse: { service: string; status: number } | null;
  /** Answer 200 but claim this weight. */
  claim: number | null;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = {
    seen: [],
    held: new Map(),
    refuse: null,
    claim: null,
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const verified = verifyWebhookSignature(
        SECRET,
        body,
        req.headers['x-threshold-signature'] as string,
        {
          nowSeconds: Date.now() / 1000,
        },
      );
      r.seen.push({ headers: req.headers, body, verified });
      if (verified !== null) {
        res.writeHead(401).end();
        return;
      }
      const b = JSON.parse(body) as RouterWebhookBody;
      if (r.refuse !== null && r.refuse.service === b.service) {
        res.writeHead(r.refuse.status).end();
        return;
      }
      r.held.set(b.service, b.weight);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ weight: r.claim ?? b.weight }));
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hooks/traffic`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  });
}

const target = (service = 'checkout'): RouterTarget => ({
  launchId: 'checkout-v2-abc',
  launch: 'checkout-v2',
  service,
  arms: { treatment: 'checkout-v2', control: 'checkout-v1' },
});

const config = (url: string, timeoutMs = 2000) => ({
  name: 'mesh',
  kind: 'webhook' as const,
  url,
  secret: SECRET,
  timeoutMs,
  resyncMs: 60_000,
});

let receiver: Receiver;
const hung: Server[] = [];

trafficRouterContract('webhook', {
  async setup() {
    receiver = await startReceiver();
    receiver.refuse = { service: 'refused', status: 503 };
    return {
      router: webhookRouter(config(receiver.url)),
      target: target(),
      observe: async () => {
        const w = receiver.held.get('checkout');
        return w === undefined ? null : w / 100;
      },
      refused: target('refused'),
    };
  },
  async unreachable() {
    return webhookRouter(config(`http://127.0.0.1:${await freePort()}/hook`));
  },
  async hanging() {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hung.push(server);
    return webhookRouter(
      config(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, 300),
    );
  },
  async teardown() {
    await receiver?.close();
    for (const s of hung.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  },
});

describe('the webhook router', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });

  it('POSTs { launch, phase, weight, arms, decisionId } signed like notifications, keyed by the decision', async () => {
    const router = webhookRouter(config(rx.url));
    const r = await router.apply({
      ...target(),
      phase: 'early',
      status: 'running',
      traffic: 0.125,
      decisionId: 'checkout-v2-abc:7',
    });
    expect(r).toEqual({ ok: true, traffic: 0.125, weights: { treatment: 12.5, control: 87.5 } });
    const last = rx.seen.at(-1);
    expect(last?.verified).toBeNull();
    expect(last?.headers['idempotency-key']).toBe('checkout-v2-abc:7');
    expect(last?.headers['x-threshold-event']).toBe('router.weight');
    expect(JSON.parse(last?.body ?? '')).toEqual({
      event: 'router.weight',
      launch: 'checkout-v2',
      launchId: 'checkout-v2-abc',
      phase: 'early',
      status: 'running',
      service: 'checkout',
      weight: 12.5,
      arms: {
        treatment: { name: 'checkout-v2', weight: 12.5 },
        control: { name: 'checkout-v1', weight: 87.5 },
      },
      decisionId: 'checkout-v2-abc:7',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('counts only a 2xx: a redirect, a 4xx and a signature the receiver rejects are not applied', async () => {
    for (const status of [302, 404, 409]) {
      rx.refuse = { service: 'checkout', status };
      const r = await webhookRouter(config(rx.url)).apply({
        ...target(),
        phase: 'p',
        status: 'running',
        traffic: 0.5,
        decisionId: 'x:1',
      });
      expect(r.ok ? '' : r.reason).toMatch(
        new RegExp(`answered HTTP ${status}: only a 2xx applies a weight$`),
      );
    }
    rx.refuse = null;
    const forged = webhookRouter({ ...config(rx.url), secret: 'not-the-secret' });
    const r = await forged.apply({
      ...target(),
      phase: 'p',
      status: 'running',
      traffic: 0.5,
      decisionId: 'x:2',
    });
    expect(r.ok ? '' : r.reason).toMatch(/answered HTTP 401/);
    expect(rx.seen.at(-1)?.verified).toBe('signature does not match');
  });

  it('is not applied when the receiver says it holds another weight', async () => {
    rx.claim = 5;
    const r = await webhookRouter(config(rx.url)).apply({
      ...target(),
      phase: 'p',
      status: 'running',
      traffic: 0.5,
      decisionId: 'x:3',
    });
    rx.claim = null;
    expect(r.ok ? '' : r.reason).toMatch(/answered 200 but holds 5%, not 50%$/);
  });

  it('keeps the secret out of its target and reasons, and the url path after its first segment', () => {
    const router = webhookRouter(config('https://user:pw@hooks.example.com/secret-path/abc123'));
    expect(router.target).toBe('webhook at https://hooks.example.com/secret-path/…');
  });
});
