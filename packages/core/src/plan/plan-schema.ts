/**
 * The launch plan schema: the single source of truth for the plan's types,
 * validation, JSON Schema (planJsonSchema) and reference docs (planReference).
 * Cross-references (phase order, unknown KPIs, unknown roles) are checked in
 * check-plan-semantics.ts, which needs the whole document.
 */
import { z } from 'zod';
import {
  AUDIENCE_OPERATORS,
  checkAudienceConstraint,
  parseAudienceConstraint,
} from '../audience/index.js';
import type { AudienceConstraint } from '../audience/index.js';
import { actions } from './action-schema.js';
import { DEFAULT_MIN_UNITS } from '../statistics/guard-verdict.js';
import { router } from './router-schema.js';
import { KPI_CATEGORIES, kpi } from './kpi-schema.js';
import type { Kpi } from './kpi-schema.js';
import { attribute, duration, fraction, identifier, share, slug, text } from './plan-primitives.js';

/** Launch classes, from routine to critical: they set expectations for review depth. */
export const LAUNCH_CLASSES = ['minor', 'standard', 'major', 'critical'] as const;
export const LIKELIHOOD_WORDS = [
  'rare',
  'unlikely',
  'possible',
  'likely',
  'almost-certain',
] as const;
export const IMPACT_WORDS = ['negligible', 'minor', 'moderate', 'major', 'severe'] as const;

const audienceConstraint = z
  .union([
    z.string(),
    z.strictObject({
      attribute: attribute('attribute'),
      op: z.enum(AUDIENCE_OPERATORS),
      values: z.array(z.union([z.string(), z.number(), z.boolean()])).default([]),
    }),
  ])
  .transform((c, ctx): AudienceConstraint => {
    if (typeof c === 'string') {
      const r = parseAudienceConstraint(c);
      if (r.ok) return r.constraint;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    const message = checkAudienceConstraint(c);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
    return c;
  })
  .meta({
    description: `An attribute constraint, as text ("country in [NL, SE]") or as { attribute, op, values }. Operators: ${AUDIENCE_OPERATORS.join(', ')}.`,
    examples: ['country in [NL, SE]', 'email ends_with @example.com', 'app_version gte 42'],
  });

const phaseSignoff = z
  .union([
    z.array(identifier('a role')).min(1),
    z.strictObject({
      roles: z.array(identifier('a role')).min(1),
      deadline: duration()
        .optional()
        .meta({ description: 'Overrides the policy deadline for this sign-off.' }),
    }),
  ])
  .transform((s) => (Array.isArray(s) ? { roles: s } : s))
  .meta({
    description:
      'Roles whose quorum must approve before this phase starts: [product] or { roles, deadline }.',
  });

const phase = z.strictObject({
  name: identifier('a phase name').meta({
    description: 'Unique name of the phase (canary, early, half, full...).',
  }),
  traffic: share().meta({
    description:
      'Share of units in treatment: "1%", "0.5%" or 0.005; 0.01% to 100% in 0.01% steps.',
  }),
  min_duration: duration()
    .prefault('1h')
    .meta({ description: 'Minimum time in the phase before it may advance.' }),
  min_units: z.number().int().nonnegative().optional().meta({
    description:
      'Minimum units per arm before the phase may advance (default 100; 0 with a router, which counts requests, not units).',
  }),
  audience: z.array(audienceConstraint).default([]).meta({
    description:
      'Constraints a unit must all meet to be in the launch during this phase; [] is everyone.',
  }),
  signoff: phaseSignoff.optional(),
  bake: duration().optional().meta({
    description:
      'Last phase at 100% only: time to stay stable before the launch counts as fully live.',
  }),
});

const level = (words: readonly string[]) =>
  z
    .union([z.number().int().min(1).max(5), z.enum(words as [string, ...string[]])])
    .transform((v) => (typeof v === 'number' ? v : words.indexOf(v) + 1))
    .meta({ description: `1–5, or ${words.join(' / ')}.` });

const risk = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, {
      error: 'a risk id must start with a letter, e.g. R1',
    })
    .meta({ description: 'Unique id, e.g. R1.' }),
  title: text('title'),
  likelihood: level(LIKELIHOOD_WORDS),
  impact: level(IMPACT_WORDS),
  owner: text('owner').meta({ description: 'Who owns the risk (a person, team or role).' }),
  watch: z
    .array(identifier('a KPI name'))
    .default([])
    .meta({ description: 'KPIs that watch this risk; their breach fires the contingency.' }),
  contingency: actions().prefault([]).meta({
    description: 'Actions when a watched KPI breaches, in addition to the KPI’s own on_breach.',
  }),
  mitigation: z
    .string()
    .optional()
    .meta({ description: 'What was done to reduce the risk before launch.' }),
});

