/** The launch's decisions, newest first; each opens to its full evidence. */
import type { DecisionEvent } from '../api/api-types.js';
import { decisionTitle, decisionTone } from '../format/decision-words.js';
import { clockTime } from '../format/numbers.js';
import { DecisionEvidence } from './decision-evidence.js';

export function DecisionLog({
  decisions,
  open,
}: {
  decisions: readonly DecisionEvent[];
  /** Seq of an entry to show open (e.g. the rollback). */
  open?: number;
}) {
  if (decisions.length === 0) {
    return <p className="muted">No decisions yet: the controller decides at its next look.</p>;
  }
  return (
    <ol className="decision-log" reversed>
      {[...decisions].reverse().map((d) => (
        <li
          key={d.seq}
          className={`decision tone-${decisionTone(d.decision)}`}
          data-decision={d.decision.type}
          data-seq={d.seq}
        >
          <details open={open === d.seq}>
            <summary>
              <span className="when">{clockTime(d.at)}</span>{' '}
              <strong>{decisionTitle(d.decision)}</strong>{' '}
              <span className="muted">
                in {d.decision.phase} · by {d.actor}
              </span>
              <div className="summary-reason">{d.decision.reason}</div>
            </summary>
            <DecisionEvidence decision={d.decision} />
          </details>
        </li>
      ))}
    </ol>
  );
}
