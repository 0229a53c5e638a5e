/**
 * What past launches of a plan measured (issue 18): for the newest ended
 * launches, each KPI's control arm in the first phase that had one (same KPI
 * name, kind and source as the plan now), read from the store's aggregates,
 * and the traffic that phase saw. It becomes the default traffic profile of
 * `plan explain` and of the rehearsal.
 */
import { KPI_CATEGORIES, measuredBaseline, plannedSplit, sameKpi } from '@threshold/core';
import type { Kpi, KpiAggregate, KpiBaseline, KpiHistory, Plan } from '@threshold/core';
import type { Store } from '../store/store.js';
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
    const m = measured.get(k.name);
    const baseline = m === undefined ? null : measuredBaseline(m.aggregates);
    const note =
      k.source !== 'events'
        ? `read from ${k.source}, not from the SDK's events: its history lives there`
        : baseline === null
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
