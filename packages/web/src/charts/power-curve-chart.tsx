/** A power curve: the chance a plan catches a regression of each size, with its Monte Carlo interval. */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { PowerCurve } from '@threshold/core';
import { UPlotChart } from './uplot-chart.js';

const BLUE = '#0072B2';
const BAND = 'rgba(0, 114, 178, 0.18)';

export function PowerCurveChart({ curve }: { curve: PowerCurve }) {
  const scale = curve.relative ? 100 : 1;
  const unit = curve.relative ? '%' : '';
  const title = `${curve.kpi}${curve.fromPhase === null ? '' : ` from ${curve.fromPhase}`}: chance of catching`;
  const options = useMemo<Omit<uPlot.Options, 'width'>>(
    () => ({
      height: 200,
      title,
      scales: { x: { time: false }, y: { range: [0, 100] } },
      series: [
        { label: `regression${unit ? ` (${unit})` : ''}` },
        { label: 'high', stroke: 'rgba(0,114,178,0.4)', width: 1 },
        { label: 'low', stroke: 'rgba(0,114,178,0.4)', width: 1 },
        { label: 'caught (%)', stroke: BLUE, width: 2, points: { show: true, size: 7 } },
      ],
      bands: [{ series: [1, 2], fill: BAND }],
      axes: [
        { values: (_u, splits) => splits.map((v) => `${v > 0 ? '+' : ''}${v}${unit}`) },
        { size: 50, values: (_u, splits) => splits.map((v) => `${v}%`) },
      ],
    }),
    [title, unit],
  );
  const data = useMemo<uPlot.AlignedData>(
    () => [
      curve.points.map((p) => p.size * scale),
      curve.points.map((p) => p.caught.high * 100),
      curve.points.map((p) => p.caught.low * 100),
      curve.points.map((p) => p.caught.rate * 100),
    ],
    [curve, scale],
  );
  return (
    <div className="power-curve" data-power-curve={curve.kpi}>
      <UPlotChart
        options={options}
        data={data}
        label={`${title}: ${curve.points
          .map((p) => `${p.size * scale}${unit} caught ${Math.round(p.caught.rate * 100)}%`)
          .join(', ')}`}
      />
    </div>
  );
}
