/**
 * The explain view of a plan: what it will do, in words. Phases with the
 * minimum time to 100%, the KPI matrix with guards and actions, who must sign
 * what, and the readiness checklist. Same content as `threshold plan explain`.
 */
import { describeAutomatedCheck, formatAudienceConstraint } from '@threshold/core';
import { KPI_CATEGORIES } from '../format/plan-constants.js';
import type { Plan } from '@threshold/core';
import { formatShare, humanDuration } from '../format/numbers.js';
import { actionInWords, actionsInWords, guardInWords, kindInWords } from '../format/plan-words.js';

export function PlanExplain({ plan }: { plan: Plan }) {
  const fullIndex = plan.phases.findIndex((p) => p.traffic >= 1);
  const before = fullIndex === -1 ? plan.phases : plan.phases.slice(0, fullIndex);
  const toFull = before.reduce((sum, p) => sum + p.min_duration, 0);
  const bake = plan.phases[fullIndex]?.bake ?? 0;
  const signoffWaits = plan.phases.some((p) => p.signoff !== undefined);
  return (
    <div className="explain">
      {plan.description === undefined ? null : <p>{plan.description}</p>}
      <dl className="facts">
        <dt>Owner</dt>
        <dd>{plan.owner}</dd>
        <dt>Flag and unit</dt>
        <dd>
          flag <code>{plan.flag}</code>, randomized by <code>{plan.unit}</code>, control:{' '}
          {plan.control === 'rest' ? 'the rest of the population' : 'a same-size holdout'}
        </dd>
        <dt>Class</dt>
        <dd>{plan.class}</dd>
        <dt>Statistics</dt>
        <dd>
          {plan.analysis.method}, launch-wide false-alarm rate{' '}
          {formatShare(plan.analysis.false_alarm_rate)} split across the phases and KPIs; split
          check at p &lt; {plan.analysis.srm_p_value}
        </dd>
        <dt>Time to 100%</dt>
        <dd>
          at least {humanDuration(toFull)}
          {bake > 0
            ? `, fully live after ${humanDuration(toFull + bake)} (bake ${humanDuration(bake)})`
            : ''}
          {signoffWaits ? ', plus the time sign-offs take' : ''}
        </dd>
      </dl>

      <h3>Phases</h3>
      <table>
        <thead>
          <tr>
            <th>Phase</th>
            <th className="num">Traffic</th>
            <th>Minimum</th>
            <th>Audience</th>
            <th>Sign-off before it starts</th>
          </tr>
        </thead>
        <tbody>
          {plan.phases.map((p) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td className="num">{formatShare(p.traffic)}</td>
              <td>
                {humanDuration(p.min_duration)} and {p.min_units} units per arm
                {p.bake === undefined ? '' : `, then bake ${humanDuration(p.bake)}`}
              </td>
              <td>
                {p.audience.length === 0
                  ? 'everyone'
                  : p.audience.map(formatAudienceConstraint).join(' and ')}
              </td>
              <td>{p.signoff === undefined ? '—' : p.signoff.roles.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>KPI matrix</h3>
      <table>
        <thead>
          <tr>
            <th>Category</th>
            <th>KPI</th>
            <th>Guard</th>
            <th>On breach</th>
            <th>Without evidence</th>
          </tr>
        </thead>
        <tbody>
          {KPI_CATEGORIES.flatMap((category) =>
            plan.kpis[category].map((k) => (
              <tr key={k.name}>
                <td>{category}</td>
                <td>
                  <strong>{k.name}</strong> <span className="muted">{kindInWords(k)}</span>
                  {k.description === undefined ? null : (
                    <div className="muted small">{k.description}</div>
                  )}
                </td>
                <td>{guardInWords(k.guard)}</td>
                <td>{actionsInWords(k.on_breach)}</td>
                <td>{actionInWords(k.on_insufficient)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>

      <h3>Sign-off policy</h3>
      {plan.signoff === undefined ? (
        <p className="muted">No sign-off policy: phases advance on evidence alone.</p>
      ) : (
        <>
          <ul>
            {Object.entries(plan.signoff.roles).map(([role, q]) => (
              <li key={role}>
                <strong>{role}</strong>: {q.quorum} approval{q.quorum === 1 ? '' : 's'}
                {q.deadline === undefined ? '' : `, within ${humanDuration(q.deadline)}`}
              </li>
            ))}
          </ul>
          <p className="muted">
            Self-approval {plan.signoff.allow_self_approval ? 'allowed' : 'not allowed'}; an edit to
            the plan {plan.signoff.reset_on_edit ? 'withdraws' : 'keeps'} approvals; on a missed
            deadline: {plan.signoff.on_deadline}.
          </p>
        </>
      )}

      <h3>Readiness</h3>
      {plan.readiness.length === 0 ? (
        <p className="muted">No readiness checklist.</p>
      ) : (
        <ul className="readiness">
          {plan.readiness.map((r) => (
            <li key={r.check}>
              {r.check}{' '}
              <span className="muted">
                ({r.owner}, {r.blocking ? 'blocking' : 'advisory'})
              </span>
              {describeAutomatedCheck(r) !== null ? (
                <span className="muted"> {describeAutomatedCheck(r)}</span>
              ) : r.blocking ? (
                <strong> blocks a start until {r.owner} attests it</strong>
              ) : null}
              {r.evidence === undefined ? null : (
                <span className="muted"> evidence: {r.evidence}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
