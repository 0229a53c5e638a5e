/**
 * The dashboard's one chart: lines, interval bands and a threshold with its
 * forbidden side hatched, over time (with phase spans and event lines) or over
 * a value axis. Hand-written SVG: every label is real text (selectable, read by
 * screen readers and tests), nothing overlaps by construction (see time-axis.ts
 * and stackLabels), and each series differs by dash and marker shape as well as
 * colour. The legend always shows values: of the look under the pointer or the
 * keyboard's focus, else of the latest look.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent, RefObject } from 'react';
import {
  bandPath,
  beyondPath,
  linePath,
  linearScale,
  markerIndexes,
  nearestIndex,
  thresholdPath,
} from './chart-geometry.js';
import type { PlotBox } from './chart-geometry.js';
import { Marker, Swatch } from './chart-marks.js';
import { valuesAt } from './chart-series.js';
import type { SeriesSpec } from './chart-series.js';
import type { ChartEvent, PhaseSpan } from './kpi-series.js';
import { timeTicks } from './time-axis.js';
import type { Zone } from './time-axis.js';
import { EventMarks, PhaseBands, PhaseLabels } from './time-annotations.js';
import { niceTicks } from './value-axis.js';
import { followRecent } from './y-range.js';
import type { YRange } from './y-range.js';

export type { SeriesSpec } from './chart-series.js';

export interface LineChartProps {
  /** Names the chart for tests and styles (data-chart-kind). */
  kind: string;
  title: string;
  titleAs?: 'h3' | 'h4';
  /** What the chart shows, for screen readers. */
  description: string;
  xs: readonly number[];
  x:
    | { kind: 'time'; domain: [number, number]; zone?: Zone }
    | { kind: 'value'; label: string; format: (v: number, decimals: number) => string };
  series: readonly SeriesSpec[];
  y: {
    /** A fixed range (else it follows the recent looks). */
    fixed?: [number, number];
    /** Values that must be in range (zero, say); thresholds always are. */
    always?: readonly number[];
    zeroLine?: boolean;
    tick: (v: number, decimals: number) => string;
    reading: (v: number | null) => string;
  };
  phases?: readonly PhaseSpan[];
  events?: readonly ChartEvent[];
  /** Heading of the readout for look i (time, phase, verdict). */
  heading: (i: number) => string;
  /** After the readout's heading when nothing is pointed at (default "(latest look)"). */
  resting?: string;
  height?: number;
}

