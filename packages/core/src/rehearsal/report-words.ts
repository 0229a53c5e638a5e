/** Numbers of the rehearsal report in words, shared by findings and every rendering. */
import { formatDuration } from '../plan/index.js';
import type { RateEstimate } from './rehearsal-report.js';

/** A fraction as a short percentage: "12%", "4.5%", "0.35%", "0%". */
export function percentWords(x: number): string {
  if (x === 0) return '0%';
  const p = x * 100;
  const digits = Math.abs(p) >= 10 ? 0 : Math.abs(p) >= 1 ? 1 : 2;
  return `${Number(p.toFixed(digits))}%`;
}

/** "12% [9.1–16%]": a rate with its 95% interval. */
export function rateWords(r: RateEstimate): string {
  return `${percentWords(r.rate)} [${percentWords(r.low)}–${percentWords(r.high)}]`;
}

/** A duration rounded to the minute, at most two units: "3d4h", "2h30m", "5m"; "never" for Infinity. */
export function spanWords(ms: number | null): string {
  if (ms === null) return '–';
  if (!Number.isFinite(ms)) return 'never';
  // Past ten days the hours are noise.
  if (ms >= 10 * 86_400_000) return `${Math.round(ms / 86_400_000)}d`;
  const minutes = Math.round(ms / 60_000);
  if (minutes === 0) return ms > 0 ? '<1m' : '0m';
  const text = formatDuration(minutes * 60_000);
  const parts = text.match(/\d+[a-z]+/g) ?? [text];
  if (parts.length <= 2) return text;
  // Round to the second unit rather than dropping the rest silently.
  const unit = parts[1]?.replace(/\d+/, '') ?? 'm';
  const size = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 86_400_000;
  return formatDuration(Math.round(ms / size) * size);
}

/** A whole number with thousands separators: "12,345". */
export function countWords(n: number | null): string {
  if (n === null) return '–';
  const text = String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${text}` : text;
}

/** A signed change in a KPI's scale: "+20%", "-5%", "+0.02". */
export function changeWords(size: number, relative: boolean): string {
  const sign = size < 0 ? '-' : '+';
  const magnitude = Math.abs(size);
  return relative
    ? `${sign}${percentWords(magnitude)}`
    : `${sign}${Number(magnitude.toPrecision(3))}`;
}
