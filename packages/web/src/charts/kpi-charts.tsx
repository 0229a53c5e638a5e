/**
 * One KPI over the launch's looks: treatment against control, and the
 * difference with its anytime-valid interval band against the margin. Colours
 * follow the Okabe-Ito palette and the two arms also differ in dash, so the
 * charts read for colour-blind people.
 */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { LookRecord } from '../api/api-types.js';
import { UPlotChart } from './uplot-chart.js';

const BLUE = '#0072B2';
const ORANGE = '#E69F00';
const VERMILION = '#D55E00';
const BAND = 'rgba(0, 114, 178, 0.18)';

const nullable = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

/** The series of one KPI, aligned on the looks' times (seconds). */
export function kpiSeries(looks: readonly LookRecord[], kpi: string) {
  const xs: number[] = [];
  const treatment: (number | null)[] = [];
  const control: (number | null)[] = [];
  const difference: (number | null)[] = [];
  const lo: (number | null)[] = [];
  const hi: (number | null)[] = [];
  const margin: (number | null)[] = [];
  let relative = false;
  let comparison = false;
  for (const look of looks) {
    const k = look.kpis.find((x) => x.kpi === kpi);
    if (k === undefined) continue;
    xs.push(look.at / 1000);
    treatment.push(nullable(k.estimate.treatment));
    control.push(nullable(k.estimate.control));
    const scale = k.relative === true ? 100 : 1;
    if (k.bad !== null) comparison = true;
    if (k.relative === true) relative = true;
    const s = (x: number | null) => (x === null ? null : x * scale);
    difference.push(k.bad === null ? null : s(nullable(k.difference)));
    lo.push(s(nullable(k.interval?.[0])));
    hi.push(s(nullable(k.interval?.[1])));
    margin.push(s(nullable(k.threshold)));
  }
  return { xs, treatment, control, difference, lo, hi, margin, relative, comparison };
}

const HEIGHT = 180;

export function KpiCharts({ looks, kpi }: { looks: readonly LookRecord[]; kpi: string }) {
  const s = useMemo(() => kpiSeries(looks, kpi), [looks, kpi]);
  const unit = s.relative ? '%' : '';

  const armsOptions = useMemo<Omit<uPlot.Options, 'width'>>(
    () => ({
      height: HEIGHT,
      title: `${kpi}: treatment vs control`,
      scales: { x: { time: true } },
      series: [
        {},
        { label: 'treatment', stroke: BLUE, width: 2 },
        { label: 'control', stroke: ORANGE, width: 2, dash: [6, 4] },
      ],
      axes: [{}, { size: 60 }],
    }),
    [kpi],
  );
  const armsData = useMemo<uPlot.AlignedData>(() => [s.xs, s.treatment, s.control], [s]);

  const diffOptions = useMemo<Omit<uPlot.Options, 'width'>>(
    () => ({
      height: HEIGHT,
      title: `${kpi}: difference with interval vs margin`,
      scales: { x: { time: true } },
      series: [
        {},
        {
          label: `interval high${unit ? ` (${unit})` : ''}`,
          stroke: 'rgba(0,114,178,0.5)',
          width: 1,
        },
        { label: 'interval low', stroke: 'rgba(0,114,178,0.5)', width: 1 },
        { label: 'difference', stroke: BLUE, width: 2 },
        { label: 'margin', stroke: VERMILION, width: 2, dash: [8, 4] },
      ],
      bands: [{ series: [1, 2], fill: BAND }],
      axes: [{}, { size: 60, values: (_u, splits) => splits.map((v) => `${v}${unit}`) }],
    }),
    [kpi, unit],
  );
  const diffData = useMemo<uPlot.AlignedData>(
    () => [s.xs, s.hi, s.lo, s.difference, s.margin],
    [s],
  );

  if (s.xs.length === 0) return <p className="muted">No looks of {kpi} yet.</p>;
  return (
    <div className="kpi-charts" data-chart={kpi}>
      <UPlotChart
        options={armsOptions}
        data={armsData}
        label={`${kpi}: treatment and control estimates over ${s.xs.length} looks`}
      />
      {s.comparison ? (
        <UPlotChart
          options={diffOptions}
          data={diffData}
          label={`${kpi}: difference between treatment and control with its interval band and the margin`}
        />
      ) : null}
    </div>
  );
}
