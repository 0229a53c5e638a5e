/**
 * What past launches of a plan measured (issue 18): for the newest ended
 * launches, each KPI's control arm in the first phase that had one (same KPI
 * name, kind and source as the plan now), read from the store's aggregates,
 * and the traffic that phase saw. It becomes the default traffic profile of
 * `plan explain` and of the rehearsal. KPIs read from another source
 * (Prometheus, SQL, HTTP) take their level from the control arm's estimate in
 * the recorded looks of that phase, which every KPI has.
 */
import { KPI_CATEGORIES, measuredBaseline, plannedSplit, sameKpi } from '@threshold/core';
import type { Kpi, KpiAggregate, KpiBaseline, KpiHistory, Plan } from '@threshold/core';
import { LOOK_EVENT } from '../controller/launch-log.js';
import type { LookRecord } from '../controller/look-record.js';
import type { LaunchEvent, Store } from '../store/store.js';
import { decisionsOf, timelineOf } from './build-launch-report.js';

/** One past launch the history read. */
export interface HistoryLaunch {
  id: string;
  planVersion: number;
  status: string;
  /** The phase read (the first with a control arm), or null when none ran. */
  phase: string | null;
  /** New units per minute of the whole population, from that phase's treatment arm; null without. */
  unitsPerMinute: number | null;
}

/** The plan's history. */
export interface PlanHistory {
  plan: string;
  launches: HistoryLaunch[];
  /** Mean over the launches that measured it; null when none did. */
  unitsPerMinute: number | null;
  kpis: KpiHistory[];
  /** The traffic profile it makes (null without a measured traffic). */
  profile: { unitsPerMinute: number; baselines: Record<string, KpiBaseline> } | null;
}

const kpisOf = (plan: Plan): Kpi[] => KPI_CATEGORIES.flatMap((c) => plan.kpis[c] ?? []);

/** Kinds whose control-arm estimate is the level a profile takes; quantile and burn-rate keep defaults. */
const LOOKED_KINDS: readonly Kpi['kind'][] = ['occurrence', 'mean', 'count', 'ratio'];

/**
 * A KPI's control-arm level in a phase from the launch's recorded looks: the
 * newest look there with a control estimate, and the control units behind it.
 */
export function lookedControl(
  events: readonly LaunchEvent[],
  phase: string,
  kpi: string,
): { value: number; units: number } | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type !== LOOK_EVENT) continue;
    const look = e.data as LookRecord | null;
    if (look === null || typeof look !== 'object' || look.phase !== phase) continue;
    const k = look.kpis.find((x) => x.kpi === kpi);
    const value = k?.estimate.control;
    if (k === undefined || typeof value !== 'number' || !Number.isFinite(value)) continue;
    return { value, units: k.units.control };
  }
  return null;
}