const roleQuorum = z
  .union([
    z.number().int().min(1, { error: 'a quorum is at least 1' }),
    z.strictObject({
      quorum: z.number().int().min(1, { error: 'a quorum is at least 1' }),
      deadline: duration().optional(),
    }),
  ])
  .transform((q) => (typeof q === 'number' ? { quorum: q } : q))
  .meta({ description: 'Approvals needed from this role: a number, or { quorum, deadline }.' });

const signoffPolicy = z
  .strictObject({
    roles: z
      .record(identifier('a role'), roleQuorum)
      .refine((r) => Object.keys(r).length > 0, {
        error: 'name at least one role, e.g. { product: 1 }',
      })
      .meta({
        description:
          'Roles (departments) and their quorums, e.g. { engineering: 1, product: 1, sre: 2 }.',
      }),
    allow_self_approval: z
      .boolean()
      .default(false)
      .meta({ description: 'Whether the person who started or edited the launch may approve it.' }),
    reset_on_edit: z
      .boolean()
      .default(true)
      .meta({ description: 'An edit to the plan withdraws every approval given so far.' }),
    deadline: duration()
      .optional()
      .meta({ description: 'Time allowed for each sign-off; none means no deadline.' }),
    on_deadline: z.enum(['hold', 'rollback']).default('hold').meta({
      description: 'What happens when a sign-off misses its deadline (hold also notifies).',
    }),
  })
  .meta({ description: 'Who holds the authority for go/no-go.' });

const readinessProbe = z
  .strictObject({
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, { error: 'must be an http or https URL' })
      .meta({ description: 'URL the server GETs; the check passes when it answers `status`.' }),
    status: z
      .number()
      .int({ error: 'must be an HTTP status such as 200' })
      .min(100, { error: 'must be an HTTP status such as 200' })
      .max(599, { error: 'must be an HTTP status such as 200' })
      .default(200)
      .meta({ description: 'The status that means the check passes.' }),
  })
  .meta({
    description:
      'An automated check: probed before the start and at every look of every phase; while a blocking probe fails, the launch holds with the reason. Probed checks are not attested.',
  });

const readinessQuery = z
  .strictObject({
    source: identifier('a source name').default('prometheus').meta({
      description:
        'The configured Prometheus source to ask (by name; default the one named prometheus).',
    }),
    promql: z
      .string()
      .min(1, { error: 'must be a PromQL expression' })
      .meta({ description: 'An instant PromQL query that must return one series (or a scalar).' }),
    min: z.number().optional().meta({ description: 'The check passes when the value is ≥ min.' }),
    max: z.number().optional().meta({ description: 'The check passes when the value is ≤ max.' }),
  })
  .refine((q) => q.min !== undefined || q.max !== undefined, {
    error: 'needs min or max: the condition the value must meet',
  })
  .refine((q) => q.min === undefined || q.max === undefined || q.min <= q.max, {
    error: 'must not be below min',
    path: ['max'],
  })
  .meta({
    description:
      'An automated check: a metric-source query asked before the start and at every look; while a blocking one returns a value outside min/max (or no value), the launch holds with the reason. Queried checks are not attested.',
  });

const readinessCi = z
  .strictObject({
    max_age: duration().optional().meta({
      description:
        'How long a posted result counts; older than this, the check fails until CI posts again. None: the latest result counts however old.',
    }),
  })
  .meta({
    description:
      'An automated check whose result CI posts (POST /api/v1/plans/{name}/readiness/results with a token holding approver:<owner>): the latest result counts, checked before the start and at every look; while it failed (or is missing or too old), the launch holds with the reason. Not attested.',
  });

