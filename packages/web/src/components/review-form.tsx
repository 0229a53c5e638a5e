/**
 * The post-launch review, for operator tokens once a launch has ended: what
 * happened, which risks of the plan's register materialized, and follow-ups
 * with owners. It goes into the launch log and the audit chain; writing again
 * amends (the newest review counts, every one stays in the record).
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import type { LaunchReviewView } from '../api/api-types.js';
import { useSession } from '../app/session-context.js';
import { ErrorNote } from './error-note.js';

interface FollowUp {
  what: string;
  owner: string;
}

export function ReviewForm({
  launchId,
  risks,
  previous,
  onSaved,
}: {
  launchId: string;
  risks: readonly { id: string; title: string }[];
  previous: LaunchReviewView | null;
  onSaved: () => void;
}) {
  const { api } = useSession();
  const [outcome, setOutcome] = useState(previous?.outcome ?? '');
  const [materialized, setMaterialized] = useState<string[]>(previous?.materialized ?? []);
  const [followUps, setFollowUps] = useState<FollowUp[]>(
    previous?.followUps.map((f) => ({ what: f.what, owner: f.owner })) ?? [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/launches/${encodeURIComponent(launchId)}/review`, {
        outcome: outcome.trim(),
        materialized,
        followUps: followUps.filter((f) => f.what.trim() !== '' || f.owner.trim() !== ''),
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };
  const setFollowUp = (i: number, change: Partial<FollowUp>) =>
    setFollowUps((all) => all.map((f, j) => (j === i ? { ...f, ...change } : f)));

  return (
    <form className="review-form no-print" onSubmit={(e) => void submit(e)} aria-label="Review">
      <h2>{previous === null ? 'Write the review' : 'Amend the review'}</h2>
      <label htmlFor="review-outcome">What happened?</label>
      <textarea
        id="review-outcome"
        name="outcome"
        required
        rows={3}
        value={outcome}
        onChange={(e) => setOutcome(e.target.value)}
      />
      {risks.length > 0 && (
        <fieldset>
          <legend>Risks of the register that materialized</legend>
          {risks.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                name="materialized"
                value={r.id}
                checked={materialized.includes(r.id)}
                onChange={(e) =>
                  setMaterialized((m) =>
                    e.target.checked ? [...m, r.id] : m.filter((x) => x !== r.id),
                  )
                }
              />{' '}
              {r.id} {r.title}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>Follow-ups</legend>
        {followUps.map((f, i) => (
          <div key={i} className="follow-up">
            <input
              aria-label={`Follow-up ${i + 1}`}
              placeholder="What"
              value={f.what}
              onChange={(e) => setFollowUp(i, { what: e.target.value })}
            />
            <input
              aria-label={`Owner of follow-up ${i + 1}`}
              placeholder="Owner"
              value={f.owner}
              onChange={(e) => setFollowUp(i, { owner: e.target.value })}
            />
          </div>
        ))}
        <button
          type="button"
          className="link-button"
          onClick={() => setFollowUps((all) => [...all, { what: '', owner: '' }])}
        >
          Add a follow-up
        </button>
      </fieldset>
      <div className="buttons">
        <button type="submit" disabled={busy || outcome.trim() === ''}>
          Record the review
        </button>
        {saved && <span role="status">Recorded in the launch log and the audit chain.</span>}
      </div>
      {error === null ? null : <ErrorNote error={error} />}
    </form>
  );
}
