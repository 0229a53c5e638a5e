/** Numbers, shares and times as the dashboard shows them: short, locale-free, never "NaN". */
import { formatShare } from '@threshold/core';

export { formatShare };

/** Three significant digits, exponent notation for very large or small magnitudes (as verdict reasons write them). */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** A fraction as a signed percentage: 0.123 → "+12.3%". */
export function formatPercent(x: number): string {
  if (!Number.isFinite(x)) return formatValue(x);
  const s = formatValue(x * 100);
  return `${x >= 0 ? '+' : ''}${s}%`;
}

/** A duration as "2h 5m", "45s": two units at most, for people. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  // Slightly negative spans come from the browser's clock lagging the server's.
  if (ms < 1000) return '0s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const out: string[] = [];
  let rest = Math.floor(ms);
  for (const [unit, size] of units) {
    if (out.length === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out.push(`${n}${unit}`);
      rest -= n * size;
    } else if (out.length > 0) break;
  }
  return out.join(' ') || '0s';
}

/** A timestamp (ISO text or ms) as local "HH:MM:SS" for today, else "YYYY-MM-DD HH:MM". */
export function clockTime(at: string | number, now = Date.now()): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay =
    d.getFullYear() === today.getFullYear() &&
    d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  return sameDay
    ? time
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

/** Milliseconds of a timestamp that may be ISO text or ms. */
export function toMs(at: string | number): number {
  return typeof at === 'number' ? at : Date.parse(at);
}

/** A difference as the guard measures it: relative as a signed percent, absolute as a number. */
export function formatDifference(x: number | null, relative: boolean): string {
  if (x === null) return 'n/a';
  return relative ? formatPercent(x) : (x >= 0 ? '+' : '') + formatValue(x);
}

/** An interval [lo, hi]; an unbounded end (null or ±∞) reads as ∞. */
export function formatInterval(
  interval: readonly [number | null, number | null] | null,
  relative: boolean,
): string {
  if (interval === null) return 'no interval yet';
  const end = (x: number | null, side: -1 | 1) =>
    x === null || !Number.isFinite(x) ? (side < 0 ? '−∞' : '+∞') : formatDifference(x, relative);
  return `[${end(interval[0], -1)}, ${end(interval[1], 1)}]`;
}
