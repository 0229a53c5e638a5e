/**
 * The generic webhook router: POSTs each share to a URL, signed like the
 * notifications (`X-Threshold-Signature`, HMAC-SHA256 over "<t>.<body>"), with
 * the decision id as `Idempotency-Key`. Only a 2xx counts as applied; a
 * receiver that answers with a JSON `weight` must name the one it was sent.
 * A receiver cannot be read back, so the reconciler re-sends the share on a
 * schedule (`resync`) to reach one that lost it.
 */
import { redactUrl } from '../notify/deliver-message.js';
import { SIGNATURE_HEADER, signWebhook } from '../notify/webhook-signature.js';
import { healthTracker } from './traffic-router.js';
import type { RouterConfig, TrafficRouter, WeightRequest } from './traffic-router.js';

/** `X-Threshold-Event` of a weight request. */
export const ROUTER_WEBHOOK_EVENT = 'router.weight';

/** The body a webhook router POSTs (weights in percent of requests). */
export interface RouterWebhookBody {
  event: typeof ROUTER_WEBHOOK_EVENT;
  /** The plan's launch name, and this run's id. */
  launch: string;
  launchId: string;
  phase: string;
  /** running, paused, rolled-back or completed. */
  status: WeightRequest['status'];
  service: string;
  /** Percent of requests for the new version, 0 to 100 in 0.01 steps. */
  weight: number;
  arms: {
    treatment: { name: string; weight: number };
    control: { name: string; weight: number };
  };
  /** The decision that set this weight, `<launch id>:<seq>`; also the Idempotency-Key. */
  decisionId: string;
  /** When it was sent (ISO). */
  at: string;
}

const percent = (share: number) => Number((share * 100).toFixed(2));

/** The body for a request at `nowMs`. */
export function routerWebhookBody(req: WeightRequest, nowMs: number): RouterWebhookBody {
  const weight = percent(req.traffic);
  return {
    event: ROUTER_WEBHOOK_EVENT,
    launch: req.launch,
    launchId: req.launchId,
    phase: req.phase,
    status: req.status,
    service: req.service,
    weight,
    arms: {
      treatment: { name: req.arms.treatment, weight },
      control: { name: req.arms.control, weight: Number((100 - weight).toFixed(2)) },
    },
    decisionId: req.decisionId,
    at: new Date(nowMs).toISOString(),
  };
}

/** A webhook router POSTing to `config.url`. */
export function webhookRouter(
  config: Extract<RouterConfig, { kind: 'webhook' }>,
  deps: { now?: () => number; fetch?: typeof fetch } = {},
): TrafficRouter {
  const now = deps.now ?? Date.now;
  const target = `webhook at ${redactUrl(config.url)}`;
  const health = healthTracker(config.name, 'webhook', target);
  let closed = false;

  const fail = (reason: string) => {
    health.failed(reason);
    return { ok: false as const, reason };
  };

  return {
    name: config.name,
    kind: 'webhook',
    target,
    resyncMs: config.resyncMs,
    async apply(req) {
      if (closed) return fail(`${target}: the router is closed`);
      const body = routerWebhookBody(req, now());
      const raw = JSON.stringify(body);
      const signals = [AbortSignal.timeout(config.timeoutMs)];
      if (req.signal !== undefined) signals.push(req.signal);
      let res: Response;
      let text: string;
      try {
        res = await (deps.fetch ?? fetch)(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': req.decisionId,
            'x-threshold-event': ROUTER_WEBHOOK_EVENT,
            'user-agent': 'threshold-router',
            [SIGNATURE_HEADER.toLowerCase()]: signWebhook(config.secret, raw, now() / 1000),
          },
          body: raw,
          signal: AbortSignal.any(signals),
          redirect: 'manual',
        });
        text = await res.text();
      } catch (err) {
        if (req.signal?.aborted === true) return fail(`${target}: the call was abandoned`);
        const e = err as { name?: string; message?: string; cause?: { code?: string } };
        if (e.name === 'TimeoutError')
          return fail(`${target} timed out after ${config.timeoutMs} ms`);
        return fail(`${target} is unreachable (${e.cause?.code ?? e.message ?? String(err)})`);
      }
      if (res.status < 200 || res.status > 299)
        return fail(`${target} answered HTTP ${res.status}: only a 2xx applies a weight`);
      // A receiver that says which weight it holds must say the one it was sent.
      let said: unknown;
      try {
        said = (JSON.parse(text) as { weight?: unknown } | null)?.weight;
      } catch {
        said = undefined;
      }
      if (typeof said === 'number' && Math.abs(said - body.weight) > 1e-9)
        return fail(`${target} answered ${res.status} but holds ${said}%, not ${body.weight}%`);
      health.ok();
      return {
        ok: true,
        traffic: req.traffic,
        weights: { treatment: body.arms.treatment.weight, control: body.arms.control.weight },
      };
    },
    check: () => Promise.resolve([]),
    health: () => health.get(),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
