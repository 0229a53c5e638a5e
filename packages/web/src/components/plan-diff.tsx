/** Two plan versions side by side as a line diff of their sources. */
import { useMemo } from 'react';
import { lineDiff } from '../format/line-diff.js';

export function PlanDiff({
  before,
  after,
  beforeLabel,
  afterLabel,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const lines = useMemo(() => lineDiff(before, after), [before, after]);
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  return (
    <div className="plan-diff">
      <p>
        {beforeLabel} → {afterLabel}:{' '}
        {added === 0 && removed === 0 ? (
          'the sources are identical'
        ) : (
          <>
            <span className="diff-added-count">+{added}</span> line{added === 1 ? '' : 's'} added,{' '}
            <span className="diff-removed-count">−{removed}</span> removed
          </>
        )}
      </p>
      <pre className="diff" aria-label={`Differences from ${beforeLabel} to ${afterLabel}`}>
        {lines.map((l, i) => (
          <div key={i} className={`diff-${l.kind}`}>
            <span className="diff-mark" aria-hidden="true">
              {l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '}
            </span>
            <span className="sr-only">{l.kind === 'same' ? '' : `${l.kind}: `}</span>
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
