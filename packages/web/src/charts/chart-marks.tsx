/** Marks shared by the plot and its legend: marker shapes per series, and the legend's samples. */
import type { LineSpec, SeriesSpec } from './chart-series.js';

/** A look's marker: circle (treatment), hollow square (control), diamond (difference). */
export function Marker({
  role,
  x,
  y,
  big,
}: {
  role: LineSpec['role'];
  x: number;
  y: number;
  big?: boolean;
}) {
  const r = big === true ? 5 : 3.2;
  const cls = `marker marker-${role}${big === true ? ' marker-active' : ''}`;
  if (role === 'control')
    return <rect className={cls} x={x - r} y={y - r} width={2 * r} height={2 * r} />;
  if (role === 'difference') {
    const d = r * 1.35;
    return <path className={cls} d={`M${x},${y - d}L${x + d},${y}L${x},${y + d}L${x - d},${y}Z`} />;
  }
  return <circle className={cls} cx={x} cy={y} r={r} />;
}

/** The legend's sample of a series: its dash, marker and fill, as the plot draws them. */
export function Swatch({ spec, hatch }: { spec: SeriesSpec; hatch: string }) {
  return (
    <svg className="swatch" width={30} height={14} aria-hidden="true">
      {spec.kind === 'band' ? (
        <rect className={`band band-${spec.role}`} x={1} y={2} width={28} height={10} />
      ) : spec.kind === 'threshold' ? (
        <>
          {spec.beyond === null ? null : (
            <rect
              x={1}
              y={spec.beyond === 'above' ? 0 : 7}
              width={28}
              height={7}
              fill={`url(#${hatch})`}
            />
          )}
          <line className={`line line-${spec.role}`} x1={1} x2={29} y1={7} y2={7} />
        </>
      ) : (
        <>
          <line className={`line line-${spec.role}`} x1={1} x2={29} y1={7} y2={7} />
          <Marker role={spec.role} x={15} y={7} />
        </>
      )}
    </svg>
  );
}
