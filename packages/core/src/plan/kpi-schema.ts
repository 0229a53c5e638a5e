/** The KPI matrix: what each indicator measures, where it comes from, and the guard it must keep. */
import { z } from 'zod';
import { actions, insufficientEvidenceAction } from './action-schema.js';
import { duration, fraction, identifier } from './plan-primitives.js';

/** The three categories of the KPI matrix. */
export const KPI_CATEGORIES = ['efficiency', 'user-impact', 'operational-health'] as const;
export type KpiCategory = (typeof KPI_CATEGORIES)[number];

/** How a KPI is computed per randomization unit. */
export const KPI_KINDS = ['occurrence', 'count', 'mean', 'ratio', 'quantile', 'slo-burn'] as const;
export type KpiKind = (typeof KPI_KINDS)[number];

/** Where a KPI's data comes from. */
export const KPI_SOURCES = ['events', 'prometheus', 'http'] as const;
export type KpiSource = (typeof KPI_SOURCES)[number];

/** Multiwindow, multi-burn-rate alerting windows from the SRE Workbook. */
export const DEFAULT_BURN_WINDOWS = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
  { long: '1d', short: '2h', factor: 3 },
  { long: '3d', short: '6h', factor: 1 },
];

const burnWindow = z.strictObject({
  long: duration().meta({
    description: 'Long window; the burn rate must exceed the factor over it.',
  }),
  short: duration().meta({ description: 'Short window that must agree, so alerts reset quickly.' }),
  factor: z
    .number()
    .positive()
    .meta({ description: 'Burn-rate factor (1 = budget gone by the end of the SLO period).' }),
});

const burnRate = z
  .strictObject({
    slo: fraction().meta({
      description: 'The SLO target, e.g. "99.9%": the error budget is 1 - slo.',
    }),
    windows: z.array(burnWindow).min(1).prefault(DEFAULT_BURN_WINDOWS).meta({
      description: 'Burn-rate windows; a breach when any window pair burns faster than its factor.',
    }),
  })
  .meta({ description: 'SLO burn-rate guard (kind slo-burn only).' });

const COMPARISONS = [
  'max_increase',
  'max_decrease',
  'max_increase_abs',
  'max_decrease_abs',
] as const;

/** A guard, normalized: at most one treatment-vs-control comparison, optional hard limits, or burn-rate windows. */
export interface Guard {
  /** Treatment against control; `bad` is the harmful direction, margin relative (fraction) or absolute. */
  compare?: { bad: 'increase' | 'decrease'; margin: number; relative: boolean };
  /** Hard limits on the treatment arm's value, regardless of control. */
  max?: number;
  min?: number;
  burn_rate?: { slo: number; windows: { long: number; short: number; factor: number }[] };
}

const guardShape = z.strictObject({
  max_increase: fraction().optional().meta({
    description: 'Breach when treatment exceeds control by more than this relative margin ("10%").',
  }),
  max_decrease: fraction().optional().meta({
    description: 'Breach when treatment falls below control by more than this relative margin.',
  }),
  max_increase_abs: z.number().nonnegative().optional().meta({
    description: 'Breach when treatment exceeds control by more than this absolute amount.',
  }),
  max_decrease_abs: z.number().nonnegative().optional().meta({
    description: 'Breach when treatment falls below control by more than this absolute amount.',
  }),
  max: z
    .number()
    .optional()
    .meta({ description: 'Hard limit: breach when the treatment value is above it.' }),
  min: z
    .number()
    .optional()
    .meta({ description: 'Hard limit: breach when the treatment value is below it.' }),
  burn_rate: burnRate.optional(),
});

