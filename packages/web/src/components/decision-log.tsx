/** The launch's decisions, newest first; each opens to its full evidence. */
import type { DecisionEvent, NotificationView } from '../api/api-types.js';
import { decisionTitle, decisionTone, notificationWords } from '../format/decision-words.js';
import { clockTime } from '../format/numbers.js';
import { DecisionEvidence } from './decision-evidence.js';

export function DecisionLog({
  decisions,
  open,
  notifications = [],
}: {
  decisions: readonly DecisionEvent[];
  /** Seq of an entry to show open (e.g. the rollback). */
  open?: number;
  /** Outcomes of the notify and webhook decisions, by the decision's seq. */
  notifications?: readonly NotificationView[];
}) {
  if (decisions.length === 0) {
    return <p className="muted">No decisions yet: the controller decides at its next look.</p>;
  }
  return (
    <ol className="decision-log" reversed>
      {[...decisions].reverse().map((d) => {
        const sent = notifications.find((n) => n.seq === d.seq);
        return (
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
                {sent === undefined ? null : (
                  <span className={`delivery delivery-${sent.state}`} data-delivery={sent.state}>
                    {notificationWords(sent)}
                  </span>
                )}{' '}
                <span className="muted">
                  in {d.decision.phase} · by {d.actor}
                </span>
                <div className="summary-reason">{d.decision.reason}</div>
              </summary>
              <DecisionEvidence decision={d.decision} hideReason />
            </details>
          </li>
        );
      })}
    </ol>
  );
}
