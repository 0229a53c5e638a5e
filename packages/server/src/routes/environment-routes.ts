/** The environments this server defines, with their promotion policy and time rules now. */
import { timeRuleAt } from '@threshold/core';
import { z } from 'zod';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';

const environmentSchema = z
  .object({
    name: z.string(),
    requires: z
      .object({ environment: z.string(), bakeMs: z.number() })
      .nullable()
      .meta({ description: 'Promotion policy: complete (and bake) there first.' }),
    freezes: z.array(z.object({ from: z.string(), to: z.string(), reason: z.string().nullable() })),
    allowedHours: z
      .object({ days: z.array(z.string()), from: z.string(), to: z.string() })
      .nullable()
      .meta({
        description: 'Weekdays and times (in timezone) between which launches may advance.',
      }),
    timezone: z.string().meta({
      description: 'IANA time zone of the allowed hours (and of the words); UTC by default.',
    }),
    open: z.boolean().meta({ description: 'Whether launches may advance now.' }),
    closedReason: z.string().nullable(),
  })
  .meta({ title: 'Environment' });

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** GET /api/v1/environments. */
export function environmentRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/environments',
      access: 'viewer',
      tag: 'launches',
      summary:
        'The environments, their promotion policy and time rules, and whether each is open now',
      responses: {
        200: {
          description: 'Every environment (production always).',
          schema: z.object({ environments: z.array(environmentSchema) }),
        },
      },
      errors: [],
      handler: (c) => {
        const now = ctx.now();
        return c.json({
          environments: ctx.environments.map((e) => {
            const v = timeRuleAt(e.timeRules, now);
            const h = e.timeRules?.allowedHours;
            return {
              name: e.name,
              requires: e.requires ?? null,
              freezes: (e.timeRules?.freezes ?? []).map((f) => ({
                from: new Date(f.from).toISOString(),
                to: new Date(f.to).toISOString(),
                reason: f.reason ?? null,
              })),
              allowedHours:
                h === undefined
                  ? null
                  : { days: h.days, from: hhmm(h.fromMinute), to: hhmm(h.toMinute) },
              timezone: e.timeRules?.timezone ?? 'UTC',
              open: v.open,
              closedReason: v.open ? null : v.reason,
            };
          }),
        });
      },
    },
  ];
}
