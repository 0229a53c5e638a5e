/**
 * Every launch: where it stands (the server's standing: state, health and the
 * sentence saying why, as on the launch page and in the CLI), plan, phase,
 * share, pending sign-offs and time in phase. The live stream announces
 * changes; the rows are refetched when any launch's seq moves, so nothing
 * needs a reload.
 */
import type { LaunchStatus } from '@threshold/core';
import type { LaunchOverview } from '../api/api-types.js';
import { useLaunchStream } from '../app/launch-stream.js';
import { Link, launchPath, planPath } from '../app/router.js';
import { useApi } from '../app/use-api.js';
import { useNow } from '../app/use-now.js';
import { useThrottled } from '../app/use-throttled.js';
import { ErrorNote } from '../components/error-note.js';
import { EnvironmentPicker, usePickedEnvironment } from '../components/environment-picker.js';
import { HealthBadge, StandingBadge } from '../components/standing-badge.js';
import { formatShare, humanDuration, toMs } from '../format/numbers.js';

const ORDER: Record<LaunchStatus, number> = {
  running: 0,
  paused: 1,
  'rolled-back': 2,
  completed: 3,
};

export function LaunchesPage() {
  const stream = useLaunchStream();
  const version = useThrottled(
    [...stream.launches.values()].map((l) => `${l.id}:${l.seq}`).join(','),
    1000,
  );
  const loaded = useApi<{ launches: LaunchOverview[] }>('/api/v1/dashboard/launches', version);
  const now = useNow();
  // Each row as the server last described it, whole: mixing the stream's newer phase into an
  // older standing would show a row that contradicts itself (the stream only triggers the refetch).
  const environment = usePickedEnvironment();
  const rows = [...(loaded.data?.launches ?? [])]
    .filter((l) => environment === null || l.environment === environment)
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.localeCompare(a.createdAt));
  return (
    <section>
      <h1>Launches</h1>
      <div className="toolbar">
        <EnvironmentPicker />{' '}
        <Link to="/plans" className="muted">
          Start a launch from a plan…
        </Link>
      </div>
      {loaded.state === 'error' ? <ErrorNote error={loaded.error} /> : null}
      {loaded.state === 'loading' && loaded.data === undefined ? <p>Loading…</p> : null}
      {loaded.data !== undefined && rows.length === 0 ? (
        <p className="empty">
          No launches{environment === null ? '' : ` in ${environment}`} yet. Upload a plan and start
          one from its page, or with <code>npx threshold launch start</code>.
        </p>
      ) : null}
      {rows.length > 0 ? (
        <table className="launches">
          <thead>
            <tr>
              <th>Launch</th>
              <th>Plan</th>
              <th>Environment</th>
              <th>State</th>
              <th>Phase</th>
              <th className="num">Share</th>
              <th>Health</th>
              <th>Pending sign-offs</th>
              <th className="num">Time in phase</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((l) => {
              const ended = l.status === 'rolled-back' || l.status === 'completed';
              return (
                <tr key={l.id} data-launch={l.id}>
                  <td>
                    <Link to={launchPath(l.id)}>{l.id}</Link>
                    <div className="muted small" data-status-line>
                      {l.standing.sentence}
                    </div>
                  </td>
                  <td>
                    <Link to={planPath(l.plan, l.planVersion)}>
                      {l.plan}@{l.planVersion}
                    </Link>
                  </td>
                  <td data-environment>{l.environment}</td>
                  <td>
                    <StandingBadge standing={l.standing} />
                  </td>
                  <td>
                    {l.phase === '' ? '(before start)' : l.phase}{' '}
                    <span className="muted">
                      ({l.phaseIndex + 1}/{l.phases})
                    </span>
                  </td>
                  <td className="num">{formatShare(l.share)}</td>
                  <td>
                    <HealthBadge standing={l.standing} />
                  </td>
                  <td>
                    {l.pendingSignoffs.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      l.pendingSignoffs.map((s) => (
                        <span key={`${s.phase}:${s.role}`} className="chip">
                          {s.role} ×{s.missing} <span className="muted">for {s.phase}</span>
                        </span>
                      ))
                    )}
                  </td>
                  <td className="num">
                    {ended ? (
                      <span className="muted">ended</span>
                    ) : (
                      humanDuration(now - toMs(l.phaseStartedAt))
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
