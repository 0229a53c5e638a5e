/**
 * SLO burn-rate guards: multiwindow, multi-burn-rate alerting from the Google SRE
 * Workbook (ch. 5, "Alerting on SLOs"). The burn rate of a window is its error
 * ratio divided by the error budget: (bad/total)/(1 − slo); 1 spends the budget
 * exactly over the SLO period, 14.4 spends 2% of a 30-day budget in one hour.
 * A window pair fires when both its long and its short window burn faster than the
 * pair's factor: the long window makes the alert significant, the short one makes
 * it stop soon after the problem does.
 *
 * This is the Workbook's rule on counts, not a statistical test, so it takes no
 * share of the false alarm budget. Its sample rule (stated in docs/statistics.md):
 * - a pair can breach only when its long window holds at least MIN_BURN_BAD_EVENTS
 *   bad events (one unlucky request among a handful is not a burning budget);
 * - a pair is clear when it does not fire and its long window is big enough that
 *   firing would have taken at least MIN_BURN_BAD_EVENTS bad events
 *   (total · factor · (1 − slo) ≥ MIN_BURN_BAD_EVENTS);
 * - the guard passes when every pair is clear, breaches when any pair fires, and
 *   otherwise has insufficient evidence.
 */
import type { GuardResult } from './guard-result.js';
import type { RuleOutcome } from './guard-verdict.js';
import type { BurnWindowCounts } from './kpi-aggregate.js';
import { checkCount } from './arm-estimate.js';
import { formatCount, formatValue } from './format-number.js';

/** Bad events a long window needs before its burn rate counts (see the module comment). */
export const MIN_BURN_BAD_EVENTS = 5;

type BurnRow = NonNullable<GuardResult['burn']>[number];

function formatWindow(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size}${name}`;
  return `${ms}ms`;
}

/** Validate burn windows; a message naming the field when they are unusable. */
export function checkBurnWindows(windows: BurnWindowCounts[], arm: string): string | undefined {
  if (!Array.isArray(windows)) return `${arm}.windows must be an array`;
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i] as BurnWindowCounts;
    const bad =
      checkCount(w.windowMs, `${arm}.windows[${i}].windowMs`) ??
      checkCount(w.bad, `${arm}.windows[${i}].bad`) ??
      checkCount(w.total, `${arm}.windows[${i}].total`);
    if (bad !== undefined) return bad;
    if (w.bad > w.total)
      return `${arm}.windows[${i}].bad (${w.bad}) exceeds ${arm}.windows[${i}].total (${w.total})`;
  }
  return undefined;
}

/** Burn rate of one window's counts; 0 without events. */
function burnRate(w: BurnWindowCounts | undefined, budget: number): number {
  if (w === undefined || w.total === 0) return 0;
  if (budget === 0) return w.bad > 0 ? Infinity : 0;
  return w.bad / w.total / budget;
}

/** Error ratio of the longest window with events, as the KPI's point estimate. */
export function errorRatio(windows: BurnWindowCounts[]): number | null {
  let best: BurnWindowCounts | undefined;
  for (const w of windows)
    if (w.total > 0 && (best === undefined || w.windowMs > best.windowMs)) best = w;
  return best === undefined ? null : best.bad / best.total;
}

/** The verdict of an SLO burn-rate guard on the treatment's windows. */
export function evaluateBurnRate(
  burn: { slo: number; windows: { long: number; short: number; factor: number }[] },
  windows: BurnWindowCounts[],
): { outcome: RuleOutcome; burn: BurnRow[] } {
  const budget = 1 - burn.slo;
  const byLength = new Map(windows.map((w) => [w.windowMs, w]));
  const rows: BurnRow[] = [];
  const firing: string[] = [];
  const thin: string[] = [];
  const clear: string[] = [];
  for (const pair of burn.windows) {
    const long = byLength.get(pair.long);
    const short = byLength.get(pair.short);
    const row: BurnRow = {
      long: pair.long,
      short: pair.short,
      factor: pair.factor,
      longRate: burnRate(long, budget),
      shortRate: burnRate(short, budget),
    };
    rows.push(row);
    const name = `${formatWindow(pair.long)}/${formatWindow(pair.short)} at ${formatValue(pair.factor)}x`;
    const rates = `long ${formatValue(row.longRate)}x over ${formatCount(long?.total ?? 0)} events, short ${formatValue(row.shortRate)}x over ${formatCount(short?.total ?? 0)}`;
    if (long === undefined || short === undefined) {
      thin.push(
        `${name}: no counts for the ${long === undefined ? formatWindow(pair.long) : formatWindow(pair.short)} window`,
      );
      continue;
    }
    const over = row.longRate > pair.factor && row.shortRate > pair.factor;
    if (over && long.bad >= MIN_BURN_BAD_EVENTS) {
      firing.push(`${name} (${rates})`);
      continue;
    }
    const needed = budget > 0 ? Math.ceil(MIN_BURN_BAD_EVENTS / (pair.factor * budget)) : 1;
    if (row.longRate > pair.factor && short.total === 0) {
      thin.push(
        `${name}: the long window burns fast but the short one has no events yet (${rates})`,
      );
    } else if (over) {
      thin.push(
        `${name}: burning fast on only ${formatCount(long.bad)} bad events, needs ${MIN_BURN_BAD_EVENTS} (${rates})`,
      );
    } else if (long.total < needed) {
      thin.push(
        `${name}: ${formatCount(long.total)} events in the long window, needs ${formatCount(needed)} (${rates})`,
      );
    } else {
      clear.push(`${name} (${rates})`);
    }
  }
  const slo = `SLO ${formatValue(burn.slo * 100)}%`;
  let outcome: RuleOutcome;
  if (firing.length > 0)
    outcome = {
      verdict: 'breach',
      rule: 'burn-rate',
      reason: `burning the error budget of the ${slo} too fast: ${firing.join('; ')}`,
    };
  else if (thin.length === 0)
    outcome = {
      verdict: 'pass',
      rule: 'burn-rate',
      reason: `every window pair is under its burn-rate factor for the ${slo}: ${clear.join('; ')}`,
    };
  else
    outcome = {
      verdict: 'insufficient-evidence',
      rule: 'burn-rate',
      reason: `not enough events to judge the ${slo}: ${thin.join('; ')}`,
    };
  return { outcome, burn: rows };
}
