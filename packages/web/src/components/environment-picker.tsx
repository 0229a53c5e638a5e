/**
 * The environments this server defines, for a picker: the choice is kept in
 * the query string (`?environment=staging`), so a filtered list can be linked.
 */
import { replaceQuery, useLocation } from '../app/router.js';
import { useApi } from '../app/use-api.js';

/** One environment as GET /api/v1/environments lists it. */
export interface EnvironmentView {
  name: string;
  open: boolean;
  closedReason: string | null;
  requires: { environment: string; bakeMs: number } | null;
}

/** The server's environments (production alone until more are configured). */
export function useEnvironments(): EnvironmentView[] {
  const loaded = useApi<{ environments: EnvironmentView[] }>('/api/v1/environments');
  return loaded.data?.environments ?? [];
}

/** The environment picked in the query string, or null for all. */
export function usePickedEnvironment(): string | null {
  return useLocation().query.get('environment');
}

/** A select of every environment (and "all"), bound to `?environment=`. */
export function EnvironmentPicker({ allowAll = true }: { allowAll?: boolean }) {
  const environments = useEnvironments();
  const { query } = useLocation();
  const picked = query.get('environment') ?? '';
  return (
    <label className="environment-picker">
      Environment{' '}
      <select
        name="environment"
        value={picked}
        onChange={(e) => {
          const q = new URLSearchParams(query);
          if (e.target.value === '') q.delete('environment');
          else q.set('environment', e.target.value);
          replaceQuery(q);
        }}
      >
        {allowAll ? <option value="">all environments</option> : null}
        {environments.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name}
            {e.open ? '' : ' (closed now)'}
          </option>
        ))}
      </select>
    </label>
  );
}
