/**
 * A launch's evidence integrity (ADR 0019) in one line, as `threshold launch
 * status` and the dashboard show it: exposures quarantined per reason and the
 * token that dominates the phase's units.
 */
import { formatCount, formatPercent } from '../statistics/format-number.js';

/** The evidence integrity the server reports, as far as the sentence reads it. */
export interface IntegrityInput {
  phase: string;
  quarantined: Readonly<Record<string, number>>;
  dominant: { name: string; share: number } | null;
}

/** "evidence: …" when exposures were quarantined or one token dominates; null when all is well. */
export function integritySentence(integrity: IntegrityInput | null | undefined): string | null {
  if (integrity === null || integrity === undefined) return null;
  const reasons = Object.entries(integrity.quarantined).filter(([, n]) => n > 0);
  const total = reasons.reduce((a, [, n]) => a + n, 0);
  const parts: string[] = [];
  if (total > 0)
    parts.push(
      `${formatCount(total)} exposure${total === 1 ? '' : 's'} quarantined (${reasons.map(([r, n]) => `${r} ${formatCount(n)}`).join(', ')})`,
    );
  const d = integrity.dominant;
  if (d !== null)
    parts.push(
      `token ${d.name} supplied ${formatPercent(d.share, false)} of ${integrity.phase}'s units`,
    );
  return parts.length === 0 ? null : `evidence: ${parts.join('; ')}`;
}
