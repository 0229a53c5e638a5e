/**
 * Start a launch of a plan version from the dashboard (operators), in a chosen
 * environment and optionally at a scheduled time. A refusal (readiness, a
 * live launch of the flag, the promotion policy, a freeze window) is shown as
 * the server words it; nothing was stored.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/api-client.js';
import { launchPath, navigate } from '../app/router.js';
import { canOperate, useSession } from '../app/session-context.js';
import { useEnvironments } from './environment-picker.js';
import { ErrorNote } from './error-note.js';

export function StartLaunch({ plan, version }: { plan: string; version: number }) {
  const { api, who } = useSession();
  const environments = useEnvironments();
  const [environment, setEnvironment] = useState('production');
  const [startAt, setStartAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!canOperate(who)) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ launch: { id: string } }>('/api/v1/launches', {
        plan,
        version,
        environment,
        ...(startAt === '' ? {} : { startAt: new Date(startAt).toISOString() }),
      });
      navigate(launchPath(res.launch.id));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="start-launch" onSubmit={(e) => void submit(e)}>
      <label>
        Environment{' '}
        <select
          name="environment"
          value={environment}
          onChange={(e) => setEnvironment(e.target.value)}
        >
          {(environments.length === 0 ? [{ name: 'production' }] : environments).map((env) => (
            <option key={env.name} value={env.name}>
              {env.name}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        Start at (optional){' '}
        <input
          type="datetime-local"
          name="startAt"
          value={startAt}
          onChange={(e) => setStartAt(e.target.value)}
        />
      </label>{' '}
      <button type="submit" disabled={busy}>
        Start v{version} in {environment}
      </button>
      {error === null ? null : <ErrorNote error={error} />}
    </form>
  );
}
