/**
 * One KPI's guard at one look: every rule of the guard (comparison, hard limits,
 * burn rate) on the KPI's aggregates, combined into one verdict. Never throws:
 * missing, thin or malformed data is insufficient-evidence with a reason.
 */
import type { Kpi, KpiCategory } from '../plan/index.js';
import { momentEstimate, ratioEstimate } from './arm-estimate.js';
import type { ArmEstimateOutcome } from './arm-estimate.js';
import { checkBurnWindows, errorRatio, evaluateBurnRate } from './burn-rate-guard.js';
import type { GuardResult } from './guard-result.js';
import { DEFAULT_MIN_UNITS } from './guard-verdict.js';
import type { RuleOutcome, RuleSettings } from './guard-verdict.js';
import type { ArmAggregates, KpiAggregate } from './kpi-aggregate.js';
import { METHOD_NAMES, compareMeans, limitMean } from './mean-guard.js';
import { checkSketch, compareQuantiles, limitQuantile, sketchUnits } from './quantile-guard.js';
import { sketchQuantile } from './quantile-sketch.js';

/** Options of evaluateGuard. */
export interface GuardOptions {
  /** This KPI's share of the launch-wide false alarm budget (see splitFalseAlarmBudget). */
  alpha: number;
  /** The launch-wide false alarm budget, reported in the result. */
  launchAlpha: number;
  method: 'confidence-sequence' | 'msprt';
  /** Units per arm before a pass (the phase's min_units; default 100). */
  minUnits?: number;
  /**
   * Accepted for callers that pass the look's time; burn-rate windows arrive
   * already counted over their trailing windows, so no rule reads it.
   */
  nowMs?: number;
  /**
   * Samples in the sequence at which its interval should be tightest (default:
   * 2 × max(minUnits, 30) for comparisons, max(minUnits, 30) for one arm). A caller
   * that knows the phase's traffic share s can pass minUnits / min(s, 1 − s).
   */
  tuneUnits?: number;
  /** The KPI's category in the matrix, reported in the result (default operational-health). */
  category?: KpiCategory;
}

const QUANTILE_METHOD = 'quantile-confidence-sequence';
const BURN_METHOD = 'multiwindow-burn-rate';

type Partial_ = Omit<GuardResult, 'kpi' | 'category' | 'kind' | 'alpha' | 'method'> & {
  method?: string;
};

/** The category of a KPI is not on the Kpi object; evaluateGuards passes it. */
const DEFAULT_CATEGORY = 'operational-health' as const;

function isStatistical(kpi: Kpi): boolean {
  const g = kpi.guard;
  return g.compare !== undefined || g.max !== undefined || g.min !== undefined;
}

function insufficient(reason: string, units = { treatment: 0, control: 0 }): Partial_ {
  return {
    verdict: 'insufficient-evidence',
    rule: 'min-sample',
    reason,
    estimate: { treatment: null, control: null },
    units,
  };
}

function checkOptions(o: GuardOptions): string | undefined {
  if (!(o.alpha > 0 && o.alpha < 1))
    return `options.alpha must be between 0 and 1, got ${String(o.alpha)}`;
  if (!(o.launchAlpha > 0 && o.launchAlpha < 1))
    return `options.launchAlpha must be between 0 and 1, got ${String(o.launchAlpha)}`;
  if (o.method !== 'confidence-sequence' && o.method !== 'msprt')
    return `options.method must be confidence-sequence or msprt, got ${String(o.method)}`;
  if (o.minUnits !== undefined && !(Number.isFinite(o.minUnits) && o.minUnits >= 0))
    return `options.minUnits must be a non-negative number, got ${String(o.minUnits)}`;
  if (o.tuneUnits !== undefined && !(Number.isFinite(o.tuneUnits) && o.tuneUnits > 0))
    return `options.tuneUnits must be a positive number, got ${String(o.tuneUnits)}`;
  return undefined;
}

/** Combine rule outcomes: any breach wins, a pass needs every rule to pass. */
function combine(outcomes: RuleOutcome[]): RuleOutcome {
  const breach = outcomes.find((o) => o.verdict === 'breach');
  if (breach !== undefined) return breach;
  const open = outcomes.filter((o) => o.verdict !== 'pass');
  if (open.length === 0)
    return {
      verdict: 'pass',
      rule: outcomes[0]?.rule ?? 'compare',
      reason: outcomes.map((o) => o.reason).join('; '),
    };
  return {
    verdict: 'insufficient-evidence',
    rule: (open[0] as RuleOutcome).rule,
    reason: open.map((o) => o.reason).join('; '),
  };
}

