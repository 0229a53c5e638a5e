/**
 * Upload a plan version from the dashboard (operators): the YAML or JSON text,
 * checked by the server as `threshold validate` checks it; every problem is
 * listed with its line and column. An identical text reuses the stored version.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import { navigate, planPath } from '../app/router.js';
import { canOperate, useSession } from '../app/session-context.js';
import { ErrorNote } from './error-note.js';

interface PlanProblem {
  line?: number;
  column?: number;
  path?: string;
  message?: string;
}

export function PlanUpload() {
  const { api, who } = useSession();
  const [source, setSource] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!canOperate(who)) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const json = source.trimStart().startsWith('{');
      const res = await api.post<{ name: string; version: number }>(
        '/api/v1/plans',
        source,
        json ? 'application/json' : 'application/yaml',
      );
      setSource('');
      navigate(planPath(res.name, res.version));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };
  const problems = (error?.details['errors'] ?? []) as PlanProblem[];
  return (
    <form className="plan-upload" onSubmit={(e) => void submit(e)}>
      <label htmlFor="plan-source">Upload a plan version (YAML or JSON)</label>
      <textarea
        id="plan-source"
        name="source"
        rows={8}
        spellCheck={false}
        value={source}
        onChange={(e) => setSource(e.target.value)}
      />
      <div className="buttons">
        <button type="submit" disabled={busy || source.trim() === ''}>
          Upload plan
        </button>
      </div>
      {error === null ? null : <ErrorNote error={error} />}
      {problems.length === 0 ? null : (
        <ul className="plan-problems">
          {problems.map((p, i) => (
            <li key={i}>
              {p.line === undefined ? '' : `${p.line}:${p.column ?? 1}: `}
              {p.path === undefined || p.path === '' ? '' : `${p.path}: `}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
