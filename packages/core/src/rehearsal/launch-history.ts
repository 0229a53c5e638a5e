/**
 * History informs plans (issue 18): what past launches of a plan measured — each
 * KPI's baseline and spread in the control arm, and the traffic — as a traffic
 * profile, and what each phase can detect on it. `plan explain` and the
 * rehearsal use it as their default; `--traffic` and `--baseline` override it.
 */
import type { KpiKind, Plan } from '../plan/index.js';
import type { KpiAggregate } from '../statistics/index.js';
import { detectableEffects } from './detectable-effects.js';
import type { PhaseDetectableEffects } from './rehearsal-report.js';
import { prepareRehearsal } from './rehearse.js';
import type { KpiBaseline, TrafficProfile } from './traffic-profile.js';
import { checkBaseline } from './traffic-profile.js';

/** A KPI's control-arm aggregate over one past launch's first compared phase. */
export interface MeasuredKpi {
  kpi: string;
  kind: KpiKind;
  control: KpiAggregate;
}

/**
 * The baseline (value and spread) a control-arm aggregate measured, pooled over
 * launches; null when the kind is not measured this way (quantile, slo-burn) or
 * there were no units.
 */
export function measuredBaseline(aggregates: readonly KpiAggregate[]): KpiBaseline | null {
  let units = 0;
  let sum = 0;
  let sumSquares = 0;
  let numerator = 0;
  let denominator = 0;
  let kind: KpiKind | null = null;
  for (const a of aggregates) {
    kind = a.kind;
    if (a.kind === 'occurrence' || a.kind === 'count' || a.kind === 'mean') {
      units += a.units;
      sum += a.sum;
      sumSquares += a.sumSquares;
    } else if (a.kind === 'ratio') {
      units += a.units;
      numerator += a.sumNumerator;
      denominator += a.sumDenominator;
    } else return null;
  }
  if (kind === null || units === 0) return null;
  if (kind === 'ratio') return denominator > 0 ? { value: numerator / denominator } : null;
  const mean = sum / units;
  if (kind === 'occurrence') return { value: Math.min(1, Math.max(0, mean)) };
  const variance = units > 1 ? Math.max(0, (sumSquares - units * mean * mean) / (units - 1)) : 0;
  return { value: mean, sd: Math.sqrt(variance) };
}

/** What `history` says about one KPI. */
export interface KpiHistory {
  kpi: string;
  /** Pooled over the launches that measured it; null with a reason in `note`. */
  baseline: KpiBaseline | null;
  /** Launches that measured it. */
  launches: number;
  /** Each launch's own value, oldest first (its spread is the launch-to-launch variation). */
  values: number[];
  note: string | null;
}

/** Whether a past KPI is the same measurement as the plan's (same name, kind and source). */
export function sameKpi(
  now: { name: string; kind: string; source: string },
  then: { name: string; kind: string; source: string },
): boolean {
  return now.name === then.name && now.kind === then.kind && now.source === then.source;
}

/**
 * The detectable effects of each phase on a profile (the engine's own MDE
 * functions, as a rehearsal reports them), without simulating any launch.
 */
export function profileDetection(plan: Plan, profile: TrafficProfile): PhaseDetectableEffects[] {
  for (const [name, b] of Object.entries(profile.baselines ?? {})) {
    const kpi = Object.values(plan.kpis)
      .flat()
      .find((k) => k.name === name);
    const why = kpi === undefined ? `the plan has no KPI ${name}` : checkBaseline(kpi.kind, b);
    if (why !== undefined) throw new RangeError(`baselines.${name}: ${why}`);
  }
  const prepared = prepareRehearsal(plan, profile, { runs: 1 });
  const { history } = prepared;
  const historyMs = history.length * history.intervalMs;
  return detectableEffects({
    plan,
    samplers: prepared.samplers,
    unitsPerMinute: ((prepared.unitsPrefix[history.length] ?? 0) / historyMs) * 60_000,
    audience: prepared.simulation.audience,
  });
}
