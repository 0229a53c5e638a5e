/** Number and time formatting for reasons and status lines: locale-free, so the same input gives the same text everywhere. */

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
