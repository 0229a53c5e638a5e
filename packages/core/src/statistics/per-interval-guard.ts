/**
 * How a KPI read as per-interval samples (ADR 0015: each `step` of a metrics
 * engine is one sample) is judged, shared by the controller's sources and the
 * rehearsal so both judge a Prometheus KPI alike.
 */
import type { Kpi, Plan } from '../plan/index.js';
import { evaluateGuard } from './evaluate-guard.js';
import type { GuardResult } from './guard-result.js';
import type { ArmAggregates } from './kpi-aggregate.js';

/**
 * Samples per arm a per-interval KPI needs before a pass (ADR 0015): the phase's
 * min_units counts randomization units, which a metrics engine does not have, and
 * an asymptotic sequence needs a few dozen samples before its normal approximation
 * holds.
 */
export const MIN_INTERVAL_SAMPLES = 20;

/** Default `step` of a Prometheus KPI: one sample per minute. */
export const DEFAULT_INTERVAL_STEP_MS = 60_000;

/** Whether a KPI is read as per-interval samples (a Prometheus KPI other than a burn rate). */
export function readsPerInterval(kpi: Kpi): boolean {
  return kpi.source === 'prometheus' && kpi.kind !== 'slo-burn';
}

/** The basis a KPI's evidence has: per-unit (events), per-interval, or request counts (burn rates). */
export function kpiBasis(
  kpi: Kpi,
): 'per-unit' | 'per-interval' | 'per-interval-limit' | 'request-counts' {
  if (kpi.source !== 'prometheus') return 'per-unit';
  if (kpi.kind === 'slo-burn') return 'request-counts';
  if (kpi.kind !== 'ratio' && kpi.guard.compare === undefined) return 'per-interval-limit';
  return 'per-interval';
}

// The KPI as another kind, once per KPI object: this runs at every look of a rehearsal.
const asKinds = new WeakMap<Kpi, Map<Kpi['kind'], Kpi>>();
function relabelled(kpi: Kpi, kind: Kpi['kind']): Kpi {
  let byKind = asKinds.get(kpi);
  if (byKind === undefined) asKinds.set(kpi, (byKind = new Map()));
  let judged = byKind.get(kind);
  if (judged === undefined) byKind.set(kind, (judged = { ...kpi, kind }));
  return judged;
}

/**
 * Judge per-interval data with the budget share `g` (the plan-wide evaluation's
 * result for the KPI) was given: a quantile read as per-interval values is judged
 * as the mean of the intervals' quantiles, and keeps its kind in the result.
 */
export function evaluatePerInterval(
  g: GuardResult,
  kpi: Kpi,
  data: ArmAggregates | undefined,
  method: Plan['analysis']['method'],
  explain = true,
  baseline?: string,
): GuardResult {
  const asKind = data?.treatment.kind ?? kpi.kind;
  const judged = asKind === kpi.kind ? kpi : relabelled(kpi, asKind);
  const result = evaluateGuard(judged, data, {
    alpha: g.alpha.guard > 0 ? g.alpha.guard : g.alpha.launch,
    launchAlpha: g.alpha.launch,
    ...(g.alpha.phases === undefined ? {} : { phases: g.alpha.phases }),
    method,
    minUnits: MIN_INTERVAL_SAMPLES,
    category: g.category,
    ...(explain ? {} : { explain: false }),
    ...(baseline === undefined || data?.control === undefined ? {} : { baseline }),
  });
  // evaluateGuard's result is new at every call, so it is this call's own to relabel
  // (a spread followed by a key costs V8 (Node 20) about 1 µs a key).
  result.kind = kpi.kind;
  return result;
}