/** The guard a KPI must keep. */
export const guard = () =>
  guardShape
    .superRefine((g, ctx) => {
      const comparisons = COMPARISONS.filter((k) => g[k] !== undefined);
      if (comparisons.length > 1) {
        ctx.addIssue({
          code: 'custom',
          message: `a guard compares in one direction only: use one of ${comparisons.join(', ')}`,
          path: [comparisons[1] ?? ''],
        });
      }
      if (
        g.burn_rate !== undefined &&
        (comparisons.length > 0 || g.max !== undefined || g.min !== undefined)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: 'burn_rate is a guard of its own: do not combine it with comparisons or limits',
          path: ['burn_rate'],
        });
      }
      if (
        comparisons.length === 0 &&
        g.max === undefined &&
        g.min === undefined &&
        g.burn_rate === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          message:
            'guard needs a rule: max_increase, max_decrease, max_increase_abs, max_decrease_abs, max, min or burn_rate',
        });
      }
    })
    .transform((g): Guard => {
      const out: Guard = {};
      if (g.max_increase !== undefined)
        out.compare = { bad: 'increase', margin: g.max_increase, relative: true };
      if (g.max_decrease !== undefined)
        out.compare = { bad: 'decrease', margin: g.max_decrease, relative: true };
      if (g.max_increase_abs !== undefined)
        out.compare = { bad: 'increase', margin: g.max_increase_abs, relative: false };
      if (g.max_decrease_abs !== undefined)
        out.compare = { bad: 'decrease', margin: g.max_decrease_abs, relative: false };
      if (g.max !== undefined) out.max = g.max;
      if (g.min !== undefined) out.min = g.min;
      if (g.burn_rate !== undefined) out.burn_rate = g.burn_rate;
      return out;
    })
    .meta({
      description:
        'Relative or absolute margin in the bad direction, hard limits, or SLO burn-rate windows. Examples: { max_increase: 10% }, { max_decrease: 2% }, { max: 800 }, { burn_rate: { slo: 99.9% } }.',
    });

/** Keys that belong to one source each, for "not allowed here" messages. */
export const SOURCE_KEYS: Record<KpiSource, readonly string[]> = {
  events: ['event'],
  prometheus: ['query', 'step'],
  http: ['url', 'select'],
};

const kpiShape = z.strictObject({
  name: identifier('a KPI name').meta({
    description: 'Unique id of the KPI across the whole matrix.',
  }),
  description: z
    .string()
    .optional()
    .meta({ description: 'What the KPI means, for the dashboard and report.' }),
  kind: z.enum(KPI_KINDS).meta({
    description:
      'occurrence: share of units with the event; count: events per unit; mean: mean event value per unit; ratio: sum(numerator)/sum(denominator) (delta method); quantile: the q-quantile of event values (mergeable sketch); slo-burn: error-budget burn rate of numerator (bad) over denominator (total).',
  }),
  source: z.enum(KPI_SOURCES).default('events').meta({
    description:
      'events: SDK track() events; prometheus: a PromQL query per arm; http: a JSON endpoint per arm.',
  }),
  source_name: identifier('a source name').optional().meta({
    description:
      'A named source of that kind configured on the server (default: the source named like the kind, e.g. prometheus).',
  }),
  event: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Event name (source events; kinds occurrence, count, mean, quantile).' }),
  numerator: z.string().min(1).optional().meta({
    description:
      'Kinds ratio and slo-burn: the numerator (bad) event for source events; for source prometheus a PromQL count per arm over {{interval}}, e.g. sum(increase(errors_total{arm="{{arm}}"}[{{interval}}])).',
  }),
  denominator: z.string().min(1).optional().meta({
    description:
      'Kinds ratio and slo-burn: the denominator (all) event for source events; for source prometheus a PromQL count per arm over {{interval}}.',
  }),
  q: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .meta({ description: 'Quantile for kind quantile, e.g. 0.95.' }),
  query: z.string().min(1).optional().meta({
    description:
      'PromQL (source prometheus, kinds mean and quantile): one value per arm and interval; {{arm}}, {{launch}}, {{phase}}, {{interval}}, {{window}} and {{phase_range}} are filled in.',
  }),
  step: duration().optional().meta({
    default: '1m',
    description:
      'Source prometheus: the interval whose values are one sample each ({{interval}} in queries).',
  }),
  url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({
      description: 'URL returning JSON (source http); {{arm}} is replaced by treatment or control.',
    }),
  select: z.string().min(1).optional().meta({
    default: 'value',
    description: 'Dotted path to the number in the http response (source http).',
  }),
  guard: guard(),
  on_breach: actions()
    .prefault('rollback')
    .meta({ description: 'Actions when the guard is breached.' }),
  on_insufficient: insufficientEvidenceAction().prefault('wait').meta({
    description: 'What to do while the KPI lacks evidence for a verdict (never a silent pass).',
  }),
  window: duration().optional().meta({
    description:
      'Judge on consecutive windows of this length from the phase start, each with its share of the budget (default: the whole phase).',
  }),
});

