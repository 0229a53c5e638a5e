/**
 * Sign-offs: per role who signed, who rejected and how many are missing, every
 * answer given so far, and, for holders of an approver token, approve or reject
 * with a comment as exactly the roles the token holds.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import type { ApprovalView, SignoffProgress } from '../api/api-types.js';
import { approverRoles, useSession } from '../app/session-context.js';
import { clockTime } from '../format/numbers.js';
import { ErrorNote } from './error-note.js';

export function SignoffPanel({
  launchId,
  ended,
  policyRoles,
  signoffs,
  approvals,
  askPhase,
  onDone,
}: {
  launchId: string;
  ended: boolean;
  /** Roles of the plan's sign-off policy. */
  policyRoles: string[];
  signoffs: readonly SignoffProgress[];
  approvals: readonly ApprovalView[];
  /** The phase an open ask waits in (answers must name it), if any. */
  askPhase: string | null;
  onDone: () => void;
}) {
  const { api, who } = useSession();
  const mine = approverRoles(who).filter((r) => policyRoles.includes(r));
  const [role, setRole] = useState(mine[0] ?? '');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const phase = signoffs[0]?.phase ?? askPhase ?? undefined;

  const answer = (decision: 'approve' | 'reject') => async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/launches/${encodeURIComponent(launchId)}/approvals`, {
        role,
        decision,
        comment,
        ...(phase === undefined ? {} : { phase }),
      });
      setDone(`${decision === 'approve' ? 'Approved' : 'Rejected'} as ${role}.`);
      setComment('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signoff-panel">
      {signoffs.length === 0 ? (
        <p className="muted">
          {askPhase === null
            ? 'No sign-off is pending for the next phase.'
            : `An ask is open in phase ${askPhase}: the asked roles must approve to continue.`}
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Role</th>
              <th>For phase</th>
              <th>Signed</th>
              <th>Rejected</th>
              <th>Missing</th>
            </tr>
          </thead>
          <tbody>
            {signoffs.map((s) => (
              <tr key={`${s.phase}:${s.role}`} data-role={s.role}>
                <td>
                  <strong>{s.role}</strong> <span className="muted">(quorum {s.quorum})</span>
                </td>
                <td>{s.phase}</td>
                <td>
                  {s.approvedBy.length === 0 ? (
                    <span className="muted">nobody</span>
                  ) : (
                    s.approvedBy.join(', ')
                  )}
                </td>
                <td>
                  {s.rejectedBy.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    s.rejectedBy.join(', ')
                  )}
                </td>
                <td>
                  {s.missing === 0 ? (
                    <span className="ok">✓ quorum reached</span>
                  ) : (
                    <span className="missing">{s.missing} more needed</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {approvals.length === 0 ? null : (
        <>
          <h4>Answers so far</h4>
          <ul className="approvals">
            {[...approvals].reverse().map((a) => (
              <li key={`${a.at}:${a.actor}:${a.role}`}>
                <span className="when">{clockTime(a.at)}</span> <strong>{a.actor}</strong>{' '}
                {a.decision === 'approve' ? '✓ approved' : '✕ rejected'} as {a.role} for {a.phase}{' '}
                (plan v{a.planVersion}){a.comment === '' ? null : <span>: “{a.comment}”</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {mine.length === 0 || ended ? null : phase === undefined ? (
        <p className="muted" data-nothing-pending>
          Nothing waits for your answer now: an answer counts only for a pending sign-off or ask.
        </p>
      ) : (
        <form className="approve-form" onSubmit={(e) => void answer('approve')(e)}>
          <h4>Your answer</h4>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value)}>
              {mine.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Comment
            <textarea
              name="comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="What you checked, or why you reject"
              rows={2}
            />
          </label>
          <div className="buttons">
            <button type="submit" disabled={busy}>
              Approve as {role}
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void answer('reject')()}
            >
              Reject as {role}
            </button>
          </div>
        </form>
      )}
      {/* Outside the form: an answer that completes the quorum ends the pending
          sign-off, the form goes away, and the confirmation must stay. */}
      {done === null ? null : (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {error === null ? null : <ErrorNote error={error} />}
    </div>
  );
}
