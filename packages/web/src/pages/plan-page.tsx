/**
 * One plan: its versions, a diff between any two, the explain view of the
 * chosen version, and its risk register as a heat map. The chosen versions live
 * in the query string, so a diff can be linked.
 */
import { useState } from 'react';
import type { PlanVersionMeta, PlanVersionView, ReadinessCheckView } from '../api/api-types.js';
import { ReadinessPanel } from '../components/readiness-panel.js';
import { replaceQuery, useLocation } from '../app/router.js';
import { useApi } from '../app/use-api.js';
import { ErrorNote } from '../components/error-note.js';
import { PlanDiff } from '../components/plan-diff.js';
import { PlanExplain } from '../components/plan-explain.js';
import { RiskHeatMap } from '../components/risk-heat-map.js';
import { StartLaunch } from '../components/start-launch.js';
import { clockTime } from '../format/numbers.js';

const versionPath = (name: string, v: number) =>
  `/api/v1/plans/${encodeURIComponent(name)}/versions/${v}`;

export function PlanPage({ name }: { name: string }) {
  const { query } = useLocation();
  const list = useApi<{ name: string; versions: PlanVersionMeta[] }>(
    `/api/v1/plans/${encodeURIComponent(name)}/versions`,
  );
  const versions = list.data?.versions ?? [];
  const latest = versions[versions.length - 1]?.version;
  const chosen = Number(query.get('version') ?? latest ?? 0) || latest;
  const compare = Number(query.get('compare') ?? 0) || undefined;
  const current = useApi<PlanVersionView>(chosen === undefined ? null : versionPath(name, chosen));
  const other = useApi<PlanVersionView>(compare === undefined ? null : versionPath(name, compare));
  const [attested, setAttested] = useState(0);
  const readiness = useApi<{ version: number; checks: ReadinessCheckView[] }>(
    `/api/v1/plans/${encodeURIComponent(name)}/readiness`,
    attested,
  );

  const set = (key: string, value: number | undefined) => {
    const q = new URLSearchParams(query);
    if (value === undefined) q.delete(key);
    else q.set(key, String(value));
    replaceQuery(q);
  };

  return (
    <section className="plan-page">
      <h1>Plan {name}</h1>
      {list.state === 'error' ? <ErrorNote error={list.error} /> : null}
      <h2>Versions</h2>
      <table className="versions">
        <thead>
          <tr>
            <th className="num">Version</th>
            <th>Uploaded</th>
            <th>By</th>
            <th>Source hash</th>
            <th>Show</th>
            <th>Compare with shown</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} aria-current={v.version === chosen ? 'true' : undefined}>
              <td className="num">v{v.version}</td>
              <td>{clockTime(v.createdAt)}</td>
              <td>{v.createdBy}</td>
              <td>
                <code>{v.sourceHash.slice(0, 12)}</code>
              </td>
              <td>
                {v.version === chosen ? (
                  <strong>shown</strong>
                ) : (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => set('version', v.version)}
                  >
                    show v{v.version}
                  </button>
                )}
              </td>
              <td>
                {v.version === chosen ? null : (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => set('compare', compare === v.version ? undefined : v.version)}
                  >
                    {compare === v.version ? 'hide diff' : `diff v${v.version} → v${chosen ?? ''}`}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {compare !== undefined && other.data !== undefined && current.data !== undefined ? (
        <>
          <h2>
            Diff v{compare} → v{chosen}
          </h2>
          <PlanDiff
            before={other.data.source}
            after={current.data.source}
            beforeLabel={`v${compare}`}
            afterLabel={`v${chosen ?? ''}`}
          />
        </>
      ) : null}

      {current.state === 'error' ? <ErrorNote error={current.error} /> : null}
      {current.data === undefined ? null : (
        <>
          <h2>Start a launch of v{current.data.version}</h2>
          <StartLaunch plan={name} version={current.data.version} />
          <h2>What v{current.data.version} will do</h2>
          <PlanExplain plan={current.data.plan} />
          <h2>Risk register</h2>
          <RiskHeatMap risks={current.data.plan.risks} />
          {readiness.data === undefined ? null : (
            <>
              <h2>Readiness of v{readiness.data.version}</h2>
              <ReadinessPanel
                planName={name}
                checks={readiness.data.checks}
                onDone={() => setAttested((n) => n + 1)}
              />
            </>
          )}
          <details>
            <summary>
              Source of v{current.data.version} ({current.data.format})
            </summary>
            <pre className="source">{current.data.source}</pre>
          </details>
        </>
      )}
    </section>
  );
}