type KpiShape = z.output<typeof kpiShape>;

/** Prometheus gives request-level series, not per-unit data: which fields each kind needs (ADR 0015). */
function checkPrometheusKpi(
  k: KpiShape,
  present: (key: string) => boolean,
  fail: (path: string, message: string) => void,
): void {
  if (k.kind === 'occurrence' || k.kind === 'count') {
    fail(
      'kind',
      `kind ${k.kind} is per randomization unit and needs source events; from prometheus use kind ratio (numerator/denominator counts) or mean`,
    );
  } else if (k.kind === 'ratio' || k.kind === 'slo-burn') {
    if (!present('numerator') || !present('denominator'))
      fail(
        present('numerator') ? 'numerator' : 'kind',
        `kind ${k.kind} on source prometheus needs numerator and denominator PromQL counts over {{interval}}`,
      );
    if (present('query'))
      fail('query', `kind ${k.kind} uses numerator and denominator queries, not query`);
  } else {
    if (!present('query')) fail('source', 'source prometheus needs a query');
    for (const key of ['numerator', 'denominator'])
      if (present(key)) fail(key, `${key} is for kinds ratio and slo-burn, not ${k.kind}`);
  }
}

function checkKpiParameters(k: KpiShape, ctx: z.RefinementCtx): void {
  const fail = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', message, path: [path] });
  const present = (key: string) => (k as Record<string, unknown>)[key] !== undefined;
  for (const [source, keys] of Object.entries(SOURCE_KEYS)) {
    if (source === k.source) continue;
    for (const key of keys)
      if (present(key)) fail(key, `${key} belongs to source ${source}, not ${k.source}`);
  }
  if (k.source === 'events') {
    const needsPair = k.kind === 'ratio' || k.kind === 'slo-burn';
    if (needsPair) {
      if (!present('numerator'))
        fail('kind', `kind ${k.kind} on source events needs numerator and denominator events`);
      else if (!present('denominator'))
        fail('numerator', `kind ${k.kind} needs a denominator event too`);
      if (present('event'))
        fail('event', `kind ${k.kind} uses numerator and denominator, not event`);
    } else {
      if (!present('event'))
        fail('kind', `kind ${k.kind} on source events needs an event name (event: ...)`);
      if (present('numerator'))
        fail('numerator', `numerator is for kinds ratio and slo-burn, not ${k.kind}`);
      if (present('denominator'))
        fail('denominator', `denominator is for kinds ratio and slo-burn, not ${k.kind}`);
    }
  }
  if (k.source !== 'events' && k.source !== 'prometheus')
    for (const key of ['numerator', 'denominator'])
      if (present(key))
        fail(key, `${key} belongs to sources events and prometheus, not ${k.source}`);
  if (k.source === 'events' && present('source_name'))
    fail('source_name', 'source events is built in and has no named instances');
  if (k.source === 'prometheus') checkPrometheusKpi(k, present, fail);
  if (k.source === 'http' && !present('url')) fail('source', 'source http needs a url');
  if (k.kind === 'quantile' && k.q === undefined)
    fail('kind', 'kind quantile needs q, e.g. q: 0.95');
  if (k.kind !== 'quantile' && k.q !== undefined)
    fail('q', `q is for kind quantile, not ${k.kind}`);
  if (k.kind === 'slo-burn' && k.guard.burn_rate === undefined)
    fail('guard', 'kind slo-burn needs a burn_rate guard, e.g. { burn_rate: { slo: 99.9% } }');
  if (k.kind !== 'slo-burn' && k.guard.burn_rate !== undefined)
    fail('guard', `burn_rate guards are for kind slo-burn, not ${k.kind}`);
  // The rehearsal never applied it and the live store's burn windows do not start at it.
  if (k.kind === 'slo-burn' && k.window !== undefined)
    fail(
      'window',
      'window does not apply to kind slo-burn: its burn_rate windows (long and short) say what data it reads',
    );
}

/** One KPI of the matrix. */
export const kpi = () => kpiShape.superRefine(checkKpiParameters);

export type Kpi = z.output<typeof kpiShape>;
