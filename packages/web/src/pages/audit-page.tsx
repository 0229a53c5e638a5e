/**
 * The audit log, newest first, filterable by action, subject and actor, with the
 * hash chain's verification status. Action and subject filter on the server
 * (exact match, as the API offers); the free-text box narrows what is loaded.
 */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import type { AuditEntry, AuditVerification } from '../api/api-types.js';
import { replaceQuery, useLocation } from '../app/router.js';
import { useSession } from '../app/session-context.js';
import { useApi } from '../app/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { clockTime } from '../format/numbers.js';

const PAGE = 1000;
const MAX_PAGES = 20;

function useAudit(action: string, subject: string, refresh: number) {
  const { api } = useSession();
  const [state, setState] = useState<{
    entries: AuditEntry[] | null;
    truncated: boolean;
    error: ApiError | null;
  }>({ entries: null, truncated: false, error: null });
  useEffect(() => {
    let live = true;
    void (async () => {
      const entries: AuditEntry[] = [];
      let after: number | null = 0;
      let pages = 0;
      try {
        while (after !== null && pages < MAX_PAGES) {
          const q = new URLSearchParams({ limit: String(PAGE), after: String(after) });
          if (action !== '') q.set('action', action);
          if (subject !== '') q.set('subject', subject);
          const page: { entries: AuditEntry[]; next: number | null } = await api.get(
            `/api/v1/audit?${q.toString()}`,
          );
          entries.push(...page.entries);
          after = page.next;
          pages++;
        }
        if (live) setState({ entries: entries.reverse(), truncated: after !== null, error: null });
      } catch (err) {
        if (live) {
          setState({
            entries: null,
            truncated: false,
            error: err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)),
          });
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [api, action, subject, refresh]);
  return state;
}

export function AuditPage() {
  const { query } = useLocation();
  const action = query.get('action') ?? '';
  const subject = query.get('subject') ?? '';
  const text = query.get('q') ?? '';
  const [refresh, setRefresh] = useState(0);
  const audit = useAudit(action, subject, refresh);
  const verify = useApi<AuditVerification>('/api/v1/audit/verify', refresh);
  const [draft, setDraft] = useState({ action, subject, text });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (draft.action.trim() !== '') q.set('action', draft.action.trim());
    if (draft.subject.trim() !== '') q.set('subject', draft.subject.trim());
    if (draft.text.trim() !== '') q.set('q', draft.text.trim());
    replaceQuery(q);
    setRefresh((n) => n + 1);
  };
  const needle = text.toLowerCase();
  const shown = (audit.entries ?? []).filter(
    (e) =>
      needle === '' ||
      `${e.actor} ${e.action} ${e.subject} ${JSON.stringify(e.data)}`
        .toLowerCase()
        .includes(needle),
  );

  return (
    <section>
      <h1>Audit log</h1>
      <ChainStatus verify={verify.data} error={verify.state === 'error' ? verify.error : null} />
      <form className="filters" onSubmit={apply}>
        <label>
          Action
          <input
            name="action"
            value={draft.action}
            placeholder="e.g. launch.paused"
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </label>
        <label>
          Subject
          <input
            name="subject"
            value={draft.subject}
            placeholder="e.g. launch:checkout-v2-…"
            onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
          />
        </label>
        <label>
          Contains
          <input
            name="q"
            value={draft.text}
            placeholder="actor, reason, anything"
            onChange={(e) => setDraft({ ...draft, text: e.target.value })}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      {audit.error === null ? null : <ErrorNote error={audit.error} />}
      {audit.entries === null && audit.error === null ? <p>Loading…</p> : null}
      {audit.entries !== null ? (
        <p className="muted">
          {shown.length} of {audit.entries.length} entries
          {audit.truncated ? ` (the oldest ${PAGE * MAX_PAGES} only; narrow the filter)` : ''}
        </p>
      ) : null}
      <table className="audit">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>When</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Subject</th>
            <th>What</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.seq} data-audit-action={e.action}>
              <td className="num">{e.seq}</td>
              <td>{clockTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <code>{e.subject}</code>
              </td>
              <td>
                <AuditData data={e.data} hash={e.hash} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ChainStatus({
  verify,
  error,
}: {
  verify: AuditVerification | undefined;
  error: ApiError | null;
}) {
  if (error !== null) return <ErrorNote error={error} />;
  if (verify === undefined) return <p className="chain">Verifying the hash chain…</p>;
  return verify.ok ? (
    <p className="chain chain-ok" data-chain="ok">
      <span aria-hidden="true">✓</span> Hash chain verified: all {verify.entries} entries are
      intact.
    </p>
  ) : (
    <p className="chain chain-broken" data-chain="broken" role="alert">
      <span aria-hidden="true">✕</span> Hash chain BROKEN at entry #{verify.firstBroken?.seq}:{' '}
      {verify.firstBroken?.reason}. Entries from there on cannot be trusted.
    </p>
  );
}

/** The entry's data: its reason first (what people look for), the rest on demand. */
function AuditData({ data, hash }: { data: unknown; hash: string }) {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  // Controller and operator decisions carry their reason inside the decision.
  const decision =
    typeof record.decision === 'object' && record.decision !== null
      ? (record.decision as Record<string, unknown>)
      : {};
  const reason =
    typeof record.reason === 'string'
      ? record.reason
      : typeof decision.reason === 'string'
        ? decision.reason
        : undefined;
  const comment =
    typeof record.comment === 'string' && record.comment !== '' ? record.comment : undefined;
  return (
    <div>
      {reason === undefined ? null : <div>{reason}</div>}
      {comment === undefined ? null : <div>“{comment}”</div>}
      <details>
        <summary className="muted small">data and hash</summary>
        <pre>{JSON.stringify(data, null, 2)}</pre>
        <div className="muted small">hash {hash}</div>
      </details>
    </div>
  );
}
