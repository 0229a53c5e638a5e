/**
 * The traffic routers a server has, opened once at start and closed with the
 * server. Checks a plan against them before it runs: its router must be
 * configured here and able to move its service (backend and servers exist,
 * every phase's share can be set exactly), each problem at its plan field.
 */
import type { Plan } from '@threshold/core';
import { haproxyRouter } from './haproxy-router.js';
import type { RouterConfig, RouterHealth, RouterProblem, TrafficRouter } from './traffic-router.js';
import { webhookRouter } from './webhook-router.js';

/** The server's routers. */
export interface RouterRegistry {
  readonly routers: ReadonlyMap<string, TrafficRouter>;
  health(): RouterHealth[];
  /** Problems that would keep the plan's router from moving its traffic here (none without a router). */
  checkPlan(plan: Plan, signal?: AbortSignal): Promise<RouterProblem[]>;
  close(): Promise<void>;
}

/** Open one configured router. */
function openRouter(config: RouterConfig): TrafficRouter {
  return config.kind === 'haproxy' ? haproxyRouter(config) : webhookRouter(config);
}

/** Open every configured router (none is an empty registry: plans without router: need none). */
export function openRouters(configs: readonly RouterConfig[]): RouterRegistry {
  const routers = new Map<string, TrafficRouter>();
  for (const config of configs) routers.set(config.name, openRouter(config));
  return {
    routers,
    health: () => [...routers.values()].map((r) => r.health()),
    async checkPlan(plan, signal) {
      const spec = plan.router;
      if (spec === undefined) return [];
      const router = routers.get(spec.name);
      if (router === undefined) {
        const names = [...routers.keys()];
        return [
          {
            path: ['router', 'name'],
            message: `router ${spec.name} is not configured on this server (add it to THRESHOLD_ROUTERS_FILE; ${names.length === 0 ? 'none is configured' : `configured: ${names.join(', ')}`})`,
          },
        ];
      }
      return router.check({ ...plan, router: spec }, signal);
    },
    async close() {
      await Promise.all([...routers.values()].map((r) => r.close()));
    },
  };
}
