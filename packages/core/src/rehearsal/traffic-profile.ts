/**
 * A synthetic history for teams without data yet: steady (or daily-cycling)
 * traffic and a stated baseline per KPI, turned into the same per-interval
 * columns a history file has. Deterministic: the rehearsal adds the noise.
 */
import type { Kpi, KpiKind, Plan } from '../plan/index.js';
import { KPI_CATEGORIES } from '../plan/index.js';
import { normalQuantile } from '../statistics/index.js';
import { didYouMeanSuffix } from '../text/index.js';
import type { History } from './history.js';

/** A KPI's baseline: its value, and optionally the spread of its per-unit values. */
export interface KpiBaseline {
  /**
   * occurrence: the rate (0.05); count: events per unit; mean: mean value per unit;
   * ratio: the ratio; quantile: the q-quantile itself; slo-burn: the bad fraction.
   */
  value: number;
  /**
   * count and mean: standard deviation of the per-unit value (default √value for
   * counts, value for means); quantile: standard deviation of ln(value) (default 0.5).
   * Ignored for the other kinds.
   */
  sd?: number;
}

/** Synthetic traffic. */
export interface TrafficProfile {
  /** Mean new units per minute. */
  unitsPerMinute: number;
  /** Daily cycle: traffic peaks at 15:00 UTC and bottoms out at 03:00 UTC (default false). */
  diurnal?: boolean;
  /** Swing of the daily cycle: from 1 − a to 1 + a times the mean (default 0.5). */
  diurnalAmplitude?: number;
  /** Length of the synthetic history (default 7 days). */
  durationMs?: number;
  /** Row length (default 1 minute). */
  intervalMs?: number;
  /** Baselines by KPI name; KPIs not named get {@link defaultBaseline}. */
  baselines?: Record<string, KpiBaseline>;
}

/** Monday 2026-01-05 00:00 UTC: a fixed start, so synthetic reports never depend on a clock. */
export const SYNTHETIC_START = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
/** Events per unit behind ratio denominators and SLO totals in synthetic histories. */
const RATIO_DENOMINATOR_PER_UNIT = 2;
const SLO_EVENTS_PER_UNIT = 4;

/** The baseline a KPI gets when none is given, by kind (documented in docs/rehearsal.md). */
export function defaultBaseline(kpi: Kpi): KpiBaseline {
  switch (kpi.kind) {
    case 'occurrence':
      return { value: 0.05 };
    case 'count':
      return { value: 0.5 };
    case 'mean':
      return { value: 1 };
    case 'ratio':
      return { value: 0.2 };
    case 'quantile':
      return { value: 1, sd: 0.5 };
    case 'slo-burn':
      // Half the error budget: a healthy service that does not burn it.
      return { value: (1 - (kpi.guard.burn_rate?.slo ?? 0.999)) / 2 };
  }
}

/** Why a baseline cannot be used for a kind, or undefined. */
export function checkBaseline(kind: KpiKind, b: KpiBaseline): string | undefined {
  if (!Number.isFinite(b.value)) return `the value must be a number, got ${String(b.value)}`;
  if ((kind === 'occurrence' || kind === 'slo-burn') && !(b.value >= 0 && b.value <= 1))
    return `a ${kind} baseline is a rate from 0% to 100%, got ${b.value}`;
  if ((kind === 'count' || kind === 'ratio') && b.value < 0)
    return `a ${kind} baseline cannot be negative, got ${b.value}`;
  if (kind === 'quantile' && !(b.value > 0))
    return `a quantile baseline must be positive (a log-normal model), got ${b.value}`;
  if (b.sd !== undefined && !(Number.isFinite(b.sd) && b.sd >= 0))
    return `the spread after ~ must be a number of 0 or more, got ${String(b.sd)}`;
  return undefined;
}

/** The outcome of reading a rate or a baseline from text. */
export type SpecResult<T> = { ok: true; value: T } | { ok: false; message: string };

const RATE_UNITS: Record<string, number> = { s: 1 / 60, sec: 1 / 60, min: 1, m: 1, h: 60, d: 1440 };

/** "1200/min", "20/s", "72000/h", "1200" (per minute) → units per minute. */
export function parseTrafficRate(text: string): SpecResult<number> {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?\s*$/i.exec(text);
  const unit = (m?.[2] ?? 'min').toLowerCase();
  const per = RATE_UNITS[unit];
  if (m === null || per === undefined)
    return {
      ok: false,
      message: `"${text}" is not a rate: write units per time, e.g. 1200/min, 20/s or 72000/h`,
    };
  const value = Number(m[1]) / per;
  if (!(value > 0)) return { ok: false, message: `the rate must be above 0, got "${text}"` };
  return { ok: true, value };
}

/** "conversion=3%", "order_value=42~30", "p95_page_load=1800~0.4" → a named baseline, checked against the plan. */
export function parseBaseline(
  text: string,
  plan: Plan,
): SpecResult<{ kpi: string; baseline: KpiBaseline }> {
  const eq = text.indexOf('=');
  const kpis = KPI_CATEGORIES.flatMap((c) => plan.kpis[c]);
  const names = kpis.map((k) => k.name);
  if (eq <= 0)
    return {
      ok: false,
      message: `"${text}" is not KPI=VALUE: write e.g. ${names[0] ?? 'conversion'}=3%`,
    };
  const name = text.slice(0, eq).trim();
  const kpi = kpis.find((k) => k.name === name);
  if (kpi === undefined)
    return {
      ok: false,
      message: `unknown KPI "${name}"${didYouMeanSuffix(name, names)}; the plan has ${names.join(', ')}`,
    };
  const [valueText = '', sdText] = text
    .slice(eq + 1)
    .split('~')
    .map((s) => s.trim());
  const value = parseNumberOrPercent(valueText);
  if (value === null)
    return {
      ok: false,
      message: `baseline of ${name}: "${valueText}" is not a number or a percentage`,
    };
  const baseline: KpiBaseline = { value };
  if (sdText !== undefined) {
    const sd = parseNumberOrPercent(sdText);
    if (sd === null)
      return { ok: false, message: `baseline of ${name}: spread "${sdText}" is not a number` };
    baseline.sd = sd;
  }
  const bad = checkBaseline(kpi.kind, baseline);
  if (bad !== undefined) return { ok: false, message: `baseline of ${name}: ${bad}` };
  return { ok: true, value: { kpi: name, baseline } };
}

