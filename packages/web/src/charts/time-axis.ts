/**
 * Time axes people read at a glance: the domain of the looks (never a zero-width
 * span, which general chart kits blow up to years), and ticks whose step follows
 * the span (seconds, minutes, hours, days) and whose labels never overlap at the
 * chart's width. Pure: the zone is a parameter so tests pin it to UTC.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps, smallest first: each divides the next wall-clock unit evenly. */
const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
  91 * DAY,
  364 * DAY,
];

/** The narrowest axis: a single look gets this much time around it. */
export const MIN_TIME_SPAN_MS = 10 * SECOND;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local time (the viewer's), or UTC. */
export type Zone = 'local' | 'utc';

/** Offset of the zone from UTC at `ms`, in ms. */
function offsetOf(ms: number, zone: Zone): number {
  return zone === 'utc' ? 0 : -new Date(ms).getTimezoneOffset() * MINUTE;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

function wallClock(ms: number, zone: Zone): WallClock {
  const d = new Date(ms + offsetOf(ms, zone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "3 Dec", "3 Dec 2026". */
export function dateLabel(ms: number, zone: Zone, withYear = false): string {
  const w = wallClock(ms, zone);
  return `${w.day} ${MONTHS[w.month] ?? ''}${withYear ? ` ${w.year}` : ''}`;
}

/** "15:42:07" (or "15:42" without seconds). */
export function clockLabel(ms: number, zone: Zone, seconds = true): string {
  const w = wallClock(ms, zone);
  return `${pad(w.hours)}:${pad(w.minutes)}${seconds ? `:${pad(w.seconds)}` : ''}`;
}

/** [from, to] covering `times`, at least MIN_TIME_SPAN_MS wide (centred on the data); null without times. */
export function timeDomain(
  times: readonly number[],
  minSpanMs = MIN_TIME_SPAN_MS,
): [number, number] | null {
  const finite = times.filter((t) => Number.isFinite(t));
  if (finite.length === 0) return null;
  const from = Math.min(...finite);
  const to = Math.max(...finite);
  if (to - from >= minSpanMs) return [from, to];
  const mid = (from + to) / 2;
  return [mid - minSpanMs / 2, mid + minSpanMs / 2];
}

export interface TimeTick {
  at: number;
  label: string;
}

export interface TimeTicks {
  /** The chosen step (ms). */
  step: number;
  ticks: TimeTick[];
  /** What the labels leave out: the date (or dates) and the zone, e.g. "2 Dec 2026, local time". */
  caption: string;
}

/** Approximate width of a tick label in px at the chart's 11px font (digits are ~6.6px). */
function labelWidth(text: string): number {
  return text.length * 6.6;
}

/** Gap kept between two tick labels, in px. */
const LABEL_GAP = 14;

function ticksAt(from: number, to: number, step: number, zone: Zone): number[] {
  // Align to the zone's wall clock (a 15-minute step ticks at :00, :15, …; a day step at midnight).
  const offset = offsetOf(from, zone);
  const out: number[] = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to + 1e-6; t += step) {
    out.push(t);
  }
  return out;
}

function tickLabel(at: number, step: number, zone: Zone): string {
  if (step >= DAY) return dateLabel(at, zone);
  const w = wallClock(at, zone);
  // A tick at midnight says which day begins, not "00:00".
  if (w.hours === 0 && w.minutes === 0 && w.seconds === 0) return dateLabel(at, zone);
  return clockLabel(at, zone, step < MINUTE);
}

function caption(from: number, to: number, zone: Zone): string {
  const a = wallClock(from, zone);
  const b = wallClock(to, zone);
  const where = zone === 'utc' ? 'UTC' : 'local time';
  if (a.year === b.year && a.month === b.month && a.day === b.day) {
    return `${dateLabel(from, zone, true)}, ${where}`;
  }
  const first = dateLabel(from, zone, a.year !== b.year);
  return `${first} – ${dateLabel(to, zone, true)}, ${where}`;
}

/**
 * Ticks for [from, to] on an axis `widthPx` wide: the smallest wall-clock step
 * whose labels fit side by side without overlapping.
 */
export function timeTicks(
  from: number,
  to: number,
  widthPx: number,
  zone: Zone = 'local',
): TimeTicks {
  const span = Math.max(0, to - from);
  let chosen = STEPS[STEPS.length - 1] ?? DAY;
  for (const step of STEPS) {
    const sample = tickLabel(from, step, zone);
    const count = Math.floor(span / step) + 1;
    if (count * (labelWidth(sample) + LABEL_GAP) <= widthPx) {
      chosen = step;
      break;
    }
  }
  const ticks = ticksAt(from, to, chosen, zone).map((at) => ({
    at,
    label: tickLabel(at, chosen, zone),
  }));
  return { step: chosen, ticks, caption: caption(from, to, zone) };
}
