/**
 * The evidence of one look, read from the store: per-arm aggregates of the
 * current phase since it started, guards under the plan's false alarm budget,
 * the split against the planned one, and every approval of the launch.
 */
import {
  baselinePhase,
  checkSampleRatio,
  evaluateGuards,
  guardOptionsFor,
  plannedSplit,
  windowStartMs,
} from '@threshold/core';
import type { Approval, Evidence, Kpi, LaunchState, Plan } from '@threshold/core';
import type { Aggregates, ApprovalRecord, Store } from '../store/store.js';

// The split and the guard options are core's, shared with the rehearsal; re-exported
// because the server's public API has always offered plannedSplit.
export { plannedSplit };

/** An approval as decide() reads it (time in ms). */
export function approvalOf(a: ApprovalRecord): Approval {
  return {
    role: a.role,
    phase: a.phase,
    decision: a.decision,
    actor: a.actor,
    planVersion: a.planVersion,
    at: Date.parse(a.at),
    ...(a.comment === '' ? {} : { comment: a.comment }),
  };
}

/** Read the evidence of the launch's current phase at `now` (ms). */
export async function gatherEvidence(
  store: Store,
  launchId: string,
  plan: Plan,
  state: LaunchState,
  now: number,
): Promise<Evidence> {
  const approvals = (await store.listApprovals(launchId)).map(approvalOf);
  const phase = plan.phases[state.phaseIndex];
  if (phase === undefined) {
    // Before the first phase nobody is exposed: only sign-offs matter.
    return {
      guards: [],
      srm: checkSampleRatio({ treatment: 0, control: 0 }, { treatment: 0, control: 1 }),
      units: { treatment: 0, control: 0 },
      approvals,
    };
  }
  const aggregates = await readPhaseAggregates(store, launchId, plan, phase.name, state, now);
  // The traffic estimate that tunes the guards: units of the phase so far per unit time.
  const seen = {
    units: aggregates.units.treatment + aggregates.units.control,
    elapsedMs: now - state.phaseStartedAt,
  };
  const baseline = await useBaseline(store, launchId, plan, state, now, aggregates);
  const guards = evaluateGuards(plan, aggregates.kpis, {
    ...guardOptionsFor(plan, phase, state.traffic, seen),
    phaseElapsedMs: now - state.phaseStartedAt,
    ...(baseline === undefined ? {} : { baseline }),
  });
  const srm = checkSampleRatio(
    aggregates.units,
    plannedSplit(plan, state.traffic),
    plan.analysis.srm_p_value,
  );
  return { guards, srm, units: aggregates.units, approvals };
}

/**
 * In a phase without a control arm (100%), put the control arm of the last
 * earlier phase that had one (read from the store for that phase) in place of
 * each KPI's missing control: the baseline the comparisons are judged against.
 * Returns that phase's name, or undefined when there is no baseline.
 */
async function useBaseline(
  store: Store,
  launchId: string,
  plan: Plan,
  state: LaunchState,
  now: number,
  aggregates: Aggregates,
): Promise<string | undefined> {
  const from = baselinePhase(plan, state.phaseIndex, state.traffic);
  if (from === undefined) return undefined;
  const kpis = Object.values(plan.kpis).flatMap((list) => list ?? []);
  const read = await store.readAggregates({
    launchId,
    phase: from.name,
    kpis,
    nowMs: Math.floor(now),
  });
  if (!(read.units.control > 0)) return undefined;
  for (const [name, arms] of Object.entries(aggregates.kpis)) {
    const control = read.kpis[name]?.control;
    if (control !== undefined) aggregates.kpis[name] = { treatment: arms.treatment, control };
  }
  return from.name;
}

/**
 * Aggregates of the phase since it started; a KPI with a `window` is judged on
 * its current window of the phase only: consecutive windows from the phase's
 * start, each a new sequence with its own share of the budget (one read per
 * distinct start time).
 */
async function readPhaseAggregates(
  store: Store,
  launchId: string,
  plan: Plan,
  phase: string,
  state: LaunchState,
  now: number,
): Promise<Aggregates> {
  const phaseStart = Math.max(0, Math.floor(state.phaseStartedAt));
  const groups = new Map<number, Kpi[]>();
  for (const kpi of Object.values(plan.kpis).flatMap((list) => list ?? [])) {
    const since =
      kpi.window === undefined
        ? phaseStart
        : Math.max(phaseStart, Math.floor(windowStartMs(phaseStart, now, kpi.window)));
    groups.set(since, [...(groups.get(since) ?? []), kpi]);
  }
  const out: Aggregates = { units: { treatment: 0, control: 0 }, kpis: {} };
  if (groups.size === 0) groups.set(phaseStart, []);
  for (const [since, kpis] of groups) {
    const read = await store.readAggregates({
      launchId,
      phase,
      kpis,
      sinceMs: since,
      nowMs: Math.floor(now),
    });
    // Exposed units do not depend on the window: every read counts the whole phase.
    out.units = read.units;
    Object.assign(out.kpis, read.kpis);
  }
  return out;
}
