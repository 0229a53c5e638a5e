/**
 * What happened when, on a time chart: phases as shaded spans named in a row
 * above the plot (boundaries at the decisions that moved the launch), and
 * rollback, completion, pause and resume as marked lines whose labels stack
 * instead of overlapping.
 */
import { stackLabels } from './chart-geometry.js';
import type { PlotBox } from './chart-geometry.js';
import type { ChartEvent, PhaseSpan } from './kpi-series.js';

const CHAR = 6.6;
const EVENT_ROWS = 3;

/** The phase's label if it fits in `px`, else its name, else the name cut short; null when nothing fits. */
export function fitLabel(label: string, name: string, px: number): string | null {
  if (label.length * CHAR <= px) return label;
  if (name.length * CHAR <= px) return name;
  const chars = Math.floor(px / CHAR) - 1;
  return chars >= 3 ? `${name.slice(0, chars)}…` : null;
}

/**
 * Layout reckons a label CHAR pixels a character; fonts differ between machines
 * (DejaVu Sans is wider than most), so the text is drawn at exactly that width
 * and labels placed apart stay apart whatever font the browser picks.
 */
const fixedWidth = (text: string) =>
  text === '' ? {} : { textLength: text.length * CHAR, lengthAdjust: 'spacingAndGlyphs' as const };

const clampX = (box: PlotBox, t: number) => Math.min(box.right, Math.max(box.left, box.x(t)));

/** Alternating shading behind the data, one span per phase. */
export function PhaseBands({ phases, box }: { phases: readonly PhaseSpan[]; box: PlotBox }) {
  return (
    <>
      {phases.map((p, i) => {
        // The first and last spans reach the plot's edges (the data sits a few pixels inside).
        const x0 = i === 0 ? box.left : clampX(box, p.from);
        const x1 = i === phases.length - 1 ? box.right : clampX(box, p.to);
        return (
          <rect
            key={`${p.index}-${p.from}`}
            className={`phase-band ${i % 2 === 0 ? 'even' : 'odd'}`}
            x={x0}
            y={box.top}
            width={Math.max(0, x1 - x0)}
            height={box.bottom - box.top}
          />
        );
      })}
    </>
  );
}

/** Phase names above the plot, and a boundary line where each phase after the first began. */
export function PhaseLabels({ phases, box }: { phases: readonly PhaseSpan[]; box: PlotBox }) {
  return (
    <>
      {phases.map((p, i) => {
        const x0 = clampX(box, p.from);
        const next = phases[i + 1];
        const end = next === undefined ? box.right : clampX(box, next.from);
        const text = fitLabel(p.label, p.name, end - x0 - 4);
        return (
          <g key={`${p.index}-${p.from}`} data-phase={p.name}>
            <title>{`phase ${p.label}`}</title>
            {i === 0 ? null : (
              <line
                className="phase-boundary"
                data-phase-boundary={p.name}
                x1={x0}
                x2={x0}
                y1={box.top - 18}
                y2={box.bottom}
              />
            )}
            <line className="phase-span" x1={x0} x2={end} y1={box.top - 3} y2={box.top - 3} />
            <text
              className="phase-label"
              data-phase-label={p.name}
              x={x0 + 3}
              y={box.top - 7}
              {...fixedWidth(text ?? '')}
            >
              {text ?? ''}
            </text>
          </g>
        );
      })}
    </>
  );
}

/** Event lines (drawn under the data) and their labels (over it), stacked so none overlap. */
export function EventMarks({
  events,
  box,
  part,
}: {
  events: readonly ChartEvent[];
  box: PlotBox;
  part: 'lines' | 'labels';
}) {
  const shown = events
    .map((ev) => ({ ev, x: box.x(ev.at) }))
    .filter(({ x }) => x >= box.left - 0.5 && x <= box.right + 0.5);
  const middle = (box.left + box.right) / 2;
  const boxes = shown.map(({ ev, x }) => {
    const w = ev.label.length * CHAR;
    return x > middle ? { from: x - 4 - w, to: x - 4 } : { from: x + 4, to: x + 4 + w };
  });
  const rows = stackLabels(boxes, EVENT_ROWS);
  return (
    <>
      {shown.map(({ ev, x }, i) => {
        const key = `${ev.kind}-${ev.at}`;
        if (part === 'lines')
          return (
            <g key={key} data-event={ev.kind}>
              <title>{ev.label}</title>
              <line
                className={`event-line event-${ev.kind}`}
                x1={x}
                x2={x}
                y1={box.top}
                y2={box.bottom}
              />
            </g>
          );
        const row = rows[i];
        return row === null || row === undefined ? null : (
          <text
            key={key}
            className="event-label"
            data-event-label={ev.kind}
            x={x > middle ? x - 4 : x + 4}
            y={box.top + 12 + row * 13}
            textAnchor={x > middle ? 'end' : 'start'}
            {...fixedWidth(ev.label)}
          >
            {ev.label}
          </text>
        );
      })}
    </>
  );
}
