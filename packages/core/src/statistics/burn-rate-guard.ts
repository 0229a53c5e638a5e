/**
 * SLO burn-rate guards: multiwindow, multi-burn-rate alerting from the Google SRE
 * Workbook (ch. 5, "Alerting on SLOs"). The burn rate of a window is its error
 * ratio divided by the error budget: (bad/total)/(1 − slo); 1 spends the budget
 * exactly over the SLO period, 14.4 spends 2% of a 30-day budget in one hour.
 * A window pair fires when both its long and its short window burn faster than the
 * pair's factor: the long window makes the alert significant, the short one makes
 * it stop soon after the problem does.
 *
 * The Workbook's rule compares point estimates, which is sound for a service's
 * steady traffic but not early in a launch, when a 3-day window holds only hours of
 * events: 5 unlucky bad events out of a thousand "burn" at 5x, and the rule rolled
 * back 20% of clean launches in a rehearsal. So a window counts as burning only
 * when the evidence says so: the LOWER bound of an anytime-valid confidence
 * sequence for its bad-event ratio (the one-sided asymptotic sequence the other
 * guards use for proportions, Waudby-Smith et al., Annals of Statistics 2024, with
 * the Agresti–Caffo variance) exceeds factor × (1 − slo), in BOTH windows of the
 * pair. With huge volumes the bound meets the point estimate and this is the
 * Workbook's rule; with little data it waits.
 *
 * False alarm share: a pair breaches falsely only if its long window's bound is
 * wrong, so each pair gets the KPI's share divided by the number of pairs
 * (Bonferroni), and both windows of a pair use that pair's share (requiring both
 * to be convincing can only lower the chance). The bound is exactly anytime-valid
 * while a window still holds every event since the phase began (the early-launch
 * case); once it slides, it is valid at each window position.
 *
 * Sample rules (stated in docs/statistics.md):
 * - a pair can breach only when its long window holds at least MIN_BURN_BAD_EVENTS
 *   bad events and both windows' lower bounds are past the factor;
 * - a pair burning past its factor on point estimates but not convincingly yet is
 *   insufficient evidence (with the bounds in the reason), never a pass;
 * - a pair is clear when it does not burn past its factor and its long window is
 *   big enough that firing would have taken at least MIN_BURN_BAD_EVENTS bad events
 *   (total · factor · (1 − slo) ≥ MIN_BURN_BAD_EVENTS);
 * - the guard passes when every pair is clear.
 */
import type { GuardResult } from './guard-result.js';
import type { RuleOutcome } from './guard-verdict.js';
import type { BurnWindowCounts } from './kpi-aggregate.js';
import { checkCount, isCount } from './arm-estimate.js';
import { formatCount, formatValue } from './format-number.js';
import { DEFAULT_MIN_UNITS, defaultTuneUnits, sequenceMultiplier } from './guard-verdict.js';

/** Bad events a long window needs before its burn rate counts (see the module comment). */
export const MIN_BURN_BAD_EVENTS = 5;

/**
 * The KPI's false alarm share when the caller gives none: the plan's default
 * launch-wide budget (analysis.false_alarm_rate, 5%).
 */
export const DEFAULT_BURN_ALPHA = 0.05;

/**
 * Where a window's sequence is tuned to be tightest: as a one-arm guard with the
 * default min_units (100). Tuning moves power, never validity (ADR 0006, choice 3);
 * tuned early, the multiplier stays between 3.3 and 4.5 from 10 to 10⁶ events at a
 * share of 0.3%, so a handful of glaring errors in a 5-minute window still counts.
 */
const BURN_TUNE_EVENTS = defaultTuneUnits(DEFAULT_MIN_UNITS, 1);

type BurnRow = NonNullable<GuardResult['burn']>[number];

