/** Every plan with its latest version. */
import type { PlanListEntry } from '../api/api-types.js';
import { Link, planPath } from '../app/router.js';
import { useApi } from '../app/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { PlanUpload } from '../components/plan-upload.js';
import { clockTime } from '../format/numbers.js';

export function PlansPage() {
  const loaded = useApi<{ plans: PlanListEntry[] }>('/api/v1/plans');
  return (
    <section>
      <h1>Plans</h1>
      <PlanUpload />
      {loaded.state === 'error' ? <ErrorNote error={loaded.error} /> : null}
      {loaded.data === undefined ? (
        loaded.state === 'loading' ? (
          <p>Loading…</p>
        ) : null
      ) : loaded.data.plans.length === 0 ? (
        <p className="empty">
          No plans yet. Upload one above, or start one with{' '}
          <code>npx threshold launch start plan.yaml</code>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Plan</th>
              <th className="num">Latest version</th>
              <th className="num">Versions</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.plans.map((p) => (
              <tr key={p.name}>
                <td>
                  <Link to={planPath(p.name)}>{p.name}</Link>
                </td>
                <td className="num">{p.latestVersion}</td>
                <td className="num">{p.versions}</td>
                <td>{clockTime(p.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
