/**
 * Everything behind one decision: the rule that fired, the KPIs with their
 * estimates and intervals against their margins, the actions and the risks whose
 * contingencies applied, sign-off counts, the split check and the sample. This is
 * the answer to "why did it roll back?".
 */
import type { Decision } from '@threshold/core';
import { RULE_WORDS } from '../format/decision-words.js';
import { humanDuration } from '../format/numbers.js';
import { actionsInWords } from '../format/plan-words.js';
import { GuardEvidence } from './guard-evidence.js';

export function DecisionEvidence({
  decision,
  hideGuards = false,
  hideReason = false,
}: {
  decision: Decision;
  /** Leave the KPIs out (when they say nothing, e.g. at 100% with no control arm). */
  hideGuards?: boolean;
  /** Leave the reason out (when the page already says it right above). */
  hideReason?: boolean;
}) {
  const e = decision.evidence;
  const involved = e.guards ?? [];
  // A breach-driven decision leads with the KPIs that breached; the rest follow.
  const ordered = [
    ...involved.filter((g) => g.verdict === 'breach'),
    ...involved.filter((g) => g.verdict !== 'breach'),
  ];
  return (
    <div className="evidence">
      {hideReason ? null : <p className="reason">{decision.reason}</p>}
      <dl className="facts">
        <dt>Rule</dt>
        <dd>
          <code>{decision.rule}</code>: {RULE_WORDS[decision.rule]}
        </dd>
        <dt>Phase</dt>
        <dd>
          {decision.phase} (plan version {decision.planVersion})
          {e.elapsedMs === undefined ? '' : `, ${humanDuration(e.elapsedMs)} into the phase`}
        </dd>
        {e.units === undefined ? null : (
          <>
            <dt>Sample</dt>
            <dd>
              {e.units.treatment} units in treatment, {e.units.control} in control
            </dd>
          </>
        )}
        {e.actions === undefined || e.actions.length === 0 ? null : (
          <>
            <dt>Actions</dt>
            <dd>{actionsInWords(e.actions)}</dd>
          </>
        )}
        {e.srm === undefined ? null : (
          <>
            <dt>Traffic split</dt>
            <dd>{e.srm.reason}</dd>
          </>
        )}
      </dl>
      {e.risks === undefined || e.risks.length === 0 ? null : (
        <div className="risks-applied">
          <h4>Risks whose contingency applied</h4>
          <ul>
            {e.risks.map((r) => (
              <li key={r.id} data-risk={r.id}>
                <strong>{r.id}</strong> {r.title} <span className="muted">(owner {r.owner})</span>:
                contingency <strong>{actionsInWords(r.contingency)}</strong>
              </li>
            ))}
          </ul>
        </div>
      )}
      {e.signoff === undefined ? null : (
        <div className="signoff-count">
          <h4>Sign-off for {e.signoff.phase}</h4>
          <ul>
            {e.signoff.roles.map((r) => (
              <li key={r.role}>
                {r.role}: {r.approvers.length} of {r.quorum}
                {r.approvers.length > 0 ? ` (${r.approvers.join(', ')})` : ''}
                {r.rejections.map((x) => (
                  <span key={x.actor}>
                    {' '}
                    · rejected by {x.actor}
                    {x.comment === undefined ? '' : `: “${x.comment}”`}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </div>
      )}
      {ordered.length === 0 || hideGuards ? null : (
        <div className="guards-involved">
          <h4>{ordered.length === 1 ? 'The KPI' : 'The KPIs'}</h4>
          {ordered.map((g) => (
            <GuardEvidence key={g.kpi} guard={g} />
          ))}
        </div>
      )}
    </div>
  );
}
