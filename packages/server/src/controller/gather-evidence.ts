/**
 * The evidence of one look: per-arm aggregates of the current phase since it
 * started, read from each KPI's metric source (concurrently, each with its own
 * timeout), guards under the plan's false alarm budget, the split against the
 * planned one, and every approval of the launch. A source that cannot answer
 * makes its KPIs insufficient-evidence with its reason, never a pass.
 */
import { personKey } from '../auth/person-key.js';
import {
  baselinePhase,
  checkSampleRatio,
  evaluatePerInterval,
  evaluateGuards,
  guardOptionsFor,
  plannedSplit,
} from '@threshold/core';
import type {
  Approval,
  ArmAggregates,
  Evidence,
  GuardResult,
  Kpi,
  LaunchState,
  Plan,
} from '@threshold/core';
import { eventsSource } from '../sources/events-source.js';
import { sourceNameOf } from '../sources/metric-source.js';
import type { KpiReading, MetricSource, SourceReading } from '../sources/metric-source.js';
import type { ApprovalRecord, Store } from '../store/store.js';
import { needsBaseline, phaseSpan, readSourceBaselines } from './source-baseline.js';
import type { BaselineControl } from './source-baseline.js';

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
    person: personKey(a.subject, a.actor),
    planVersion: a.planVersion,
    at: Date.parse(a.at),
    ...(a.comment === '' ? {} : { comment: a.comment }),
  };
}

/** Sources by name; `events` is the store's own when absent. */
export type SourceSet = ReadonlyMap<string, MetricSource>;

/** Read the evidence of the launch's current phase at `now` (ms). */
export async function gatherEvidence(
  store: Store,
  launchId: string,
  plan: Plan,
  state: LaunchState,
  now: number,
  sources: SourceSet = new Map(),
  signal?: AbortSignal,
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
  const kpis = Object.values(plan.kpis).flatMap((list) => list ?? []);
  const { readings, units } = await readSources(store, sources, {
    launchId,
    launch: plan.launch,
    phase: phase.name,
    phaseStartedAt: Math.max(0, Math.floor(state.phaseStartedAt)),
    nowMs: Math.floor(now),
    kpis,
    ...(signal === undefined ? {} : { signal }),
  });
  const perUnit: Record<string, ArmAggregates> = {};
  for (const [name, reading] of readings)
    if (reading.ok && reading.basis === 'per-unit') perUnit[name] = reading.data;
  // The traffic estimate that tunes the guards: units of the phase so far per unit time.
  const seen = { units: units.treatment + units.control, elapsedMs: now - state.phaseStartedAt };
  const baseline = await useBaseline(store, launchId, plan, state, now, perUnit);
  const sourceBaseline = await sourceBaselines(
    store,
    launchId,
    plan,
    state,
    sources,
    readings,
    signal,
  );
  // A per-unit source (SQL, http) is judged with the events KPIs: its baseline joins theirs.
  let against = baseline;
  for (const [name, b] of sourceBaseline?.controls ?? []) {
    const arms = perUnit[name];
    if (b.ok && arms !== undefined) {
      perUnit[name] = { treatment: arms.treatment, control: b.control };
      against = sourceBaseline?.phase;
    }
  }
  const guards = evaluateGuards(plan, perUnit, {
    ...guardOptionsFor(plan, phase, state.traffic, seen),
    phaseElapsedMs: now - state.phaseStartedAt,
    ...(against === undefined ? {} : { baseline: against }),
  }).map((g) => withSource(g, kpis, readings, sources, plan.analysis.method, sourceBaseline));
  const srm = checkSampleRatio(units, plannedSplit(plan, state.traffic), plan.analysis.srm_p_value);
  return { guards, srm, units, approvals };
}

/**
 * In a phase without a control arm (100%), put the control arm of the last
 * earlier phase that had one (read from the store for that phase) in place of
 * each per-unit KPI's missing control: the baseline the comparisons are judged
 * against. Returns that phase's name, or undefined when there is no baseline.
 * (Other sources' KPIs get theirs from {@link sourceBaselines}.)
 */
async function useBaseline(
  store: Store,
  launchId: string,
  plan: Plan,
  state: LaunchState,
  now: number,
  perUnit: Record<string, ArmAggregates>,
): Promise<string | undefined> {
  const from = baselinePhase(plan, state.phaseIndex, state.traffic);
  if (from === undefined) return undefined;
  const kpis = Object.values(plan.kpis)
    .flatMap((list) => list ?? [])
    .filter((k) => k.source === 'events');
  const read = await store.readAggregates({
    launchId,
    phase: from.name,
    kpis,
    nowMs: Math.floor(now),
  });
  if (!(read.units.control > 0)) return undefined;
  for (const [name, arms] of Object.entries(perUnit)) {
    const control = read.kpis[name]?.control;
    if (control !== undefined) perUnit[name] = { treatment: arms.treatment, control };
  }
  return from.name;
}

/** The baselines of source KPIs (see source-baseline.ts), with the baseline phase's name. */
interface SourceBaselines {
  phase: string;
  controls: ReadonlyMap<string, BaselineControl>;
}

/**
 * In a phase without a control arm, each comparing source KPI whose treatment was
 * read gets the control arm of the baseline phase from its own source.
 */
