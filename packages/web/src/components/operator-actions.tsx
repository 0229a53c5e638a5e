/**
 * Pause, resume, roll back, promote, skip, amend and retry, for operator
 * tokens. Each asks for a reason first: it goes into the launch log and the
 * audit log with the actor's name. A refusal (a sign-off, a breach, a freeze
 * window) is shown as the server words it, naming what blocks.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { LaunchStatus } from '@threshold/core';
import { ApiError } from '../api/api-client.js';
import { launchPath, navigate } from '../app/router.js';
import { canOperate, useSession } from '../app/session-context.js';
import { ErrorNote } from './error-note.js';

type Action = 'pause' | 'resume' | 'rollback' | 'promote' | 'skip' | 'amend' | 'retry';

const LABEL: Record<Action, string> = {
  pause: 'Pause',
  resume: 'Resume',
  rollback: 'Roll back',
  promote: 'Promote',
  skip: 'Skip next phase',
  amend: 'Amend plan',
  retry: 'Retry',
};

const VERB: Record<Action, string> = {
  pause: 'pause',
  resume: 'resume',
  rollback: 'roll back',
  promote: 'promote now',
  skip: 'skip the next phase',
  amend: 'amend the plan',
  retry: 'retry as a new attempt',
};

function allowed(status: LaunchStatus): Action[] {
  if (status === 'running') return ['promote', 'skip', 'pause', 'amend', 'rollback'];
  if (status === 'paused') return ['resume', 'amend', 'rollback'];
  if (status === 'rolled-back') return ['retry'];
  return [];
}

export function OperatorActions({
  launchId,
  status,
  planVersion,
  onDone,
}: {
  launchId: string;
  status: LaunchStatus;
  /** The plan version the launch runs (amend offers newer ones). */
  planVersion: number;
  onDone: () => void;
}) {
  const { api, who } = useSession();
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!canOperate(who)) {
    return <p className="muted">Operator actions need an operator token.</p>;
  }
  const actions = allowed(status);
  if (actions.length === 0) return <p className="muted">The launch has ended: no actions left.</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (action === null || reason.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      const body =
        action === 'amend'
          ? { version: Number(version), reason: reason.trim() }
          : { reason: reason.trim() };
      const res = await api.post<{ launch: { id: string } }>(
        `/api/v1/launches/${encodeURIComponent(launchId)}/${action}`,
        body,
      );
      setAction(null);
      setReason('');
      setVersion('');
      if (action === 'retry') navigate(launchPath(res.launch.id));
      else onDone();
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
          {action === 'amend' ? (
            <>
              <label htmlFor="amend-version">
                Plan version to run from now on (newer than v{planVersion}; upload it first)
              </label>
              <input
                id="amend-version"
                name="version"
                type="number"
                min={planVersion + 1}
                required
                value={version}
                onChange={(e) => setVersion(e.target.value)}
              />
            </>
          ) : null}
          <label htmlFor="operator-reason">
            Why {VERB[action]}? The reason is recorded in the audit log.
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
              disabled={
                busy || reason.trim() === '' || (action === 'amend' && version.trim() === '')
              }
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
