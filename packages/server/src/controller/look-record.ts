/**
 * A recorded look: what the dashboard charts over time. Each KPI's estimate,
 * interval and verdict, the split check, units per arm, and the look's one-line
 * status, compact enough to keep one every few seconds for a whole launch.
 */
import type { Condition, Evidence, GuardResult, Look, LookState } from '@threshold/core';

/** One KPI at one look. */
export interface LookKpi {
  kpi: string;
  category: GuardResult['category'];
  verdict: GuardResult['verdict'];
  /** The guard's own sentence. */
  reason: string;
  estimate: GuardResult['estimate'];
  /** Comparisons: treatment − control (absolute) or treatment / control − 1 (relative). */
  difference: number | null;
  /** The anytime-valid interval of the difference (or, for hard limits, of treatment); null without one. */
  interval: [number | null, number | null] | null;
  /** The margin as a difference in the bad direction (comparisons), or the hard limit. */
  threshold: number | null;
  relative: boolean | null;
  bad: 'increase' | 'decrease' | null;
  units: { treatment: number; control: number };
}

/** A look as stored in the launch's log (event type `look`) and served by GET …/looks. */
export interface LookRecord {
  /** Time of the look (ms). */
  at: number;
  status: Look['status'];
  state: LookState;
  /** The look's status line, e.g. "waiting: 1,204 of 2,000 units in control". */
  summary: string;
  phase: string;
  phaseIndex: number;
  traffic: number;
  next: Look['next'];
  conditions: Condition[];
  units: { treatment: number; control: number };
  srm: {
    healthy: boolean;
    pValue: number;
    threshold: number;
    observed: { treatment: number; control: number };
    expectedShare: { treatment: number; control: number };
  };
  kpis: LookKpi[];
}

const finiteOrNull = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/** The compact form of one guard result. */
export function lookKpiOf(g: GuardResult): LookKpi {
  const c = g.comparison;
  const interval = c?.interval ?? g.limit?.interval ?? null;
  const limit = g.limit === undefined ? null : (g.limit.max ?? g.limit.min ?? null);
  return {
    kpi: g.kpi,
    category: g.category,
    verdict: g.verdict,
    reason: g.reason,
    estimate: g.estimate,
    difference: finiteOrNull(c?.difference),
    interval: interval === null ? null : [finiteOrNull(interval[0]), finiteOrNull(interval[1])],
    threshold:
      c === undefined
        ? limit
        : finiteOrNull(c.threshold ?? (c.bad === 'increase' ? c.margin : -c.margin)),
    relative: c === undefined ? null : c.relative,
    bad: c === undefined ? null : c.bad,
    units: g.units,
  };
}

/** The record of one look from decide()'s look and the evidence it was shown. */
export function lookRecordOf(look: Look, evidence: Evidence): LookRecord {
  const s = evidence.srm;
  return {
    at: look.at,
    status: look.status,
    state: look.state,
    summary: look.summary,
    phase: look.phase,
    phaseIndex: look.phaseIndex,
    traffic: look.traffic,
    next: look.next,
    conditions: look.conditions,
    units: evidence.units,
    srm: {
      healthy: s.healthy,
      pValue: s.pValue,
      threshold: s.threshold,
      observed: s.observed,
      expectedShare: s.expectedShare,
    },
    kpis: evidence.guards.map(lookKpiOf),
  };
}
