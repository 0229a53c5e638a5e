/**
 * The portfolio: every launch's outcome and timings by team, plan and time,
 * from GET /api/v1/portfolio (each launch's numbers come from its own log on
 * the server). Trends are drawn by core's trendChartSvg, as plain SVG.
 */
import { formatShare, trendChartSvg } from '@threshold/core';
import type * as Api from '../api/api-schema.js';
import { useLaunchStream } from '../app/launch-stream.js';
import { Link, launchPath, replaceQuery, reportPath, useLocation } from '../app/router.js';
import { useApi } from '../app/use-api.js';
import { useThrottled } from '../app/use-throttled.js';
import { ErrorNote } from '../components/error-note.js';
import { humanDuration } from '../format/numbers.js';

type Stats = Api.PortfolioStats;

const ms = (v: number | null) => (v === null ? '–' : humanDuration(v));
const rate = (v: number | null) => (v === null ? '–' : formatShare(v));

function StatCells({ s }: { s: Stats }) {
  return (
    <>
      <td className="num">{s.launches}</td>
      <td className="num">{s.rolledBack}</td>
      <td className="num" data-rollback-rate>
        {rate(s.rollbackRate)}
      </td>
      <td className="num">{ms(s.medianTimeToRestoreMs)}</td>
      <td className="num">{s.unitsExposedAtRollback.toLocaleString('en')}</td>
      <td className="num">{ms(s.medianTimeToFullMs)}</td>
      <td className="num">{ms(s.medianSignoffWaitMs)}</td>
      <td className="num" data-rehearsal-accuracy>
        {rate(s.rehearsalAccuracy)}
      </td>
    </>
  );
}

const STAT_HEADS = [
  'Launches',
  'Rolled back',
  'Rollback rate',
  'Median time to restore',
  'Units exposed at rollback',
  'Median time to 100%',
  'Median sign-off wait',
  'Rehearsal predicted',
];

function Trend({ title, svg }: { title: string; svg: string }) {
  return (
    <figure className="trend-chart" data-trend={title}>
      {/* Core's own SVG: every value in it is escaped there. */}
      <div dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>{title}</figcaption>
    </figure>
  );
}

