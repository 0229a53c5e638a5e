/** Liveness, readiness and Prometheus metrics. */
import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';

/** The health and metrics routes. */
export function healthRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, metrics } = ctx;
  return [
    {
      method: 'get',
      path: '/healthz',
      access: 'public',
      tag: 'operations',
      summary: 'Liveness: the process is up',
      responses: { 200: { description: 'Up.', schema: z.object({ status: z.literal('ok') }) } },
      handler: (c) => c.json({ status: 'ok' as const }),
    },
    {
      method: 'get',
      path: '/readyz',
      access: 'public',
      tag: 'operations',
      summary: 'Readiness: the store answers and every migration is applied',
      responses: {
        200: {
          description: 'Ready.',
          schema: z.object({
            status: z.literal('ready'),
            dialect: z.enum(['sqlite', 'postgres']),
            migrations: z.number().int(),
          }),
        },
        503: { description: 'NOT_READY: the store is unreachable or migrations are pending.' },
      },
      errors: ['NOT_READY'],
      handler: async (c) => {
        let pending: string[];
        let total: number;
        try {
          const status = await store.migrationStatus();
          total = status.length;
          pending = status.filter((m) => m.appliedAt === null).map((m) => m.id);
        } catch (err) {
          ctx.logger.warn({ err }, 'readiness check failed');
          throw new HttpError('NOT_READY', 'the store is unreachable');
        }
        if (pending.length > 0) {
          throw new HttpError('NOT_READY', `${pending.length} migration(s) pending`, { pending });
        }
        return c.json({ status: 'ready' as const, dialect: store.dialect, migrations: total });
      },
    },
    {
      method: 'get',
      path: '/metrics',
      access: 'viewer',
      tag: 'operations',
      summary: 'Prometheus metrics (text exposition format)',
      responses: {
        200: { description: 'Metrics.', contentType: 'text/plain; version=0.0.4' },
      },
      handler: async (c) => {
        c.header('Content-Type', metrics.registry.contentType);
        return c.body(await metrics.registry.metrics());
      },
    },
  ];
}
