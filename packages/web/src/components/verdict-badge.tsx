/**
 * A verdict that reads without colour: each has its own word, symbol and shape
 * (pass: check in a circle, breach: cross in a square, insufficient evidence: a
 * question mark in a dashed circle); colour only repeats what they say.
 */
import type { Verdict } from '@threshold/core';

const LOOK: Record<Verdict, { symbol: string; text: string }> = {
  pass: { symbol: '✓', text: 'pass' },
  breach: { symbol: '✕', text: 'breach' },
  'insufficient-evidence': { symbol: '?', text: 'insufficient evidence' },
};

export function VerdictBadge({
  verdict,
  compact = false,
}: {
  verdict: Verdict;
  compact?: boolean;
}) {
  const { symbol, text } = LOOK[verdict];
  return (
    <span className={`verdict verdict-${verdict}`} data-verdict={verdict} title={text}>
      <span className="verdict-shape" aria-hidden="true">
        {symbol}
      </span>
      {compact ? <span className="sr-only">{text}</span> : <span>{text}</span>}
    </span>
  );
}

/** The worst of several verdicts: breach, then insufficient evidence, then pass. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict | null {
  if (verdicts.includes('breach')) return 'breach';
  if (verdicts.includes('insufficient-evidence')) return 'insufficient-evidence';
  return verdicts.length > 0 ? 'pass' : null;
}