/** The history of plan `name` (as its current `plan` names its KPIs) from its `limit` newest ended launches. */
export async function planHistory(
  store: Store,
  name: string,
  plan: Plan,
  limit: number,
  now: number,
): Promise<PlanHistory> {
  const ended = (await store.listLaunches({ status: ['completed', 'rolled-back'] }))
    .filter((l) => l.planName === name)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .slice(0, limit)
    .reverse();
  const launches: HistoryLaunch[] = [];
  const measured = new Map<string, { aggregates: KpiAggregate[]; values: number[] }>();
  // Other sources: each launch's control level from its looks, weighted by its control units.
  const looked = new Map<string, { values: number[]; weights: number[] }>();
  for (const launch of ended) {
    const version = await store.getPlanVersion(launch.planName, launch.planVersion);
    if (version === undefined) continue;
    const then = version.plan;
    const index = then.phases.findIndex((p) => plannedSplit(then, p.traffic).control > 0);
    const phase = then.phases[index];
    const events = await store.listLaunchEvents(launch.id);
    const span = timelineOf(then, Date.parse(launch.createdAt), decisionsOf(events), now)[index];
    if (phase === undefined || span?.enteredAt === null || span === undefined) {
      launches.push({ ...describe(launch), phase: null, unitsPerMinute: null });
      continue;
    }
    // Only the SDK's events are in the store; other sources are measured where they live.
    const kpis = kpisOf(then).filter(
      (k) => k.source === 'events' && kpisOf(plan).some((n) => sameKpi(n, k)),
    );
    const read = await store.readAggregates({
      launchId: launch.id,
      phase: phase.name,
      kpis,
      nowMs: now,
    });
    const minutes = (span.actualMs ?? 0) / 60_000;
    const unitsPerMinute =
      minutes > 0 && phase.traffic > 0 ? read.units.treatment / minutes / phase.traffic : null;
    launches.push({ ...describe(launch), phase: phase.name, unitsPerMinute });
    for (const k of kpisOf(then)) {
      if (k.source === 'events' || !LOOKED_KINDS.includes(k.kind)) continue;
      if (!kpisOf(plan).some((n) => sameKpi(n, k))) continue;
      const level = lookedControl(events, phase.name, k.name);
      if (level === null) continue;
      const m = looked.get(k.name) ?? { values: [], weights: [] };
      m.values.push(level.value);
      m.weights.push(Math.max(1, level.units));
      looked.set(k.name, m);
    }
    for (const k of kpis) {
      const control = read.kpis[k.name]?.control;
      if (control === undefined) continue;
      const b = measuredBaseline([control]);
      const m = measured.get(k.name) ?? { aggregates: [], values: [] };
      m.aggregates.push(control);
      if (b !== null) m.values.push(b.value);
      measured.set(k.name, m);
    }
  }
  const kpis: KpiHistory[] = kpisOf(plan).map((k) => {
    if (k.source !== 'events') {
      const l = looked.get(k.name);
      const total = l?.weights.reduce((a, b) => a + b, 0) ?? 0;
      const value =
        l === undefined || total === 0
          ? null
          : l.values.reduce((a, v, i) => a + v * (l.weights[i] ?? 0), 0) / total;
      const note = !LOOKED_KINDS.includes(k.kind)
        ? `${k.kind} KPIs read from ${k.source} are not measured from past launches yet: their history lives there`
        : value === null
          ? 'no recorded look of a past launch estimated its control arm'
          : `level from the control arm of recorded looks (read from ${k.source}); spread: the rehearsal's default`;
      return {
        kpi: k.name,
        baseline:
          value === null
            ? null
            : { value: k.kind === 'occurrence' ? Math.min(1, Math.max(0, value)) : value },
        launches: l?.values.length ?? 0,
        values: l?.values ?? [],
        note,
      };
    }
    const m = measured.get(k.name);
    const baseline = m === undefined ? null : measuredBaseline(m.aggregates);
    const note =
      baseline === null
        ? k.kind === 'quantile' || k.kind === 'slo-burn'
          ? `${k.kind} KPIs are not measured from past launches yet`
          : 'no past launch measured it'
        : null;
    return {
      kpi: k.name,
      baseline,
      launches: m?.values.length ?? 0,
      values: m?.values ?? [],
      note,
    };
  });
  const rates = launches.map((l) => l.unitsPerMinute).filter((v): v is number => v !== null);
  const unitsPerMinute =
    rates.length === 0 ? null : rates.reduce((a, b) => a + b, 0) / rates.length;
  const baselines: Record<string, KpiBaseline> = {};
  for (const k of kpis) if (k.baseline !== null) baselines[k.kpi] = k.baseline;
  return {
    plan: name,
    launches,
    unitsPerMinute,
    kpis,
    profile: unitsPerMinute === null || unitsPerMinute <= 0 ? null : { unitsPerMinute, baselines },
  };
}

function describe(l: { id: string; planVersion: number; status: string }) {
  return { id: l.id, planVersion: l.planVersion, status: l.status };
}
