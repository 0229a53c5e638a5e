/**
 * An interval against its margin, drawn: zero, the margin line, the interval and
 * the point estimate on one axis. The words next to it say the same thing; the
 * drawing makes "the whole interval is past the margin" visible at a glance.
 */
export function IntervalBar({
  interval,
  estimate,
  threshold,
  label,
}: {
  interval: [number | null, number | null] | null;
  estimate: number | null;
  threshold: number | null;
  label: string;
}) {
  const finite = (x: number | null | undefined): x is number =>
    typeof x === 'number' && Number.isFinite(x);
  const points = [0, threshold, estimate, interval?.[0], interval?.[1]].filter(finite);
  let lo = Math.min(...points);
  let hi = Math.max(...points);
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const width = 240;
  const x = (v: number) => ((v - lo) / (hi - lo)) * width;
  const left = finite(interval?.[0]) ? x(interval[0]) : 0;
  const right = finite(interval?.[1]) ? x(interval[1]) : width;
  return (
    <svg
      className="interval-bar"
      viewBox={`0 0 ${width} 28`}
      width={width}
      height={28}
      role="img"
      aria-label={label}
    >
      <line x1={0} x2={width} y1={14} y2={14} className="axis" />
      <line x1={x(0)} x2={x(0)} y1={4} y2={24} className="zero" />
      {interval === null ? null : (
        <rect x={left} y={9} width={Math.max(2, right - left)} height={10} className="band" />
      )}
      {finite(estimate) ? <circle cx={x(estimate)} cy={14} r={3.5} className="estimate" /> : null}
      {finite(threshold) ? (
        <line
          x1={x(threshold)}
          x2={x(threshold)}
          y1={2}
          y2={26}
          className="margin"
          strokeDasharray="3 2"
        />
      ) : null}
    </svg>
  );
}
