/**
 * A guard in words, as `threshold plan explain` and the dashboard both say it.
 * Zod-free on purpose (like the whole words folder): the dashboard bundles this
 * module, and importing the plan schema would ship zod to the browser.
 */
import { formatDuration, formatShare } from '../plan/quantities.js';
import type { Guard } from '../plan/kpi-schema.js';

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
