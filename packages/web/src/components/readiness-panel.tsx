/**
 * The readiness checklist: each check, its owner, whether it blocks a start,
 * and who attested it until when (an expired attestation shows as expired);
 * holders of the owner's approver role attest a check here with a note, an
 * optional link and an optional expiry.
 */
import { describeAutomatedCheck } from '@threshold/core';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import type { ReadinessCheckView } from '../api/api-types.js';
import { approverRoles, useSession } from '../app/session-context.js';
import { clockTime } from '../format/numbers.js';
import { ErrorNote } from './error-note.js';

const STATUS_WORDS: Record<ReadinessCheckView['status'], string> = {
  attested: 'attested',
  expired: 'expired',
  missing: 'not attested',
  automated: 'checked at the start and every look',
};

export function ReadinessPanel({
  planName,
  checks,
  onDone,
}: {
  planName: string;
  checks: readonly ReadinessCheckView[];
  onDone: () => void;
}) {
  const { api, who } = useSession();
  const roles = approverRoles(who);
  const mine = checks.filter((c) => roles.includes(c.owner) && c.status !== 'automated');
  const [check, setCheck] = useState(mine[0]?.check ?? '');
  const [note, setNote] = useState('');
  const [link, setLink] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (checks.length === 0) return <p className="muted">The plan has no readiness checklist.</p>;

  const attest = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/plans/${encodeURIComponent(planName)}/readiness`, {
        check: check || mine[0]?.check,
        note,
        ...(link.trim() === '' ? {} : { link: link.trim() }),
        // datetime-local is the browser's local time; the API takes an instant.
        ...(until === '' ? {} : { expiresAt: new Date(until).toISOString() }),
      });
      setDone(`Attested "${check || mine[0]?.check}".`);
      setNote('');
      setLink('');
      setUntil('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="readiness-panel">
      <table>
        <thead>
          <tr>
            <th>Check</th>
            <th>Owner</th>
            <th>Status</th>
            <th>Attested by</th>
            <th>Note</th>
            <th>Until</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => (
            <tr key={c.check} data-status={c.status}>
              <td>
                {c.check}
                {c.blocking ? null : <span className="muted"> (advisory)</span>}
              </td>
              <td>{c.owner}</td>
              <td>{STATUS_WORDS[c.status]}</td>
              <td>
                {c.attestation === null
                  ? '–'
                  : `${c.attestation.actor}${c.attestation.subject === null ? '' : ` (${c.attestation.subject})`} at ${clockTime(c.attestation.at)}`}
              </td>
              <td>
                {c.status === 'automated'
                  ? `${describeAutomatedCheck({ probe: c.probe, query: c.query, ci: c.ci === null ? null : { max_age: c.ci.maxAgeMs } }) ?? ''}${c.result === null ? '' : ` — CI posted ${c.result.passed ? 'passed' : 'failed'}${c.result.commit === null ? '' : ` for ${c.result.commit}`} at ${clockTime(c.result.at)}`}`
                  : c.attestation === null
                    ? (c.evidence ?? '–')
                    : c.attestation.note}
                {c.attestation?.link == null ? null : (
                  <>
                    {' '}
                    <a href={c.attestation.link} rel="noreferrer noopener" target="_blank">
                      evidence
                    </a>
                  </>
                )}
              </td>
              <td>{c.attestation === null ? '–' : clockTime(c.attestation.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mine.length === 0 ? null : (
        <form className="attest-form" onSubmit={(e) => void attest(e)}>
          <label htmlFor="attest-check">Check to attest</label>
          <select id="attest-check" value={check} onChange={(e) => setCheck(e.target.value)}>
            {mine.map((c) => (
              <option key={c.check} value={c.check}>
                {c.check}
              </option>
            ))}
          </select>
          <label htmlFor="attest-note">What shows it is done</label>
          <input
            id="attest-note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. load test run 4812 passed"
          />
          <label htmlFor="attest-link">Link to the evidence (optional)</label>
          <input
            id="attest-link"
            type="url"
            value={link}
            onChange={(e) => setLink(e.target.value)}
            placeholder="https://…"
          />
          <label htmlFor="attest-until">Holds until (optional; default a week)</label>
          <input
            id="attest-until"
            type="datetime-local"
            value={until}
            onChange={(e) => setUntil(e.target.value)}
          />
          <button type="submit" disabled={busy || note.trim() === ''}>
            Attest
          </button>
        </form>
      )}
      {done === null ? null : <p role="status">{done}</p>}
      {error === null ? null : <ErrorNote error={error} />}
    </div>
  );
}