const readinessItem = z
  .strictObject({
    check: text('check').meta({ description: 'What must be true before launch.' }),
    owner: identifier('an owner role').meta({ description: 'Role that owns the check.' }),
    blocking: z.boolean().default(true).meta({
      description:
        "Blocking checks must be attested by someone holding the owner's role (approver:<owner>), and the attestation not expired, before the launch starts; others are advisory.",
    }),
    evidence: z.string().min(1).optional().meta({
      description:
        'Where the evidence lives (a link or text), shown on the checklist; it does not attest the check.',
    }),
    probe: readinessProbe.optional(),
    query: readinessQuery.optional(),
    ci: readinessCi.optional(),
  })
  .refine((r) => [r.probe, r.query, r.ci].filter((x) => x !== undefined).length <= 1, {
    error: 'a check is automated one way: probe, query or ci, not two of them',
  });

const kpiList = (category: string) =>
  z
    .array(kpi())
    .default([])
    .meta({ description: `KPIs in the ${category} category.` });

const analysis = z
  .strictObject({
    false_alarm_rate: fraction().prefault('5%').meta({
      description:
        'Launch-wide chance of a false breach across the whole KPI matrix (split across KPIs).',
    }),
    method: z.enum(['confidence-sequence', 'msprt']).default('confidence-sequence').meta({
      description: 'Anytime-valid test: asymptotic confidence sequences or mixture SPRT.',
    }),
    srm_p_value: z.number().gt(0).lt(1).default(0.001).meta({
      description:
        'Sample-ratio mismatch threshold: below it the split is broken and the launch holds.',
    }),
  })
  .meta({ description: 'Statistics settings; the defaults suit most launches.' });

/** The launch plan document. */
export const planSchema = z
  .strictObject({
    launch: slug('launch').meta({ description: 'Name of the launch (a slug).' }),
    description: z.string().optional().meta({ description: 'What is being launched and why.' }),
    owner: text('owner').meta({
      description: 'Team or person who owns the launch and gets paged.',
    }),
    flag: slug('flag')
      .optional()
      .meta({ description: 'Flag key the SDKs evaluate. Default: the launch name.' }),
    unit: attribute('unit').default('userId').meta({
      description:
        'Randomization unit: the context attribute that identifies a unit (userId, sessionId, any attribute).',
    }),
    class: z
      .enum(LAUNCH_CLASSES)
      .default('standard')
      .meta({ description: 'Launch class: minor, standard, major or critical.' }),
    control: z.enum(['rest', 'holdout']).default('rest').meta({
      description:
        'Control arm: the rest of the population, or a same-size holdout (traffic up to 50%).',
    }),
    hash_version: z.literal(1).default(1).meta({
      description:
        'Bucketing hash version; stored with the plan, a released version never changes.',
    }),
    phases: z
      .array(phase)
      .min(1, { error: 'a plan needs at least one phase, and the last one at 100%' })
      .meta({
        description:
          'Steps of exposure, in order; traffic strictly increases and the last phase is 100%.',
      }),
    kpis: z
      .strictObject({
        efficiency: kpiList('efficiency'),
        'user-impact': kpiList('user-impact'),
        'operational-health': kpiList('operational-health'),
      })
      .meta({ description: `The KPI matrix, by category: ${KPI_CATEGORIES.join(', ')}.` }),
    risks: z.array(risk).default([]).meta({ description: 'The risk register.' }),
    signoff: signoffPolicy.optional(),
    readiness: z.array(readinessItem).default([]).meta({ description: 'The readiness checklist.' }),
    analysis: analysis.prefault({}),
    router: router.optional(),
  })
  .transform((p) => ({
    ...p,
    flag: p.flag ?? p.launch,
    // A router counts requests, not units: with one, no unit count can gate a phase.
    phases: p.phases.map((ph) => ({
      ...ph,
      min_units: ph.min_units ?? (p.router === undefined ? DEFAULT_MIN_UNITS : 0),
    })),
  }))
  .meta({
    title: 'Threshold launch plan',
    description: 'A launch plan: phases, KPI matrix, risks, sign-off and readiness.',
  });

/** A parsed, normalized plan: shares are fractions, durations milliseconds, actions objects. */
export type Plan = z.output<typeof planSchema>;
export type Phase = Plan['phases'][number];
export type Risk = Plan['risks'][number];
export type SignoffPolicy = NonNullable<Plan['signoff']>;
export type ReadinessItem = Plan['readiness'][number];

/** Whether a readiness item is checked automatically (probe, query or ci) rather than attested. */
export function isAutomatedCheck(item: ReadinessItem): boolean {
  return item.probe !== undefined || item.query !== undefined || item.ci !== undefined;
}
export type PlanRouter = NonNullable<Plan['router']>;
export type { Kpi };
