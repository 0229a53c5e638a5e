/**
 * One KPI over the launch's looks, in two charts on one time axis: treatment
 * against control, and their difference with its anytime-valid interval against
 * the margin, whose forbidden side is hatched. Phases are named spans with
 * boundaries at the decisions that moved the launch; a rollback, completion or
 * pause is a marked line. Okabe-Ito colours, and every series also differs by
 * dash and marker, so the charts read without colour.
 */
import { useMemo } from 'react';
import type { Guard, Plan } from '@threshold/core';
import { KPI_CATEGORIES } from '../format/plan-constants.js';
import type { DecisionEvent, LookRecord } from '../api/api-types.js';
import { chartEvents, kpiSeries, phaseSpans } from './kpi-series.js';
import type { KpiSeries } from './kpi-series.js';
import { LineChart } from './line-chart.js';
import type { SeriesSpec } from './line-chart.js';
import { clockLabel, timeDomain } from './time-axis.js';
import { formatReading, formatTick } from './value-axis.js';

export { kpiSeries };

const VERDICT_WORDS = {
  pass: '✓ pass',
  breach: '✕ breach',
  'insufficient-evidence': '? insufficient evidence',
} as const;

function guardOf(plan: Plan | undefined, kpi: string): Guard | undefined {
  if (plan === undefined) return undefined;
  for (const c of KPI_CATEGORIES) {
    const found = plan.kpis[c].find((k) => k.name === kpi);
    if (found !== undefined) return found.guard;
  }
  return undefined;
}

/** "15:42:21 · canary · ✕ breach · 285 treatment / 1,215 control units". */
function headingOf(s: KpiSeries, i: number): string {
  const look = s.looks[i];
  if (look === undefined) return '';
  const verdict = s.verdict[i];
  const units = s.units[i] ?? look.units;
  return [
    clockLabel(look.at, 'local'),
    look.phaseIndex < 0 ? 'before start' : look.phase,
    verdict === null || verdict === undefined ? null : VERDICT_WORDS[verdict],
    `${formatReading(units.treatment)} treatment / ${formatReading(units.control)} control units`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Hard limits of a guard as thresholds on the treatment chart. */
function limitSeries(guard: Guard | undefined, s: KpiSeries): SeriesSpec[] {
  const each = (v: number) => s.xs.map(() => v);
  if (guard !== undefined) {
    const out: SeriesSpec[] = [];
    if (guard.max !== undefined)
      out.push({
        kind: 'threshold',
        key: 'limit-max',
        label: `hard limit ≤ ${guard.max}`,
        role: 'limit',
        values: each(guard.max),
        beyond: 'above',
      });
    if (guard.min !== undefined)
      out.push({
        kind: 'threshold',
        key: 'limit-min',
        label: `hard limit ≥ ${guard.min}`,
        role: 'limit',
        values: each(guard.min),
        beyond: 'below',
      });
    return out;
  }
  // Without the plan, a limit KPI's threshold is a limit of unknown side.
  return !s.comparison && s.margin.some((v) => v !== null)
    ? [
        {
          kind: 'threshold',
          key: 'limit',
          label: 'limit',
          role: 'limit',
          values: s.margin,
          beyond: null,
        },
      ]
    : [];
}

export function KpiCharts({
  looks,
  kpi,
  decisions = [],
  plan,
}: {
  looks: readonly LookRecord[];
  kpi: string;
  /** The launch's decisions: exact phase boundaries, and rollback/complete/pause lines. */
  decisions?: readonly DecisionEvent[];
  /** The plan, for the KPI's hard limits. */
  plan?: Plan;
}) {
  const s = useMemo(() => kpiSeries(looks, kpi), [looks, kpi]);
  const guard = guardOf(plan, kpi);
  const view = useMemo(() => {
    const first = s.xs[0];
    if (first === undefined) return null;
    const events = chartEvents(decisions).filter((e) => e.at >= first);
    const advances = decisions.flatMap(({ decision: d }) =>
      d.type === 'advance' && d.at >= first ? [d.at] : [],
    );
    const domain = timeDomain([...s.xs, ...events.map((e) => e.at), ...advances]) ?? [first, first];
    // The plan names each phase's share: a look that rolled back or advanced is
    // recorded with the share it left the phase at.
    const phases = phaseSpans(s.looks, decisions, domain[1], (i) => plan?.phases[i]?.traffic);
    return { domain, events, phases };
  }, [s, decisions, plan]);

  const armsSeries = useMemo<SeriesSpec[]>(
    () => [
      ...(s.comparison || s.lo.every((v) => v === null)
        ? []
        : [
            {
              kind: 'band' as const,
              key: 'interval',
              label: 'interval of treatment',
              role: 'interval' as const,
              lo: s.lo,
              hi: s.hi,
            },
          ]),
      {
        kind: 'line',
        key: 'treatment',
        label: 'treatment',
        role: 'treatment',
        values: s.treatment,
      },
      { kind: 'line', key: 'control', label: 'control', role: 'control', values: s.control },
      ...limitSeries(guard, s),
    ],
    [s, guard],
  );
  const diffSeries = useMemo<SeriesSpec[]>(
    () => [
      {
        kind: 'band',
        key: 'interval',
        label: 'interval (anytime-valid)',
        role: 'interval',
        lo: s.lo,
        hi: s.hi,
      },
      {
        kind: 'line',
        key: 'difference',
        label: 'difference',
        role: 'difference',
        values: s.difference,
      },
      {
        kind: 'threshold',
        key: 'margin',
        label: `margin (hatched: ${s.bad === 'decrease' ? 'a larger fall' : 'a larger rise'} breaches)`,
        role: 'margin',
        values: s.margin,
        beyond: s.bad === 'decrease' ? 'below' : s.bad === 'increase' ? 'above' : null,
      },
    ],
    [s],
  );

  if (view === null) return <p className="muted">No looks of {kpi} yet.</p>;
  const unit = s.relative ? '%' : '';
  const heading = (i: number) => headingOf(s, i);
  const common = {
    xs: s.xs,
    x: { kind: 'time' as const, domain: view.domain },
    phases: view.phases,
    events: view.events,
    heading,
  };
  return (
    <div className="kpi-charts" data-chart={kpi}>
      <h3 className="kpi-charts-title">{kpi}</h3>
      <LineChart
        {...common}
        kind="arms"
        title="treatment and control"
        description={`${kpi}: treatment and control estimates over ${s.xs.length} looks`}
        series={armsSeries}
        y={{
          tick: (v, d) => formatTick(v, d),
          reading: (v) => formatReading(v),
        }}
      />
      {s.comparison ? (
        <LineChart
          {...common}
          kind="difference"
          title={`difference, treatment − control${s.relative ? ' (relative)' : ''}, against the margin`}
          description={`${kpi}: the difference between treatment and control with its interval band, against the margin`}
          series={diffSeries}
          y={{
            always: [0],
            zeroLine: true,
            tick: (v, d) => formatTick(v, d, { signed: true, unit }),
            reading: (v) => formatReading(v, { signed: true, unit }),
          }}
        />
      ) : null}
    </div>
  );
}
