/**
 * The key a live launch claims its router by (the partial unique index
 * launches_live_router_idx): the router's name and the service it moves. Two
 * launches may use one router for different services, never for the same one.
 */

/** `["edge","web"]` for a plan with `router: { name: edge, service: web }`; null without a router. */
export function routerKeyOf(plan: { router?: unknown }): string | null {
  const r = plan.router as { name?: unknown; service?: unknown } | undefined;
  if (r === undefined || r === null || typeof r.name !== 'string' || typeof r.service !== 'string')
    return null;
  return JSON.stringify([r.name, r.service]);
}
