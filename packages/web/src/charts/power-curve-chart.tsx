/** A power curve: the chance a plan catches a regression of each size, with its Monte Carlo interval. */
import { useMemo } from 'react';
import type { PowerCurve } from '@threshold/core';
import { LineChart } from './line-chart.js';
import type { SeriesSpec } from './line-chart.js';
import { formatReading, formatTick } from './value-axis.js';

export function PowerCurveChart({ curve }: { curve: PowerCurve }) {
  const scale = curve.relative ? 100 : 1;
  const unit = curve.relative ? '%' : '';
  const title = `${curve.kpi}${curve.fromPhase === null ? '' : ` from ${curve.fromPhase}`}: chance of catching`;
  const xs = useMemo(() => curve.points.map((p) => p.size * scale), [curve, scale]);
  const series = useMemo<SeriesSpec[]>(
    () => [
      {
        kind: 'band',
        key: 'range',
        label: 'Monte Carlo interval',
        role: 'interval',
        lo: curve.points.map((p) => p.caught.low * 100),
        hi: curve.points.map((p) => p.caught.high * 100),
      },
      {
        kind: 'line',
        key: 'caught',
        label: 'caught',
        role: 'caught',
        values: curve.points.map((p) => p.caught.rate * 100),
      },
    ],
    [curve],
  );
  return (
    <div className="power-curve" data-power-curve={curve.kpi}>
      <LineChart
        kind="power-curve"
        title={title}
        titleAs="h3"
        description={`${title}: ${curve.points
          .map(
            (p) =>
              `${formatReading(p.size * scale, { signed: true, unit })} caught ${Math.round(p.caught.rate * 100)}%`,
          )
          .join(', ')}`}
        xs={xs}
        x={{
          kind: 'value',
          label: `size of the regression${unit === '' ? '' : ` (${unit})`}`,
          format: (v, d) => formatTick(v, d, { signed: true, unit }),
        }}
        series={series}
        y={{
          fixed: [0, 100],
          tick: (v, d) => formatTick(v, d, { unit: '%' }),
          reading: (v) => formatReading(v, { unit: '%' }),
        }}
        heading={(i) => {
          const p = curve.points[i];
          return p === undefined
            ? ''
            : `a regression of ${formatReading(p.size * scale, { signed: true, unit })}`;
        }}
        height={220}
        resting=""
      />
    </div>
  );
}
