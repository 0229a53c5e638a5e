/**
 * The traffic-router seam: what moves a launch's traffic between the current
 * and the new version of a service when the SDKs do not. One interface, one
 * implementation per kind (`haproxy-router.ts`, `webhook-router.ts`), all under
 * one contract suite (test/routers/traffic-router-contract.ts).
 *
 * Rules every router keeps:
 * - `apply` and `read` never throw: a router that cannot be reached, refuses, or
 *   answers something else gets a reason in words naming it, which the
 *   reconciler turns into a `router` hold of the launch (never a silent pass).
 * - `apply` reports success only when the router confirmed the share: HAProxy by
 *   reading the weights back, a webhook receiver by a 2xx.
 * - Each honours its own timeout and the request's `signal`.
 */
import type { Plan, PlanRouter } from '@threshold/core';

/** Kinds of router a server can configure. */
export type RouterKind = 'haproxy' | 'webhook';

/** What a router moves: a service of the plan and its two versions. */
export interface RouterTarget {
  /** The launch's id in the store. */
  launchId: string;
  /** The plan's `launch:` name. */
  launch: string;
  service: string;
  arms: { treatment: string; control: string };
  signal?: AbortSignal;
}

/** A share to set for one launch. */
export interface WeightRequest extends RouterTarget {
  /** The launch's phase (for the receiver's records). */
  phase: string;
  /** The launch's status: a rolled-back launch is sent 0% with status `rolled-back`. */
  status: 'running' | 'paused' | 'rolled-back' | 'completed';
  /** The new version's share of requests, 0 to 1. */
  traffic: number;
  /** The decision that set this share, `<launch id>:<seq>`: receivers drop repeats by it. */
  decisionId: string;
}

/** What a router holds (or was told and accepted), or why that is unknown. */
export type WeightResult =
  | {
      ok: true;
      /** The new version's share the router holds, 0 to 1. */
      traffic: number;
      /** The weights behind it, in the router's own units (HAProxy 0–256, a webhook's percent). */
      weights: { treatment: number; control: number };
    }
  | {
      ok: false;
      /** Why not, in words, naming the router: "haproxy edge at 127.0.0.1:9999 is unreachable (ECONNREFUSED)". */
      reason: string;
    };

/** A problem with a plan's router section found before a launch runs. */
export interface RouterProblem {
  /** Path in the plan, e.g. ['router', 'arms', 'treatment'] or ['phases', 0, 'traffic']. */
  path: (string | number)[];
  message: string;
}

/** Health of one router as the launch view and /metrics show it. */
export interface RouterHealth {
  name: string;
  kind: RouterKind;
  /** Where, for people: "haproxy at unix:/run/haproxy/admin.sock". */
  target: string;
  /** 'unknown' until the first call. */
  state: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  /** When the last call finished (ISO time). */
  lastCallAt?: string;
}

/** A named traffic router. */
export interface TrafficRouter {
  /** The name plans refer to (`router.name`). */
  readonly name: string;
  readonly kind: RouterKind;
  /** Where, for messages. */
  readonly target: string;
  /**
   * Make the new version take `traffic`. Never throws; ok only when the router
   * confirmed it (HAProxy: the weights read back; a webhook: a 2xx).
   */
  apply(request: WeightRequest): Promise<WeightResult>;
  /**
   * What the router holds now, for routers that can say (HAProxy). Absent for
   * write-only routers (a webhook): the reconciler then re-sends the share on a
   * schedule instead. Never throws.
   */
  read?(target: RouterTarget): Promise<WeightResult>;
  /** Write-only routers: how often a confirmed share is sent again (ms). */
  readonly resyncMs?: number;
  /** Problems that would keep this router from moving a plan's traffic (unknown backend, a share it cannot set exactly). */
  check(plan: Plan & { router: PlanRouter }, signal?: AbortSignal): Promise<RouterProblem[]>;
  health(): RouterHealth;
  /** Release connections; calls after close fail with a reason. */
  close(): Promise<void>;
}

/**
 * One configured router, from the routers file (`THRESHOLD_ROUTERS_FILE`) or the
 * environment (`THRESHOLD_HAPROXY_ADDRESS` configures the router named `haproxy`,
 * `THRESHOLD_WEBHOOK_ROUTER_URL` the one named `webhook`).
 */
export type RouterConfig =
  | {
      name: string;
      kind: 'haproxy';
      /** The Runtime API: `unix:///run/haproxy/admin.sock`, `/run/haproxy/admin.sock` or `tcp://127.0.0.1:9999`. */
      address: string;
      timeoutMs: number;
    }
  | {
      name: string;
      kind: 'webhook';
      url: string;
      /** HMAC secret of the signature (the notifications' secret unless the entry names its own). */
      secret: string;
      timeoutMs: number;
      /** How often a confirmed share is sent again, since a receiver cannot be read (ms). */
      resyncMs: number;
    };

/** Default per-call timeout of a router. */
export const DEFAULT_ROUTER_TIMEOUT_MS = 2000;
/** Default time between re-sends of a confirmed share to a write-only router. */
export const DEFAULT_RESYNC_MS = 60_000;

/** Two shares are the same when they differ by less than this (shares are multiples of 0.0001). */
export function sameShare(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Health bookkeeping every router shares. */
export function healthTracker(name: string, kind: RouterKind, target: string) {
  let health: RouterHealth = { name, kind, target, state: 'unknown' };
  return {
    get: (): RouterHealth => ({ ...health }),
    ok(): void {
      health = { name, kind, target, state: 'ok', lastCallAt: new Date().toISOString() };
    },
    failed(reason: string): void {
      const lastCallAt = new Date().toISOString();
      health = { name, kind, target, state: 'failing', lastError: reason, lastCallAt };
    },
  };
}