function estimateOf(
  kind: 'occurrence' | 'count' | 'mean' | 'ratio',
  a: KpiAggregate,
  arm: string,
): ArmEstimateOutcome {
  if (kind === 'ratio') return ratioEstimate(a as Extract<KpiAggregate, { kind: 'ratio' }>, arm);
  return momentEstimate(kind, a as Extract<KpiAggregate, { kind: 'occurrence' }>, arm);
}

function evaluateMeans(
  kpi: Kpi & { kind: 'occurrence' | 'count' | 'mean' | 'ratio' },
  data: ArmAggregates,
  settings: RuleSettings,
): Partial_ {
  const t = estimateOf(kpi.kind, data.treatment, 'treatment');
  const c = data.control === undefined ? undefined : estimateOf(kpi.kind, data.control, 'control');
  const units = {
    treatment: t.ok ? t.estimate.units : unitsOf(data.treatment),
    control: c?.ok ? c.estimate.units : data.control === undefined ? 0 : unitsOf(data.control),
  };
  const out: Partial_ = {
    ...insufficient('', units),
    estimate: {
      treatment: t.ok ? t.estimate.value : null,
      control: c?.ok ? c.estimate.value : null,
    },
  };
  const outcomes: RuleOutcome[] = [];
  const { compare, max, min } = kpi.guard;
  if (compare !== undefined) {
    if (!t.ok || c === undefined || !c.ok) {
      const reason = !t.ok
        ? t.reason
        : c === undefined
          ? 'no control arm to compare with'
          : c.ok
            ? ''
            : c.reason;
      outcomes.push({ verdict: 'insufficient-evidence', rule: 'min-sample', reason });
      out.comparison = {
        bad: compare.bad,
        relative: compare.relative,
        margin: compare.margin,
        threshold: compare.bad === 'increase' ? compare.margin : -compare.margin,
        difference: null,
        interval: null,
      };
    } else {
      const r = compareMeans(compare, t.estimate, c.estimate, settings);
      outcomes.push(r.outcome);
      out.comparison = r.comparison;
      if (r.evidence !== undefined) out.evidence = r.evidence;
    }
  }
  if (max !== undefined || min !== undefined) {
    const limits = { ...(max !== undefined && { max }), ...(min !== undefined && { min }) };
    if (!t.ok) {
      outcomes.push({ verdict: 'insufficient-evidence', rule: 'min-sample', reason: t.reason });
      out.limit = { ...limits, interval: null };
    } else {
      const r = limitMean(limits, t.estimate, settings);
      outcomes.push(r.outcome);
      out.limit = r.limit;
    }
  }
  return { ...out, ...combine(outcomes) };
}

function unitsOf(a: KpiAggregate): number {
  if (a.kind === 'quantile') return Number.isFinite(a.sketch?.units) ? sketchUnits(a.sketch) : 0;
  if (a.kind === 'slo-burn') return 0;
  return Number.isFinite(a.units) && a.units > 0 ? a.units : 0;
}

function evaluateQuantile(kpi: Kpi, data: ArmAggregates, settings: RuleSettings): Partial_ {
  const q = kpi.q;
  if (q === undefined || !(q > 0 && q < 1))
    return insufficient(`KPI ${kpi.name} of kind quantile needs q between 0 and 1`);
  const t = (data.treatment as Extract<KpiAggregate, { kind: 'quantile' }>).sketch;
  const c = (data.control as Extract<KpiAggregate, { kind: 'quantile' }> | undefined)?.sketch;
  const bad =
    checkSketch(t, 'treatment') ?? (c === undefined ? undefined : checkSketch(c, 'control'));
  if (bad !== undefined) return insufficient(bad);
  const out: Partial_ = {
    ...insufficient('', {
      treatment: sketchUnits(t),
      control: c === undefined ? 0 : sketchUnits(c),
    }),
    estimate: {
      treatment: sketchQuantile(t, q),
      control: c === undefined ? null : sketchQuantile(c, q),
    },
    method: QUANTILE_METHOD,
  };
  const outcomes: RuleOutcome[] = [];
  const { compare, max, min } = kpi.guard;
  if (compare !== undefined) {
    if (c === undefined) {
      outcomes.push({
        verdict: 'insufficient-evidence',
        rule: 'min-sample',
        reason: 'no control arm to compare with',
      });
      out.comparison = {
        ...compare,
        threshold: compare.bad === 'increase' ? compare.margin : -compare.margin,
        difference: null,
        interval: null,
      };
    } else {
      const r = compareQuantiles(compare, q, t, c, settings);
      outcomes.push(r.outcome);
      out.comparison = r.comparison;
    }
  }
  if (max !== undefined || min !== undefined) {
    const r = limitQuantile(
      { ...(max !== undefined && { max }), ...(min !== undefined && { min }) },
      q,
      t,
      settings,
    );
    outcomes.push(r.outcome);
    out.limit = r.limit;
  }
  return { ...out, ...combine(outcomes) };
}

