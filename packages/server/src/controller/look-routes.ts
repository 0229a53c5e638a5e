/** GET /api/v1/launches/:id/looks: the recorded looks of a launch, for the dashboard's charts. */
import { z } from 'zod';
import { pathName, positiveIntText } from '../http/common-schemas.js';
import { notFound } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { LOOK_EVENT } from './launch-log.js';

const idParams = z.object({ id: pathName });

const looksQuery = z.object({
  after: positiveIntText
    .optional()
    .meta({ description: 'Only looks after this seq of the launch log (for polling).' }),
  limit: positiveIntText
    .max(10_000, { error: 'must be at most 10000' })
    .optional()
    .meta({ description: 'At most this many, the newest (default 2000).' }),
});

const pair = z.object({ treatment: z.number(), control: z.number() });
const nullable = z.number().nullable();

const lookSchema = z
  .object({
    seq: z.number().int().meta({ description: 'Position in the launch log.' }),
    at: z.number().meta({ description: 'Time of the look (ms since the epoch).' }),
    status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
    state: z.string().meta({ description: 'waiting, holding, baking, … (core LookState).' }),
    summary: z.string().meta({ description: "The look's status line." }),
    phase: z.string(),
    phaseIndex: z.number().int(),
    traffic: z.number(),
    next: z
      .object({ phaseIndex: z.number().int(), phase: z.string(), traffic: z.number() })
      .nullable(),
    conditions: z.array(z.record(z.string(), z.unknown())),
    units: pair,
    srm: z.object({
      healthy: z.boolean(),
      pValue: z.number(),
      threshold: z.number(),
      observed: pair,
      expectedShare: pair,
    }),
    kpis: z.array(
      z.object({
        kpi: z.string(),
        category: z.string(),
        verdict: z.enum(['pass', 'breach', 'insufficient-evidence']),
        reason: z.string(),
        estimate: z.object({ treatment: nullable, control: nullable }),
        difference: nullable,
        interval: z.tuple([nullable, nullable]).nullable(),
        threshold: nullable,
        relative: z.boolean().nullable(),
        bad: z.enum(['increase', 'decrease']).nullable(),
        units: pair,
      }),
    ),
  })
  .meta({ title: 'Look' });

/** One recorded look, as GET /api/v1/launches/:id/looks answers it. */
export type LookAnswer = z.output<typeof lookSchema>;

/** The looks route. */
export function lookRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/launches/:id/looks',
      access: 'viewer',
      tag: 'launches',
      summary:
        "A launch's recorded looks: each KPI's estimate, interval and verdict, the split check, units per arm and the status line",
      params: idParams,
      query: looksQuery,
      responses: {
        200: {
          description: 'Looks, oldest first (at most one per look-record interval).',
          schema: z.object({ looks: z.array(lookSchema) }),
        },
      },
      errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const { after, limit } = validateInput(looksQuery, c.req.query(), 'query');
        if ((await store.getLaunch(id)) === undefined) throw notFound('launch', id);
        const events = await store.listLaunchEvents(id, after);
        const looks = events
          .filter((e) => e.type === LOOK_EVENT && typeof e.data === 'object' && e.data !== null)
          .map((e) => ({ ...(e.data as Record<string, unknown>), seq: e.seq }));
        return c.json({ looks: looks.slice(-(limit ?? 2000)) });
      },
    },
  ];
}