function parseNumberOrPercent(text: string): number | null {
  const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(%?)$/i.exec(text);
  if (m === null) return null;
  return m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
}

/**
 * The history a profile describes, for the KPIs of `plan`. Integer columns are
 * rounded cumulatively, so totals over any stretch are exact to one unit.
 * Throws a RangeError naming the field for an unusable profile.
 */
export function syntheticHistory(plan: Plan, profile: TrafficProfile): History {
  const intervalMs = profile.intervalMs ?? 60_000;
  const durationMs = profile.durationMs ?? 7 * DAY;
  if (!(profile.unitsPerMinute > 0 && Number.isFinite(profile.unitsPerMinute)))
    throw new RangeError(
      `unitsPerMinute must be a positive number, got ${String(profile.unitsPerMinute)}`,
    );
  if (!(intervalMs >= 1000 && Number.isInteger(intervalMs)))
    throw new RangeError(
      `intervalMs must be a whole number of at least 1000, got ${String(intervalMs)}`,
    );
  const length = Math.floor(durationMs / intervalMs);
  if (!(length >= 2))
    throw new RangeError(`durationMs must cover at least 2 intervals, got ${String(durationMs)}`);
  const amplitude = profile.diurnal === true ? (profile.diurnalAmplitude ?? 0.5) : 0;
  if (!(amplitude >= 0 && amplitude < 1))
    throw new RangeError(
      `diurnalAmplitude must be from 0 to below 1, got ${String(profile.diurnalAmplitude)}`,
    );

  const expected = new Float64Array(length);
  const perInterval = (profile.unitsPerMinute * intervalMs) / 60_000;
  for (let i = 0; i < length; i++) {
    const mid = ((i + 0.5) * intervalMs) % DAY;
    expected[i] =
      perInterval * (1 + amplitude * Math.cos((2 * Math.PI * (mid - 15 * 3_600_000)) / DAY));
  }
  const units = roundCumulative(expected, 1);
  const columns: Record<string, Float64Array> = {};
  const scaled = (perUnit: number) => {
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = (units[i] as number) * perUnit;
    return out;
  };
  for (const kpi of KPI_CATEGORIES.flatMap((c) => plan.kpis[c])) {
    const b = profile.baselines?.[kpi.name] ?? defaultBaseline(kpi);
    const bad = checkBaseline(kpi.kind, b);
    if (bad !== undefined) throw new RangeError(`baselines.${kpi.name}: ${bad}`);
    const k = kpi.name;
    switch (kpi.kind) {
      case 'occurrence':
        columns[`${k}.occurred`] = roundCumulative(units, b.value);
        break;
      case 'count': {
        const sd = b.sd ?? Math.sqrt(b.value);
        columns[`${k}.sum`] = scaled(b.value);
        columns[`${k}.sum_sq`] = scaled(sd * sd + b.value * b.value);
        break;
      }
      case 'mean': {
        const sd = b.sd ?? Math.abs(b.value);
        columns[`${k}.units`] = units.slice();
        columns[`${k}.sum`] = scaled(b.value);
        columns[`${k}.sum_sq`] = scaled(sd * sd + b.value * b.value);
        break;
      }
      case 'ratio': {
        // Denominator per unit ~ Poisson(2); numerator | x ~ Binomial(x, r) (Poisson(r·x) above 1).
        const r = b.value;
        const ex = RATIO_DENOMINATOR_PER_UNIT;
        const exx = ex + ex * ex;
        const spread = r <= 1 ? r * (1 - r) : r;
        columns[`${k}.num`] = scaled(r * ex);
        columns[`${k}.den`] = scaled(ex);
        columns[`${k}.num_sq`] = scaled(spread * ex + r * r * exx);
        columns[`${k}.den_sq`] = scaled(exx);
        columns[`${k}.num_den`] = scaled(r * exx);
        break;
      }
      case 'quantile': {
        const logSd = b.sd ?? 0.5;
        const logMean = Math.log(b.value) - normalQuantile(kpi.q ?? 0.5) * logSd;
        columns[`${k}.values`] = units.slice();
        columns[`${k}.log_mean`] = new Float64Array(length).fill(logMean);
        columns[`${k}.log_sd`] = new Float64Array(length).fill(logSd);
        break;
      }
      case 'slo-burn': {
        const total = scaled(SLO_EVENTS_PER_UNIT);
        columns[`${k}.total`] = total;
        columns[`${k}.bad`] = roundCumulative(total, b.value);
        break;
      }
    }
  }
  return { source: 'synthetic', start: SYNTHETIC_START, intervalMs, length, units, columns };
}

/** Whole numbers whose running totals stay within rounding of the running totals of x·factor. */
function roundCumulative(x: Float64Array, factor: number): Float64Array {
  const out = new Float64Array(x.length);
  let exact = 0;
  let given = 0;
  for (let i = 0; i < x.length; i++) {
    exact += (x[i] as number) * factor;
    const next = Math.round(exact);
    out[i] = next - given;
    given = next;
  }
  return out;
}