function evaluateBurn(kpi: Kpi, data: ArmAggregates): Partial_ {
  const burn = kpi.guard.burn_rate;
  if (burn === undefined)
    return insufficient(`KPI ${kpi.name} of kind slo-burn needs a burn_rate guard`);
  const t = (data.treatment as Extract<KpiAggregate, { kind: 'slo-burn' }>).windows;
  const c = (data.control as Extract<KpiAggregate, { kind: 'slo-burn' }> | undefined)?.windows;
  const bad =
    checkBurnWindows(t, 'treatment') ??
    (c === undefined ? undefined : checkBurnWindows(c, 'control'));
  if (bad !== undefined) return insufficient(bad);
  const r = evaluateBurnRate(burn, t);
  return {
    ...r.outcome,
    estimate: { treatment: errorRatio(t), control: c === undefined ? null : errorRatio(c) },
    units: { treatment: 0, control: 0 },
    burn: r.burn,
    method: BURN_METHOD,
  };
}

function evaluateUnsafe(
  kpi: Kpi,
  data: ArmAggregates | undefined,
  options: GuardOptions,
): Partial_ {
  const badOption = checkOptions(options);
  if (badOption !== undefined) return insufficient(badOption);
  if (
    data === undefined ||
    data === null ||
    typeof data !== 'object' ||
    data.treatment === undefined
  )
    return insufficient(`no data yet for KPI ${kpi.name}`);
  for (const [arm, a] of [
    ['treatment', data.treatment],
    ['control', data.control],
  ] as const) {
    if (a !== undefined && a?.kind !== kpi.kind)
      return insufficient(
        `${arm} aggregate is of kind ${String(a?.kind)}, but KPI ${kpi.name} is of kind ${kpi.kind}`,
      );
  }
  const statistical = isStatistical(kpi);
  const groups =
    (kpi.guard.compare !== undefined ? 1 : 0) +
    (kpi.guard.max !== undefined || kpi.guard.min !== undefined ? 1 : 0);
  const settings: RuleSettings = {
    // A KPI with both a comparison and hard limits splits its share between them.
    alpha: statistical ? options.alpha / groups : options.alpha,
    method: options.method,
    minUnits: options.minUnits ?? DEFAULT_MIN_UNITS,
    ...(options.tuneUnits !== undefined && { tuneUnits: options.tuneUnits }),
  };
  switch (kpi.kind) {
    case 'slo-burn':
      return evaluateBurn(kpi, data);
    case 'quantile':
      return evaluateQuantile(kpi, data, settings);
    default:
      if (!statistical) return insufficient(`KPI ${kpi.name} has no comparison or limit to check`);
      return evaluateMeans(kpi as Kpi & { kind: 'occurrence' }, data, settings);
  }
}

/**
 * Evaluate one KPI's guard at one look. `options.alpha` is this KPI's share of the
 * launch's false alarm budget; a burn-rate guard is not a statistical test and
 * reports a share of 0.
 */
export function evaluateGuard(
  kpi: Kpi,
  data: ArmAggregates | undefined,
  options: GuardOptions,
): GuardResult {
  let partial: Partial_;
  try {
    partial = evaluateUnsafe(kpi, data, options);
  } catch (e) {
    // Every input should become a verdict; this is the last line of defence so that a
    // bug yields insufficient-evidence with its message rather than a crashed look.
    partial = insufficient(
      `could not evaluate KPI ${kpi.name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const method = partial.method ?? METHOD_NAMES[options.method] ?? String(options.method);
  return {
    kpi: kpi.name,
    category: options.category ?? DEFAULT_CATEGORY,
    kind: kpi.kind,
    ...partial,
    alpha: {
      guard: isStatistical(kpi) && Number.isFinite(options.alpha) ? options.alpha : 0,
      launch: options.launchAlpha,
    },
    method,
  };
}
