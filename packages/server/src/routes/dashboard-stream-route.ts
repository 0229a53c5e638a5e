/** `GET /api/v1/stream`: launch changes for the dashboard's live updates. */
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { sseResponse } from '../http/sse-stream.js';
import { summarizeLaunches } from '../launches/launch-view.js';

/** SSE event names of the dashboard stream. */
export const DASHBOARD_EVENTS = {
  /** On connect: `{ launches: LaunchSummary[] }`, every launch. */
  snapshot: 'snapshot',
  /** On change: one LaunchSummary (new launch, or a new event in its log). */
  launch: 'launch',
} as const;

/** The dashboard stream route. */
export function dashboardStreamRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, hub, metrics } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/stream',
      access: 'viewer',
      tag: 'launches',
      summary: 'Server-sent events: `snapshot` on connect, then `launch` for every changed launch',
      responses: {
        200: {
          description:
            'event: snapshot with data { launches: LaunchSummary[] }, then event: launch with one LaunchSummary per change (id: <launch>:<seq>); `: ping` keeps it alive.',
          contentType: 'text/event-stream',
        },
      },
      handler: async (c) => {
        await hub.refresh();
        const snapshot = await summarizeLaunches(store, hub.launches);
        const { tokenId } = c.get('principal');
        let unsubscribe = () => {};
        let untrack = () => {};
        metrics.sseClients.inc({ stream: 'dashboard' });
        return sseResponse({
          pingIntervalMs: ctx.ssePingIntervalMs,
          signal: c.req.raw.signal,
          start(writer) {
            untrack = ctx.tokenStreams.add(tokenId, writer);
            writer.send(DASHBOARD_EVENTS.snapshot, JSON.stringify({ launches: snapshot }));
            // Chained, so updates reach the client in the order they happened.
            let chain = Promise.resolve();
            unsubscribe = hub.onLaunches((changed) => {
              chain = chain
                .then(() => summarizeLaunches(store, changed))
                .then((summaries) => {
                  for (const s of summaries) {
                    writer.send(DASHBOARD_EVENTS.launch, JSON.stringify(s), `${s.id}:${s.seq}`);
                  }
                })
                .catch((err: unknown) =>
                  ctx.logger.warn({ err }, 'dashboard stream update failed'),
                );
            });
          },
          onClose() {
            unsubscribe();
            untrack();
            metrics.sseClients.dec({ stream: 'dashboard' });
          },
        });
      },
    },
  ];
}
