/**
 * Pause, resume and roll back, for operator tokens. Each asks for a reason
 * first: it goes into the launch log and the audit log with the actor's name.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { LaunchStatus } from '@threshold/core';
import { ApiError } from '../api/api-client.js';
import { canOperate, useSession } from '../app/session-context.js';
import { ErrorNote } from './error-note.js';

type Action = 'pause' | 'resume' | 'rollback';

const LABEL: Record<Action, string> = { pause: 'Pause', resume: 'Resume', rollback: 'Roll back' };

function allowed(status: LaunchStatus): Action[] {
  if (status === 'running') return ['pause', 'rollback'];
  if (status === 'paused') return ['resume', 'rollback'];
  return [];
}

export function OperatorActions({
  launchId,
  status,
  onDone,
}: {
  launchId: string;
  status: LaunchStatus;
  onDone: () => void;
}) {
  const { api, who } = useSession();
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!canOperate(who)) {
    return <p className="muted">Pause, resume and roll back need an operator token.</p>;
  }
  const actions = allowed(status);
  if (actions.length === 0) return <p className="muted">The launch has ended: no actions left.</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (action === null || reason.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/launches/${encodeURIComponent(launchId)}/${action}`, {
        reason: reason.trim(),
      });
      setAction(null);
      setReason('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="operator-actions">
      <div className="buttons">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={a === 'rollback' ? 'danger' : undefined}
            aria-pressed={action === a}
            onClick={() => {
              setAction(a);
              setError(null);
            }}
          >
            {LABEL[a]}…
          </button>
        ))}
      </div>
      {action === null ? null : (
        <form onSubmit={(e) => void submit(e)} className="reason-form">
          <label htmlFor="operator-reason">
            Why {action === 'rollback' ? 'roll back' : action}? The reason is recorded in the audit
            log.
          </label>
          <textarea
            id="operator-reason"
            name="reason"
            required
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="buttons">
            <button
              type="submit"
              className={action === 'rollback' ? 'danger' : undefined}
              disabled={busy || reason.trim() === ''}
            >
              {LABEL[action]} now
            </button>
            <button type="button" className="link-button" onClick={() => setAction(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error === null ? null : <ErrorNote error={error} />}
    </div>
  );
}