const RIGHT = 28;
const looksText = (n: number) => `${n} ${n === 1 ? 'look' : 'looks'}`;
const INSET = 6;
const CHAR = 6.6;

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(560);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const measure = () => setWidth(Math.max(280, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function LineChart(props: LineChartProps) {
  const {
    xs,
    series,
    y,
    phases = [],
    events = [],
    height = 210,
    resting = '(latest look)',
  } = props;
  const [container, width] = useWidth();
  const [active, setActive] = useState<number | null>(null);
  const hatch = `hatch-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const last = xs.length - 1;
  const shown = active !== null && active >= 0 && active <= last ? active : last;

  const range = useMemo<YRange>(() => {
    if (y.fixed !== undefined)
      return { lo: y.fixed[0], hi: y.fixed[1], clippedAbove: 0, clippedBelow: 0 };
    const perLook = xs.map((_, i) =>
      series.flatMap((s) => valuesAt(s, i).map((v) => (typeof v === 'number' ? v : NaN))),
    );
    const always = [
      ...(y.always ?? []),
      ...series.flatMap((s) => (s.kind === 'threshold' ? s.values.filter((v) => v !== null) : [])),
    ];
    return followRecent(perLook, always);
  }, [xs, series, y.fixed, y.always]);

  // Looks with a value past the range get a small triangle at the edge where the line leaves.
  const clipMarks = useMemo(() => {
    const out: { i: number; above: boolean }[] = [];
    xs.forEach((_, i) => {
      const values = series.flatMap((s) => valuesAt(s, i));
      if (values.some((v) => typeof v === 'number' && v > range.hi)) out.push({ i, above: true });
      if (values.some((v) => typeof v === 'number' && v < range.lo)) out.push({ i, above: false });
    });
    return out;
  }, [xs, series, range]);

  const top = phases.length > 0 ? 24 : 10;
  const plotH = height - top - 38;
  const yTicks = niceTicks(range.lo, range.hi, Math.max(2, Math.floor(plotH / 34)));
  const yLabels = yTicks.ticks.map((t) => y.tick(t, yTicks.decimals));
  const left = Math.max(34, Math.max(...yLabels.map((l) => l.length)) * CHAR + 12);
  const plotW = Math.max(40, width - left - RIGHT);
  const yScale = linearScale(range.lo, range.hi, top + plotH, top);

  let xDomain: [number, number];
  if (props.x.kind === 'time') xDomain = props.x.domain;
  else {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    xDomain = hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  }
  const box: PlotBox = {
    left,
    right: left + plotW,
    top,
    bottom: top + plotH,
    // A few pixels inside the plot, so markers at the first and last look show whole.
    x: linearScale(xDomain[0], xDomain[1], left + INSET, left + plotW - INSET),
  };
  let xTicks: { at: number; label: string }[];
  let caption: string;
  if (props.x.kind === 'time') {
    const t = timeTicks(xDomain[0], xDomain[1], plotW, props.x.zone);
    xTicks = t.ticks;
    caption = t.caption;
  } else {
    const format = props.x.format;
    const t = niceTicks(xDomain[0], xDomain[1], Math.max(2, Math.floor(plotW / 64)));
    xTicks = t.ticks.map((at) => ({ at, label: format(at, t.decimals) }));
    caption = props.x.label;
  }
  const markers = markerIndexes(xs.length);

  const pick = (e: PointerEvent<SVGRectElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / Math.max(1, rect.width)) * plotW;
    const share = (px - INSET) / Math.max(1, plotW - 2 * INSET);
    setActive(nearestIndex(xs, xDomain[0] + share * (xDomain[1] - xDomain[0])));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const from = active ?? last;
    const moves: Record<string, number | null> = {
      ArrowLeft: Math.max(0, from - 1),
      ArrowRight: Math.min(last, from + 1),
      Home: 0,
      End: last,
      Escape: null,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    setActive(moves[e.key] ?? null);
  };

  const reading = (s: SeriesSpec, i: number): string => {
    if (s.kind !== 'band') return y.reading(s.values[i] ?? null);
    const lo = s.lo[i] ?? null;
    const hi = s.hi[i] ?? null;
    if (lo === null && hi === null) return 'n/a';
    return `[${lo === null ? '−∞' : y.reading(lo)}, ${hi === null ? '+∞' : y.reading(hi)}]`;
  };

  const Title = props.titleAs ?? 'h4';
  const activeX = xs[shown];
  const clipped = range.clippedAbove + range.clippedBelow;

  return (
    <div
      className="line-chart"
      data-chart-kind={props.kind}
      ref={container}
      tabIndex={0}
      role="group"
      aria-label={`${props.title}. Arrow keys read one look after another.`}
      onKeyDown={onKey}
      onBlur={() => setActive(null)}
    >
      <Title className="chart-title">{props.title}</Title>
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.key} data-series={s.key}>
            <Swatch spec={s} hatch={hatch} />
            <span className="legend-label">{s.label}</span>{' '}
            <span className="legend-value">{shown >= 0 ? reading(s, shown) : 'n/a'}</span>
          </li>
        ))}
      </ul>
      <p className="chart-readout" data-readout aria-live={active === null ? 'off' : 'polite'}>
        {shown >= 0 ? props.heading(shown) : ''}
        {active === null && shown >= 0 && resting !== '' ? (
          <span className="muted"> {resting}</span>
        ) : null}
      </p>
      <svg
        className="chart-svg"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={props.description}
      >
        <defs>
          <pattern
            id={hatch}
            width={6}
            height={6}
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <line className="hatch-line" x1={0} y1={0} x2={0} y2={6} />
          </pattern>
          <clipPath id={`${hatch}-plot`}>
            <rect x={box.left} y={box.top} width={plotW} height={plotH} />
          </clipPath>
        </defs>

        <PhaseBands phases={phases} box={box} />
        {yTicks.ticks.map((t, i) => (
          <g key={`y${t}`}>
            <line className="grid" x1={box.left} x2={box.right} y1={yScale(t)} y2={yScale(t)} />
            <text className="y-tick" x={left - 6} y={yScale(t)} dy="0.32em" textAnchor="end">
              {yLabels[i]}
            </text>
          </g>
        ))}
        <EventMarks events={events} box={box} part="lines" />

        <g clipPath={`url(#${hatch}-plot)`}>
          {series.map((s) => {
            const d = s.kind === 'threshold' ? beyondPath(s, xs, range, box, yScale) : null;
            return d === null ? null : (
              <path key={`${s.key}-zone`} className="beyond-zone" d={d} fill={`url(#${hatch})`} />
            );
          })}
          {y.zeroLine === true && range.lo < 0 && range.hi > 0 ? (
            <line
              className="zero-line"
              x1={box.left}
              x2={box.right}
              y1={yScale(0)}
              y2={yScale(0)}
            />
          ) : null}
          {series.map((s) =>
            s.kind === 'band' ? (
              <g key={s.key}>
                <path
                  className={`band band-${s.role}`}
                  d={bandPath(xs, s.lo, s.hi, box.x, yScale, range.lo, range.hi)}
                />
                <path className="band-edge" d={linePath(xs, s.lo, box.x, yScale)} />
                <path className="band-edge" d={linePath(xs, s.hi, box.x, yScale)} />
              </g>
            ) : s.kind === 'threshold' ? (
              <path
                key={s.key}
                className={`line line-${s.role}`}
                d={thresholdPath(s, xs, box, yScale)}
              />
            ) : null,
          )}
          {series.map((s) =>
            s.kind === 'line' ? (
              <g key={s.key}>
                <path className={`line line-${s.role}`} d={linePath(xs, s.values, box.x, yScale)} />
                {markers.map((i) => {
                  const v = s.values[i];
                  const xv = xs[i];
                  return v === null || v === undefined || xv === undefined ? null : (
                    <Marker key={i} role={s.role} x={box.x(xv)} y={yScale(v)} />
                  );
                })}
              </g>
            ) : null,
          )}
        </g>

        {clipMarks.map(({ i, above }) => {
          const cx = box.x(xs[i] ?? 0);
          const edge = above ? box.top : box.bottom;
          const base = above ? box.top + 6 : box.bottom - 6;
          return (
            <path
              key={`clip-${i}-${above ? 'a' : 'b'}`}
              className="clip-mark"
              d={`M${cx - 3.5},${base}L${cx + 3.5},${base}L${cx},${edge}Z`}
            />
          );
        })}
        <PhaseLabels phases={phases} box={box} />
        <EventMarks events={events} box={box} part="labels" />

        {active !== null && activeX !== undefined ? (
          <g className="crosshair">
            <line x1={box.x(activeX)} x2={box.x(activeX)} y1={box.top} y2={box.bottom} />
            {series.map((s) => {
              const v = s.kind === 'line' ? s.values[shown] : null;
              return s.kind !== 'line' || v === null || v === undefined ? null : (
                <Marker key={s.key} role={s.role} x={box.x(activeX)} y={yScale(v)} big />
              );
            })}
          </g>
        ) : null}

        <line className="axis" x1={box.left} x2={box.right} y1={box.bottom} y2={box.bottom} />
        {xTicks.map((t) => (
          <g key={`x${t.at}`}>
            <line
              className="tick"
              x1={box.x(t.at)}
              x2={box.x(t.at)}
              y1={box.bottom}
              y2={box.bottom + 4}
            />
            <text className="x-tick" x={box.x(t.at)} y={box.bottom + 16} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        <text className="x-caption" x={box.right} y={height - 4} textAnchor="end">
          {caption}
        </text>

        <rect
          className="pointer-area"
          x={box.left}
          y={box.top}
          width={plotW}
          height={plotH}
          onPointerMove={pick}
          onPointerDown={pick}
          onPointerLeave={(e) => {
            // A finger lifts right after a tap: keep the look it picked (Escape or a blur clears it).
            if (e.pointerType === 'mouse') setActive(null);
          }}
        />
      </svg>
      {clipped === 0 ? null : (
        <p className="chart-note" data-clipped>
          {[
            range.clippedAbove > 0 ? `▲ ${looksText(range.clippedAbove)} above` : null,
            range.clippedBelow > 0 ? `▼ ${looksText(range.clippedBelow)} below` : null,
          ]
            .filter(Boolean)
            .join(', ')}{' '}
          the range shown, which follows the recent looks rather than the first, wide ones. Point at
          a look to read its values.
        </p>
      )}
    </div>
  );
}
