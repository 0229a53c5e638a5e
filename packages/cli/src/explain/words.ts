/** Plan parts in words, for `plan explain`: guards, actions, KPI kinds and sources. Pure. */
import {
  DEFAULT_INTERVAL_STEP_MS,
  MIN_INTERVAL_SAMPLES,
  MIN_UNITS_FOR_VERDICT,
  formatDuration,
  formatShare,
  kpiBasis,
} from '@threshold/core';
import type { Action, Guard, InsufficientEvidenceAction, Kpi } from '@threshold/core';

/** "p95", "p99.9": a quantile as people say it. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toFixed(4))}`;
}

/** The rule a guard enforces, e.g. "treatment ≤ control + 10% (relative)". */
export function guardInWords(guard: Guard): string {
  const parts: string[] = [];
  if (guard.compare !== undefined) {
    const { bad, margin, relative } = guard.compare;
    const amount = relative ? formatShare(margin) : String(margin);
    const kind = relative ? 'relative' : 'absolute';
    parts.push(
      bad === 'increase'
        ? `treatment ≤ control + ${amount} (${kind})`
        : `treatment ≥ control − ${amount} (${kind})`,
    );
  }
  if (guard.max !== undefined) parts.push(`≤ ${guard.max} hard limit`);
  if (guard.min !== undefined) parts.push(`≥ ${guard.min} hard limit`);
  if (guard.burn_rate !== undefined) {
    const windows = guard.burn_rate.windows
      .map((w) => `${w.factor}×/${formatDuration(w.long)}+${formatDuration(w.short)}`)
      .join(', ');
    parts.push(`SLO ${formatShare(guard.burn_rate.slo)} burn-rate windows ${windows}`);
  }
  return parts.join(', ');
}

/** One action in words: "rollback", "notify payments-oncall", "ask product, sre". */
export function actionInWords(action: Action): string {
  switch (action.type) {
    case 'notify':
      return action.to.length === 0 ? 'notify the owner' : `notify ${action.to.join(', ')}`;
    case 'ask':
      return `ask ${action.roles.join(', ')}`;
    case 'webhook':
      return `webhook ${action.url}`;
    default:
      return action.type;
  }
}

/** A list of actions in words, joined with " + " (they all happen). */
export function actionsInWords(actions: readonly Action[]): string {
  return actions.length === 0 ? 'nothing' : actions.map(actionInWords).join(' + ');
}

/** What happens while a KPI has no verdict yet. */
export function insufficientInWords(a: InsufficientEvidenceAction): string {
  switch (a.type) {
    case 'wait':
      return 'wait (keep collecting within the phase)';
    case 'extend':
      return 'extend (keep the phase open until there is a verdict)';
    case 'hold':
      return 'hold (stop advancing and alert)';
    case 'ask':
      return `ask ${a.roles.join(', ')}`;
  }
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