/** A burn row with the anytime-valid lower bounds of both windows' burn rates. */
export interface BurnRowWithBounds extends BurnRow {
  /** Lower bound of the long window's burn rate (0 without events). */
  longRateLower: number;
  /** Lower bound of the short window's burn rate (0 without events). */
  shortRateLower: number;
}

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
    if (!(isCount(w.windowMs) && isCount(w.bad) && isCount(w.total))) {
      const bad =
        checkCount(w.windowMs, `${arm}.windows[${i}].windowMs`) ??
        checkCount(w.bad, `${arm}.windows[${i}].bad`) ??
        checkCount(w.total, `${arm}.windows[${i}].total`);
      if (bad !== undefined) return bad;
    }
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

/**
 * Anytime-valid lower bound of a window's burn rate: the one-sided confidence
 * sequence lower bound of its bad-event ratio, p̂ − z(n)·√(p̃(1−p̃)/n) with the
 * Agresti–Caffo p̃ = (bad+1)/(total+2) (so that a handful of events never looks
 * certain), divided by the budget; 0 without events.
 */
export function burnRateLowerBound(
  w: BurnWindowCounts | undefined,
  budget: number,
  alpha: number,
): number {
  if (w === undefined || w.total === 0) return 0;
  const n = w.total;
  const pTilde = (w.bad + 1) / (n + 2);
  const lower =
    w.bad / n -
    sequenceMultiplier(n, alpha, BURN_TUNE_EVENTS) * Math.sqrt((pTilde * (1 - pTilde)) / n);
  if (lower <= 0) return 0;
  return budget === 0 ? Infinity : lower / budget;
}

/** Error ratio of the longest window with events, as the KPI's point estimate. */
export function errorRatio(windows: BurnWindowCounts[]): number | null {
  let best: BurnWindowCounts | undefined;
  for (const w of windows)
    if (w.total > 0 && (best === undefined || w.windowMs > best.windowMs)) best = w;
  return best === undefined ? null : best.bad / best.total;
}

type PairStatus =
  | { kind: 'firing' }
  | { kind: 'clear' }
  | { kind: 'missing'; window: number }
  | { kind: 'short-empty' }
  | { kind: 'few-bad' }
  | { kind: 'unconvincing' }
  | { kind: 'small'; needed: number };

/**
 * The verdict of an SLO burn-rate guard on the treatment's windows. `alpha` is the
 * KPI's share of the launch's false alarm budget (default DEFAULT_BURN_ALPHA).
 */
