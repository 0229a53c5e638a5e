/** A KPI's kind, source and sample basis in words. Zod-free (see guard-in-words.ts). */
import { formatDuration } from '../plan/quantities.js';
import type { Kpi } from '../plan/kpi-schema.js';
import { MIN_UNITS_FOR_VERDICT } from '../statistics/guard-verdict.js';
import {
  DEFAULT_INTERVAL_STEP_MS,
  MIN_INTERVAL_SAMPLES,
  kpiBasis,
} from '../statistics/per-interval-guard.js';

/** "p95", "p99.9": a quantile as people say it. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toFixed(4))}`;
}

/** "occurrence", "quantile p95". */
export function kindInWords(kpi: Pick<Kpi, 'kind' | 'q'>): string {
  return kpi.kind === 'quantile' && kpi.q !== undefined
    ? `quantile ${quantileLabel(kpi.q)}`
    : kpi.kind;
}

/** Where the data comes from: "events: purchase", "prometheus: <query>", "sql: <query>", "http: <url> → <select>". */
export function sourceInWords(
  kpi: Pick<
    Kpi,
    'source' | 'event' | 'numerator' | 'denominator' | 'query' | 'sql' | 'url' | 'select'
  >,
): string {
  switch (kpi.source) {
    case 'events':
      return kpi.event !== undefined
        ? `events: ${kpi.event}`
        : `events: ${kpi.numerator ?? '?'} / ${kpi.denominator ?? '?'}`;
    case 'prometheus': {
      const q = (text: string | undefined) => (text ?? '?').replace(/\s+/g, ' ').trim();
      return kpi.query !== undefined
        ? `prometheus: ${q(kpi.query)}`
        : `prometheus: ${q(kpi.numerator)} / ${q(kpi.denominator)}`;
    }
    case 'sql':
      return `sql: ${(kpi.sql ?? '').replace(/\s+/g, ' ').trim()}`;
    case 'http':
      return `http: ${kpi.url ?? '?'}${kpi.select === undefined ? '' : ` → ${kpi.select}`}`;
  }
}

/**
 * What one sample of a KPI is (ADR 0015), for KPIs not counted per unit; null
 * for events KPIs, whose samples are the plan's units.
 */
export function basisInWords(kpi: Kpi): string | null {
  const basis = kpiBasis(kpi);
  if (basis === 'per-unit') return null;
  if (basis === 'request-counts')
    return 'request-counts: requests per burn window, divided by the overdispersion factor φ of the phase';
  const step = formatDuration(kpi.step ?? DEFAULT_INTERVAL_STEP_MS);
  const what =
    kpi.kind === 'ratio'
      ? "the step's counts"
      : kpi.kind === 'quantile'
        ? "the step's quantile; the guard compares their mean"
        : "the step's value";
  const needs = Math.max(MIN_INTERVAL_SAMPLES, MIN_UNITS_FOR_VERDICT);
  return `${basis}: one sample per ${step} step in each arm (${what}); a verdict needs ${needs} steps per arm`;
}