export function PortfolioPage() {
  const { query } = useLocation();
  const stream = useLaunchStream();
  const version = useThrottled(
    [...stream.launches.values()].map((l) => `${l.id}:${l.seq}`).join(','),
    2000,
  );
  const params = new URLSearchParams();
  for (const k of ['team', 'plan', 'bucket', 'since', 'until']) {
    const v = query.get(k);
    if (v !== null && v !== '') params.set(k, v);
  }
  const q = params.toString();
  const loaded = useApi<Api.PortfolioAnswer>(
    `/api/v1/portfolio${q === '' ? '' : `?${q}`}`,
    version,
  );
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value === '') next.delete(key);
    else next.set(key, value);
    replaceQuery(next);
  };
  const p = loaded.data;
  const label = (start: string) => start.slice(0, 10);
  return (
    <section className="portfolio">
      <h1>Portfolio</h1>
      {loaded.state === 'error' ? <ErrorNote error={loaded.error} /> : null}
      {p === undefined ? (
        <p>Loading…</p>
      ) : (
        <>
          <form className="filters no-print" onSubmit={(e) => e.preventDefault()}>
            <label>
              Team{' '}
              <select
                value={query.get('team') ?? ''}
                onChange={(e) => setFilter('team', e.target.value)}
              >
                <option value="">all</option>
                {p.teams.map((t) => (
                  <option key={t.team}>{t.team}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              Plan{' '}
              <select
                value={query.get('plan') ?? ''}
                onChange={(e) => setFilter('plan', e.target.value)}
              >
                <option value="">all</option>
                {p.plans.map((x) => (
                  <option key={x.plan}>{x.plan}</option>
                ))}
              </select>
            </label>{' '}
            <label>
              From{' '}
              <input
                type="date"
                value={query.get('since') ?? ''}
                onChange={(e) => setFilter('since', e.target.value)}
              />
            </label>{' '}
            <label>
              Until{' '}
              <input
                type="date"
                value={query.get('until') ?? ''}
                onChange={(e) => setFilter('until', e.target.value)}
              />
            </label>{' '}
            <label>
              By{' '}
              <select
                value={query.get('bucket') ?? 'day'}
                onChange={(e) => setFilter('bucket', e.target.value)}
              >
                <option value="day">day</option>
                <option value="week">week</option>
              </select>
            </label>
          </form>
          <table className="portfolio-table" data-portfolio="overall">
            <thead>
              <tr>
                <th>Group</th>
                {STAT_HEADS.map((h) => (
                  <th key={h} className="num">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr data-group="all">
                <th>All</th>
                <StatCells s={p.overall} />
              </tr>
              {p.teams.map((t) => (
                <tr key={`team:${t.team}`} data-group={`team:${t.team}`}>
                  <th>team {t.team}</th>
                  <StatCells s={t} />
                </tr>
              ))}
              {p.plans.map((x) => (
                <tr key={`plan:${x.plan}`} data-group={`plan:${x.plan}`}>
                  <th>plan {x.plan}</th>
                  <StatCells s={x} />
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Time to restore runs from the regression's onset (the first look whose estimate was past
            a margin, or the first breach) to the rollback at 0%. {p.rehearsals}
          </p>
          <h2>Trends</h2>
          <div className="trends">
            <Trend
              title="Launches"
              svg={trendChartSvg(
                'Launches per bucket',
                p.trend.map((b) => ({ label: label(b.start), value: b.launches })),
                (v) => String(Math.round(v)),
              )}
            />
            <Trend
              title="Rollback rate"
              svg={trendChartSvg(
                'Rollback rate',
                p.trend.map((b) => ({ label: label(b.start), value: b.rollbackRate })),
                (v) => formatShare(v),
              )}
            />
            <Trend
              title="Median time to restore"
              svg={trendChartSvg(
                'Median time to restore',
                p.trend.map((b) => ({ label: label(b.start), value: b.medianTimeToRestoreMs })),
                (v) => humanDuration(v),
              )}
            />
            <Trend
              title="Median time to 100%"
              svg={trendChartSvg(
                'Median time to 100%',
                p.trend.map((b) => ({ label: label(b.start), value: b.medianTimeToFullMs })),
                (v) => humanDuration(v),
              )}
            />
          </div>
          <h2>Launches</h2>
          <table className="portfolio-launches">
            <thead>
              <tr>
                <th>Launch</th>
                <th>Team</th>
                <th>Outcome</th>
                <th className="num">Time to 100%</th>
                <th className="num">Time to restore</th>
                <th className="num">Units at rollback</th>
                <th className="num">Sign-off wait</th>
                <th>Rehearsal predicted</th>
                <th>Report</th>
              </tr>
            </thead>
            <tbody>
              {p.launches.map((l) => (
                <tr key={l.id} data-launch={l.id}>
                  <td>
                    <Link to={launchPath(l.id)}>{l.id}</Link>
                  </td>
                  <td>{l.team}</td>
                  <td data-outcome>{l.status}</td>
                  <td className="num">{ms(l.timeToFullMs)}</td>
                  <td className="num">{ms(l.timeToRestoreMs)}</td>
                  <td className="num">{l.unitsAtRollback === null ? '–' : l.unitsAtRollback}</td>
                  <td className="num">{ms(l.signoffWaitMs)}</td>
                  <td data-rehearsal-predicted>
                    {l.rehearsalPredicted === null
                      ? 'unknown'
                      : l.rehearsalPredicted
                        ? 'yes'
                        : 'no'}
                  </td>
                  <td>
                    <Link to={reportPath(l.id)}>report</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