export function evaluateBurnRate(
  burn: { slo: number; windows: { long: number; short: number; factor: number }[] },
  windows: BurnWindowCounts[],
  alpha: number = DEFAULT_BURN_ALPHA,
): { outcome: RuleOutcome; burn: BurnRowWithBounds[] } {
  const budget = 1 - burn.slo;
  const pairAlpha = alpha / Math.max(1, burn.windows.length);
  const byLength = new Map<number, BurnWindowCounts>();
  for (const w of windows) byLength.set(w.windowMs, w);
  const rows: BurnRowWithBounds[] = [];
  const statuses: PairStatus[] = [];
  for (const pair of burn.windows) {
    const long = byLength.get(pair.long);
    const short = byLength.get(pair.short);
    const row: BurnRowWithBounds = {
      long: pair.long,
      short: pair.short,
      factor: pair.factor,
      longRate: burnRate(long, budget),
      shortRate: burnRate(short, budget),
      longRateLower: burnRateLowerBound(long, budget, pairAlpha),
      shortRateLower: burnRateLowerBound(short, budget, pairAlpha),
    };
    rows.push(row);
    statuses.push(pairStatus(pair, row, long, short, budget));
  }
  const slo = `SLO ${formatValue(burn.slo * 100)}%`;
  const describe = (i: number): string => {
    const row = rows[i] as BurnRowWithBounds;
    const long = byLength.get(row.long);
    const short = byLength.get(row.short);
    const name = `${formatWindow(row.long)}/${formatWindow(row.short)} at ${formatValue(row.factor)}x`;
    const rates = `long ${formatValue(row.longRate)}x (at least ${formatValue(row.longRateLower)}x) over ${formatCount(long?.total ?? 0)} events, short ${formatValue(row.shortRate)}x (at least ${formatValue(row.shortRateLower)}x) over ${formatCount(short?.total ?? 0)}`;
    const status = statuses[i] as PairStatus;
    switch (status.kind) {
      case 'missing':
        return `${name}: no counts for the ${formatWindow(status.window)} window`;
      case 'short-empty':
        return `${name}: the long window burns fast but the short one has no events yet (${rates})`;
      case 'few-bad':
        return `${name}: burning fast on only ${formatCount(long?.bad ?? 0)} bad events, needs ${MIN_BURN_BAD_EVENTS} (${rates})`;
      case 'unconvincing':
        return `${name}: burning faster than its factor, but not convincingly yet: the anytime-valid lower bounds (at a false alarm share of ${formatValue(pairAlpha)}) must both exceed ${formatValue(row.factor)}x (${rates})`;
      case 'small':
        return `${name}: ${formatCount(long?.total ?? 0)} events in the long window, needs ${formatCount(status.needed)} (${rates})`;
      default:
        return `${name} (${rates})`;
    }
  };
  const indexes = (match: (kind: PairStatus['kind']) => boolean): number[] => {
    const out: number[] = [];
    for (let i = 0; i < statuses.length; i++)
      if (match((statuses[i] as PairStatus).kind)) out.push(i);
    return out;
  };
  const firing = indexes((kind) => kind === 'firing');
  if (firing.length > 0)
    return {
      outcome: {
        verdict: 'breach',
        rule: 'burn-rate',
        reason: `burning the error budget of the ${slo} too fast: ${firing.map(describe).join('; ')}`,
      },
      burn: rows,
    };
  const thin = indexes((kind) => kind !== 'firing' && kind !== 'clear');
  if (thin.length > 0)
    return {
      outcome: {
        verdict: 'insufficient-evidence',
        rule: 'burn-rate',
        reason: `not enough events to judge the ${slo}: ${thin.map(describe).join('; ')}`,
      },
      burn: rows,
    };
  // Name the pair closest to its factor: the one a person would watch.
  let closest = 0;
  rows.forEach((r, i) => {
    const c = rows[closest] as BurnRowWithBounds;
    if (r.longRate / r.factor > c.longRate / c.factor) closest = i;
  });
  return {
    outcome: {
      verdict: 'pass',
      rule: 'burn-rate',
      reason: `every window pair burns the error budget of the ${slo} slower than its factor; closest: ${describe(closest)}`,
    },
    burn: rows,
  };
}

function pairStatus(
  pair: { long: number; short: number; factor: number },
  row: BurnRowWithBounds,
  long: BurnWindowCounts | undefined,
  short: BurnWindowCounts | undefined,
  budget: number,
): PairStatus {
  if (long === undefined) return { kind: 'missing', window: pair.long };
  if (short === undefined) return { kind: 'missing', window: pair.short };
  const over = row.longRate > pair.factor && row.shortRate > pair.factor;
  const convincing = row.longRateLower > pair.factor && row.shortRateLower > pair.factor;
  if (convincing && long.bad >= MIN_BURN_BAD_EVENTS) return FIRING;
  if (row.longRate > pair.factor && short.total === 0) return SHORT_EMPTY;
  if (over && long.bad < MIN_BURN_BAD_EVENTS) return FEW_BAD;
  // Past the factor on point estimates but not provably: wait rather than pass.
  if (over) return UNCONVINCING;
  // Percentages parse to binary fractions (99.9% → 0.9990000000000001); without the
  // slack, 5 / 0.000999… would ask for 5,001 events instead of 5,000.
  const needed =
    budget > 0 ? Math.ceil((MIN_BURN_BAD_EVENTS / (pair.factor * budget)) * (1 - 1e-9)) : 1;
  if (long.total < needed) return { kind: 'small', needed };
  return CLEAR;
}

// The statuses without data, one object each (statuses are read, never changed).
const FIRING: PairStatus = { kind: 'firing' };
const SHORT_EMPTY: PairStatus = { kind: 'short-empty' };
const FEW_BAD: PairStatus = { kind: 'few-bad' };
const UNCONVINCING: PairStatus = { kind: 'unconvincing' };
const CLEAR: PairStatus = { kind: 'clear' };