async function sourceBaselines(
  store: Store,
  launchId: string,
  plan: Plan,
  state: LaunchState,
  sources: SourceSet,
  readings: ReadonlyMap<string, KpiReading>,
  signal: AbortSignal | undefined,
): Promise<SourceBaselines | undefined> {
  const from = baselinePhase(plan, state.phaseIndex, state.traffic);
  if (from === undefined) return undefined;
  const kpis = Object.values(plan.kpis)
    .flatMap((list) => list ?? [])
    .filter((k) => needsBaseline(k) && readings.get(k.name)?.ok === true);
  if (kpis.length === 0) return undefined;
  const controls = await readSourceBaselines(sources, {
    launchId,
    launch: plan.launch,
    phase: from.name,
    span: await phaseSpan(store, launchId, plan.phases.indexOf(from), state.startedAt),
    kpis,
    ...(signal === undefined ? {} : { signal }),
  });
  return { phase: from.name, controls };
}

/** Every KPI's reading, each source read concurrently; units from the events source. */
async function readSources(
  store: Store,
  sources: SourceSet,
  request: Parameters<MetricSource['read']>[0],
): Promise<{ readings: Map<string, KpiReading>; units: { treatment: number; control: number } }> {
  const byName = new Map<string, Kpi[]>([['events', []]]);
  for (const kpi of request.kpis) {
    const name = sourceNameOf(kpi);
    byName.set(name, [...(byName.get(name) ?? []), kpi]);
  }
  const readings = new Map<string, KpiReading>();
  let units = { treatment: 0, control: 0 };
  await Promise.all(
    [...byName].map(async ([name, group]) => {
      const source = sources.get(name) ?? (name === 'events' ? eventsSource(store) : undefined);
      let reading: SourceReading;
      if (source === undefined) {
        const reason = `source ${name} is not configured on this server (${configHint(group[0])})`;
        reading = { kpis: Object.fromEntries(group.map((k) => [k.name, { ok: false, reason }])) };
      } else {
        try {
          reading = await source.read({ ...request, kpis: group });
        } catch (err) {
          // Sources never throw by contract; one that does still only loses its own KPIs.
          const reason = `${source.target} failed: ${err instanceof Error ? err.message : String(err)}`;
          reading = { kpis: Object.fromEntries(group.map((k) => [k.name, { ok: false, reason }])) };
        }
      }
      if (name === 'events' && reading.units !== undefined) units = reading.units;
      for (const kpi of group) {
        readings.set(
          kpi.name,
          reading.kpis[kpi.name] ?? {
            ok: false,
            reason: `${name} returned nothing for ${kpi.name}`,
          },
        );
      }
    }),
  );
  return { readings, units };
}

function configHint(kpi: Kpi | undefined): string {
  if (kpi !== undefined && kpi.source !== 'events' && kpi.source_name === undefined)
    return `set THRESHOLD_${kpi.source.toUpperCase()}_URL`;
  return 'add it to THRESHOLD_SOURCES_FILE';
}

/**
 * A guard result with its source and basis. Non-per-unit readings are evaluated
 * here with the per-interval sample rule; a quantile read as per-interval values
 * is judged as the mean of the intervals' quantiles (ADR 0015) and keeps its kind.
 * With a baseline, its control is the baseline's; a baseline that could not be
 * read leaves the comparison insufficient-evidence with the reason (a breach of
 * a hard limit still stands).
 */
function withSource(
  g: GuardResult,
  kpis: readonly Kpi[],
  readings: ReadonlyMap<string, KpiReading>,
  sources: SourceSet,
  method: Plan['analysis']['method'],
  baseline: SourceBaselines | undefined,
): GuardResult {
  const kpi = kpis.find((k) => k.name === g.kpi);
  const reading = readings.get(g.kpi);
  if (kpi === undefined || reading === undefined) return g;
  const name = sourceNameOf(kpi);
  const kind = sources.get(name)?.kind ?? kpi.source;
  if (!reading.ok) {
    return {
      ...g,
      verdict: 'insufficient-evidence',
      rule: 'min-sample',
      reason: reading.reason,
      source: {
        name,
        kind,
        basis: 'none',
        ...(reading.queries === undefined ? {} : { queries: reading.queries }),
      },
    };
  }
  const source: NonNullable<GuardResult['source']> = {
    name,
    kind,
    basis: reading.basis,
    ...(reading.note === undefined ? {} : { note: reading.note }),
    ...(reading.queries === undefined ? {} : { queries: reading.queries }),
  };
  const control = baseline?.controls.get(kpi.name);
  if (reading.basis === 'per-unit') return unreadBaseline({ ...g, source }, control, baseline);
  const data =
    control?.ok === true
      ? { treatment: reading.data.treatment, control: control.control }
      : reading.data;
  // One rule with the rehearsal: core judges per-interval samples.
  const result = evaluatePerInterval(
    g,
    kpi,
    data,
    method,
    true,
    control?.ok === true ? baseline?.phase : undefined,
  );
  return unreadBaseline({ ...result, source }, control, baseline);
}

/**
 * A KPI whose baseline could not be read: its comparison is insufficient-evidence
 * with the reason, naming the baseline (so decide() does not call it "not
 * comparable"); a breach of a hard limit still stands.
 */
function unreadBaseline(
  g: GuardResult,
  control: BaselineControl | undefined,
  baseline: SourceBaselines | undefined,
): GuardResult {
  if (control?.ok !== false || baseline === undefined || g.verdict === 'breach') return g;
  return {
    ...g,
    verdict: 'insufficient-evidence',
    rule: 'min-sample',
    reason: control.reason,
    ...(g.comparison === undefined
      ? {}
      : { comparison: { ...g.comparison, baseline: baseline.phase } }),
  };
}
