/** Number and time formatting for reasons and status lines: locale-free, so the same input gives the same text everywhere. */
import type { GuardResult } from '../statistics/index.js';
import { formatPercent, formatSigned, formatValue } from '../statistics/format-number.js';

/** 1204 -> "1,204" */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return n < 0 ? `-${out}` : out;
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** 5_400_000 -> "1h30m"; at most two units, rounded down (status lines, not exact values); under a second -> "0s". */
export function roughDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1000) return '0s';
  let out = '';
  let parts = 0;
  let rest = Math.floor(ms);
  for (const [unit, size] of UNITS) {
    if (parts === 2) break;
    const n = Math.floor(rest / size);
    if (n > 0 || parts > 0) {
      if (n > 0) out += `${n}${unit}`;
      rest -= n * size;
      parts++;
    }
  }
  return out;
}

/** 2e-7 -> "2e-7"; 0.034 -> "0.034" */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  return p < 0.001 ? p.toExponential(0) : String(Math.round(p * 1000) / 1000);
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);

/**
 * A breach in figures: "+14% [+6%, +22%] > 10%" (change, interval, the margin
 * it is past) for a comparison, "treatment [2650, 2790] > max 2500" for a
 * hard limit; '' when the result does not carry the numbers (burn rates,
 * malformed results): callers then quote its reason.
 */
export function breachFigures(r: GuardResult | undefined): string {
  if (r === undefined) return '';
  if (r.rule === 'compare') {
    const c = r.comparison;
    const iv = c?.interval;
    if (
      c === undefined ||
      c === null ||
      !isNumber(c.difference) ||
      !Array.isArray(iv) ||
      !isNumber(iv[0]) ||
      !isNumber(iv[1]) ||
      !isNumber(c.margin)
    )
      return '';
    const up = c.bad !== 'decrease';
    const f = c.relative ? formatPercent : formatSigned;
    const threshold = isNumber(c.threshold) ? c.threshold : up ? c.margin : -c.margin;
    const past = c.relative
      ? formatPercent(threshold, !up)
      : up
        ? formatValue(threshold)
        : formatSigned(threshold);
    return `${f(c.difference)} [${f(iv[0])}, ${f(iv[1])}] ${up ? '>' : '<'} ${past}`;
  }
  if (r.rule === 'max' || r.rule === 'min') {
    const l = r.limit;
    const iv = l?.interval;
    const bound = r.rule === 'max' ? l?.max : l?.min;
    if (!Array.isArray(iv) || !isNumber(iv[0]) || !isNumber(iv[1]) || !isNumber(bound)) return '';
    return `treatment [${formatValue(iv[0])}, ${formatValue(iv[1])}] ${r.rule === 'max' ? '>' : '<'} ${r.rule} ${formatValue(bound)}`;
  }
  return '';
}
