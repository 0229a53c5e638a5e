/**
 * Plan parts in words for the dashboard: guards, actions and quantiles, in the
 * same phrasing as `threshold plan explain` so the screen and the terminal agree.
 */
import { formatDuration, formatShare } from '@threshold/core';
import type { Action, Guard, InsufficientEvidenceAction, Kpi } from '@threshold/core';

/** "p95", "p99.9". */
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
    parts.push(`SLO ${formatShare(guard.burn_rate.slo)}, burn-rate windows ${windows}`);
  }
  return parts.join(', ');
}

/** A guard in plain sentences, e.g. "may rise at most 10% above control". */
export function guardSentence(guard: Guard): string {
  const parts: string[] = [];
  if (guard.compare !== undefined) {
    const { bad, margin, relative } = guard.compare;
    const amount = relative ? formatShare(margin) : String(margin);
    parts.push(
      bad === 'increase'
        ? `may rise at most ${amount} above control`
        : `may fall at most ${amount} below control`,
    );
  }
  if (guard.max !== undefined) parts.push(`must stay at or below ${guard.max}`);
  if (guard.min !== undefined) parts.push(`must stay at or above ${guard.min}`);
  if (guard.burn_rate !== undefined) {
    parts.push(`must not burn the ${formatShare(guard.burn_rate.slo)} SLO's error budget too fast`);
  }
  return parts.join('; ');
}

/** One action in words: "rollback", "notify payments-oncall", "ask product, sre". */
export function actionInWords(action: Action | InsufficientEvidenceAction): string {
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

/** Actions joined with " + " (they all happen). */
export function actionsInWords(actions: readonly (Action | InsufficientEvidenceAction)[]): string {
  return actions.length === 0 ? 'nothing' : actions.map(actionInWords).join(' + ');
}

/** "occurrence", "quantile p95". */
export function kindInWords(kpi: Pick<Kpi, 'kind' | 'q'>): string {
  return kpi.kind === 'quantile' && kpi.q !== undefined
    ? `quantile ${quantileLabel(kpi.q)}`
    : kpi.kind;
}
