/**
 * A rehearsal report for people: the findings first (what to fix), then the
 * clean replay (false alarms against the budget, time to 100%), the power curves,
 * each injected regression, and the smallest regression each phase can detect.
 */
import type { Finding, RateEstimate, RehearsalReport } from '@threshold/core';
import { PowerCurveChart } from '../charts/power-curve-chart.js';
import { formatDifference, formatShare, formatValue, humanDuration } from '../format/numbers.js';

const SEVERITY: Record<Finding['severity'], { symbol: string; word: string }> = {
  problem: { symbol: '✕', word: 'problem' },
  warning: { symbol: '!', word: 'warning' },
  info: { symbol: 'i', word: 'note' },
};

function rate(r: RateEstimate): string {
  return `${formatValue(r.rate * 100)}% (${formatValue(r.low * 100)}–${formatValue(r.high * 100)}%, ${r.count} of ${r.runs})`;
}

const time = (ms: number | null) => (ms === null ? '—' : humanDuration(ms));

export function RehearsalReportView({ report }: { report: RehearsalReport }) {
  const c = report.clean;
  return (
    <div className="rehearsal-report">
      <h2>Findings</h2>
      {report.findings.length === 0 ? (
        <p>No findings: the plan catches what it was asked to catch.</p>
      ) : (
        <ul className="findings">
          {report.findings.map((f, i) => (
            <li key={i} className={`finding finding-${f.severity}`} data-severity={f.severity}>
              <span className="finding-shape" aria-hidden="true">
                {SEVERITY[f.severity].symbol}
              </span>{' '}
              <strong>{SEVERITY[f.severity].word}</strong> {f.text}
            </li>
          ))}
        </ul>
      )}

      <h2>Clean replay (nothing wrong)</h2>
      <dl className="facts">
        <dt>Simulated launches</dt>
        <dd>
          {c.runs} through {report.history.kind === 'history' ? 'the history' : 'synthetic traffic'}{' '}
          ({formatValue(report.history.unitsPerMinute.mean)} units/min on average)
        </dd>
        <dt>False alarms</dt>
        <dd>
          {rate(c.falseAlarm)}{' '}
          <span className="muted">against a budget of {formatShare(c.budget)}</span>
        </dd>
        <dt>False rollbacks</dt>
        <dd>{rate(c.falseRollback)}</dd>
        <dt>False pauses</dt>
        <dd>{rate(c.falsePause)}</dd>
        <dt>Reached 100%</dt>
        <dd>
          {rate(c.reachedFull)}; time to 100%: median {time(c.timeToFull.medianMs)}, 90th percentile{' '}
          {time(c.timeToFull.p90Ms)}
        </dd>
        <dt>Completed</dt>
        <dd>
          median {time(c.timeToComplete.medianMs)}, 90th percentile {time(c.timeToComplete.p90Ms)}
        </dd>
      </dl>
      <table>
        <thead>
          <tr>
            <th>Phase</th>
            <th>Entered</th>
            <th>Time in phase (median / p90)</th>
            <th>Minimum</th>
            <th>What held it after its minimum</th>
          </tr>
        </thead>
        <tbody>
          {c.phases.map((p) => (
            <tr key={p.phase}>
              <td>{p.phase}</td>
              <td>{formatValue(p.entered.rate * 100)}%</td>
              <td>
                {time(p.time.medianMs)} / {time(p.time.p90Ms)}
              </td>
              <td>{time(p.minDurationMs)}</td>
              <td>
                {p.waits.length === 0
                  ? '—'
                  : p.waits.map((w) => `${w.condition} ${formatValue(w.share * 100)}%`).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {report.powerCurves.length === 0 ? null : (
        <>
          <h2>Power curves</h2>
          <div className="charts">
            {report.powerCurves.map((curve) => (
              <PowerCurveChart
                key={`${curve.kpi}:${curve.fromPhase ?? ''}:${curve.relative}`}
                curve={curve}
              />
            ))}
          </div>
        </>
      )}

      {report.injections.length === 0 ? null : (
        <>
          <h2>Injected regressions</h2>
          <table className="injections">
            <thead>
              <tr>
                <th>Regression</th>
                <th>Caught</th>
                <th>Where</th>
                <th>Time to detect (median / p90)</th>
                <th>Units exposed before a stop (median / p90)</th>
                <th>Shipped anyway</th>
              </tr>
            </thead>
            <tbody>
              {report.injections.map((inj) => (
                <tr key={inj.label} data-injection={inj.label}>
                  <td>
                    <code>{inj.label}</code>
                  </td>
                  <td>{rate(inj.caught)}</td>
                  <td>
                    {inj.byPhase
                      .filter((p) => p.caught.count > 0)
                      .map((p) => `${p.phase} ${formatValue(p.caught.rate * 100)}%`)
                      .join(', ') || '—'}
                  </td>
                  <td>
                    {time(inj.timeToDetect.medianMs)} / {time(inj.timeToDetect.p90Ms)}
                  </td>
                  <td>
                    {inj.unitsBeforeStop.median === null
                      ? '—'
                      : `${formatValue(inj.unitsBeforeStop.median)} / ${formatValue(inj.unitsBeforeStop.p90 ?? 0)}`}
                  </td>
                  <td>{formatValue(inj.shipped.rate * 100)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Smallest detectable regression per phase</h2>
      <table>
        <thead>
          <tr>
            <th>Phase</th>
            <th>Units per arm in its minimum</th>
            {report.plan.kpis.map((k) => (
              <th key={k.name}>{k.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.detectableEffects.map((p) => (
            <tr key={p.phase}>
              <td>
                {p.phase}{' '}
                <span className="muted small">
                  {formatShare(p.traffic)} for {time(p.minDurationMs)}
                </span>
              </td>
              <td>{formatValue(p.unitsPerArm)}</td>
              {report.plan.kpis.map((k) => {
                const m = p.kpis.find((x) => x.kpi === k.name);
                return (
                  <td key={k.name}>
                    {m === undefined ? (
                      '—'
                    ) : m.mde === null ? (
                      <span className="muted">{m.note ?? 'n/a'}</span>
                    ) : (
                      formatDifference(m.mde, m.relative)
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>

      <details>
        <summary>Assumptions of this rehearsal</summary>
        <ul>
          {report.assumptions.map((a, i) => (
            <li key={i}>{a}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}
