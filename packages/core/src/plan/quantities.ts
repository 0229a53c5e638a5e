/**
 * Human quantities in plans: traffic shares ("0.5%" or 0.005) and durations
 * ("30s", "30m", "2h", "1d", "1h30m"). Parsers return undefined or a message,
 * never throw: they back both the schema and the semantic checks.
 */

/** Smallest traffic step: 0.01% (one of 10,000 buckets). */
export const SHARE_STEP = 0.0001;

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** Result of parsing a human quantity. */
export type QuantityResult = { ok: true; value: number } | { ok: false; message: string };

/** Parse a fraction written as "12.5%" or as a number in [0, 1]. */
export function parseFraction(input: unknown): QuantityResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0 || input > 1) {
      // "traffic: 5" nearly always means 5%, not 500%.
      const hint = input > 1 && input <= 100 ? `; did you mean "${input}%"?` : '';
      return {
        ok: false,
        message: `must be a fraction from 0 to 1 or a percentage like "5%" (got ${input}${hint})`,
      };
    }
    return { ok: true, value: input };
  }
  if (typeof input === 'string') {
    const m = PERCENT.exec(input);
    if (!m)
      return {
        ok: false,
        message: `must be a percentage like "5%" or a fraction like 0.05 (got "${input}")`,
      };
    const value = Number(m[1]) / 100;
    if (value > 1) return { ok: false, message: `must be at most 100% (got "${input}")` };
    return { ok: true, value };
  }
  return { ok: false, message: 'must be a percentage like "5%" or a fraction like 0.05' };
}

/** Parse a traffic share: a fraction from 0.01% to 100% in 0.01% steps. */
export function parseShare(input: unknown): QuantityResult {
  const r = parseFraction(input);
  if (!r.ok) return r;
  const steps = r.value / SHARE_STEP;
  if (r.value < SHARE_STEP) {
    return { ok: false, message: `must be at least 0.01% (got ${formatInput(input)})` };
  }
  // Buckets are 0.01% wide, so a share between two steps cannot be served exactly.
  if (Math.abs(steps - Math.round(steps)) > 1e-6) {
    return { ok: false, message: `must be a multiple of 0.01% (got ${formatInput(input)})` };
  }
  return { ok: true, value: Math.round(steps) * SHARE_STEP };
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w)/g;

/** Parse a duration such as "30s", "30m", "2h", "1d" or "1h30m" into milliseconds. */
export function parseDuration(input: unknown): QuantityResult {
  if (typeof input !== 'string') {
    const got = typeof input === 'number' ? ` (got ${input}: add a unit, e.g. "${input}m")` : '';
    return { ok: false, message: `must be a duration like "30m", "2h" or "1d"${got}` };
  }
  const text = input.trim();
  if (!DURATION.test(text)) {
    return {
      ok: false,
      message: `must be a duration like "30s", "30m", "2h", "1d" or "1h30m" (got "${input}")`,
    };
  }
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return { ok: true, value: ms };
}

/** Format milliseconds the way plans write them ("1d2h", "30m", "0s"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

/** Format a fraction as a percentage without float noise ("0.01%", "12.5%", "100%"). */
export function formatShare(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

function formatInput(input: unknown): string {
  return typeof input === 'string' ? `"${input}"` : String(input);
}
