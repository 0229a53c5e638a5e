/** The OpenAPI shape of core's LaunchStanding (where a launch stands and why). */
import { z } from 'zod';

const verdict = z.enum(['pass', 'breach', 'insufficient-evidence', 'not-comparable']);

/** Where a launch's traffic router stands (core's routerStanding, from the log's router entries). */
const routerStandingSchema = z
  .object({
    name: z.string(),
    service: z.string(),
    kind: z
      .string()
      .nullable()
      .meta({ description: 'haproxy, webhook (unknown: not configured); null before any entry.' }),
    target: z.string().nullable(),
    desired: z.number().meta({ description: 'The share the decisions set, 0..1.' }),
    applied: z
      .object({ traffic: z.number(), at: z.number(), seq: z.number().int() })
      .nullable()
      .meta({ description: 'The last share the router confirmed, when (ms) and its log entry.' }),
    state: z.enum(['applied', 'pending', 'failing']),
    reason: z
      .string()
      .nullable()
      .meta({ description: 'Why pending or failing; null when applied.' }),
    since: z.number().nullable().meta({ description: 'Failing since (ms).' }),
  })
  .meta({ title: 'RouterStanding' });

/** Where a launch stands: what every screen shows. */
export const standingSchema = z
  .object({
    status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
    state: z
      .enum([
        'waiting',
        'waiting-for-signoff',
        'asking',
        'holding',
        'baking',
        'no-exposures',
        'paused',
        'rolled-back',
        'completed',
      ])
      .meta({ description: 'Where it stands in one word (no-exposures is a warning state).' }),
    label: z.string().meta({ description: 'The state in words, e.g. "waiting for sign-off".' }),
    phase: z.string(),
    phaseIndex: z.number().int().meta({ description: '-1 before the first phase.' }),
    traffic: z.number(),
    next: z
      .object({ phase: z.string(), phaseIndex: z.number().int(), traffic: z.number() })
      .nullable(),
    nextStep: z.string().nullable().meta({ description: 'What happens next; null when ended.' }),
    health: z.enum(['pass', 'breach', 'insufficient-evidence', 'not-comparable', 'none']),
    healthText: z.string(),
    kpis: z.array(z.object({ kpi: z.string(), verdict })),
    verdicts: z.object({
      pass: z.number().int(),
      breach: z.number().int(),
      insufficient: z.number().int(),
      notComparable: z.number().int(),
    }),
    sentence: z.string().meta({ description: 'One sentence: where it stands and why.' }),
    look: z
      .object({ seq: z.number().int(), at: z.number() })
      .nullable()
      .meta({ description: 'The recorded look the health and KPIs come from.' }),
    decision: z
      .object({
        seq: z.number().int(),
        type: z.string(),
        rule: z.string(),
        at: z.number(),
        actor: z.string(),
      })
      .nullable()
      .meta({ description: 'The decision the sentence is about.' }),
    warnings: z.array(
      z.object({
        id: z.literal('no-exposures'),
        phase: z.string(),
        since: z.number(),
        message: z.string(),
      }),
    ),
    router: routerStandingSchema.nullable().meta({
      description: "The plan's traffic router: decided against applied; null without one.",
    }),
  })
  .meta({ title: 'LaunchStanding' });
