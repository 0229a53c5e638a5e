/**
 * The baseline of a source KPI (Prometheus, SQL, …) in a phase without a control
 * arm: its source read again over the baseline phase's span, the control arm of
 * that reading standing in for the missing one, as the events path does with the
 * store's aggregates of that phase. Generic over MetricSource: the source is asked
 * a look "as of" the end of the baseline phase.
 */
import type { Kpi, KpiAggregate } from '@threshold/core';
import { sourceNameOf } from '../sources/metric-source.js';
import type { MetricSource, SourceReading } from '../sources/metric-source.js';
import type { Store } from '../store/store.js';
import { DECISION_EVENT } from './launch-log.js';

/** One KPI's baseline control aggregate, or why there is none. */
export type BaselineControl = { ok: true; control: KpiAggregate } | { ok: false; reason: string };

/** When a phase ran (ms): from its advance decision to the next one. */
export interface PhaseSpan {
  startMs: number;
  endMs: number;
}

/**
 * The span of phase `index` from the launch's log: it started with the last
 * advance into it (the first phase without a sign-off: when the launch started)
 * and ended with the advance after that. Undefined when the log does not show both.
 */
export async function phaseSpan(
  store: Store,
  launchId: string,
  index: number,
  launchStartedAt: number,
): Promise<PhaseSpan | undefined> {
  let span: Partial<PhaseSpan> | undefined = index === 0 ? { startMs: launchStartedAt } : undefined;
  for (const e of await store.listLaunchEvents(launchId)) {
    if (e.type !== DECISION_EVENT) continue;
    const d = e.data as { type?: unknown; to?: unknown; at?: unknown };
    if (d.type !== 'advance' || typeof d.at !== 'number') continue;
    if (d.to === index) span = { startMs: d.at };
    else if (span !== undefined && span.endMs === undefined) span.endMs = d.at;
  }
  return span?.startMs !== undefined && span.endMs !== undefined
    ? { startMs: span.startMs, endMs: span.endMs }
    : undefined;
}

/** Does this KPI compare arms (so a baseline can stand in for the control)? */
export function needsBaseline(kpi: Kpi): boolean {
  return kpi.source !== 'events' && kpi.kind !== 'slo-burn' && kpi.guard.compare !== undefined;
}

/**
 * Read each KPI's control arm over the baseline phase from its source. Never
 * throws: a source that fails or has no control data gives a reason.
 */
export async function readSourceBaselines(
  sources: ReadonlyMap<string, MetricSource>,
  request: {
    launchId: string;
    launch: string;
    /** The baseline phase's name and index. */
    phase: string;
    span: PhaseSpan | undefined;
    kpis: readonly Kpi[];
    signal?: AbortSignal;
  },
): Promise<Map<string, BaselineControl>> {
  const out = new Map<string, BaselineControl>();
  const { span, phase } = request;
  const byName = new Map<string, Kpi[]>();
  for (const kpi of request.kpis) {
    // The baseline is the control over the whole phase, not its last window (as the rehearsal's).
    const { window: _window, ...whole } = kpi;
    byName.set(sourceNameOf(kpi), [...(byName.get(sourceNameOf(kpi)) ?? []), whole]);
  }
  await Promise.all(
    [...byName].map(async ([name, group]) => {
      const source = sources.get(name);
      const fail = (reason: string) => {
        for (const k of group) out.set(k.name, { ok: false, reason });
      };
      if (span === undefined)
        return fail(`the launch's log does not show when baseline phase ${phase} ran`);
      if (source === undefined) return fail(`source ${name} is not configured on this server`);
      let reading: SourceReading;
      try {
        reading = await source.read({
          launchId: request.launchId,
          launch: request.launch,
          phase,
          phaseStartedAt: span.startMs,
          nowMs: span.endMs,
          kpis: group,
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
      } catch (err) {
        return fail(`${source.target} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const k of group) {
        const r = reading.kpis[k.name];
        if (r === undefined) out.set(k.name, { ok: false, reason: `${name} returned nothing` });
        else if (!r.ok) out.set(k.name, { ok: false, reason: r.reason });
        else if (r.data.control === undefined || !hasUnits(r.data.control))
          out.set(k.name, { ok: false, reason: `${source.target} has no control data` });
        else out.set(k.name, { ok: true, control: r.data.control });
      }
    }),
  );
  for (const [kpi, b] of out)
    if (!b.ok)
      out.set(kpi, {
        ok: false,
        reason: `no baseline for KPI ${kpi}: the control arm of ${phase} could not be read (${b.reason})`,
      });
  return out;
}

/** An empty baseline is no baseline (a source may answer an arm without rows with zeros). */
function hasUnits(a: KpiAggregate): boolean {
  if (a.kind === 'quantile') return (a.sketch?.units ?? 0) > 0;
  if (a.kind === 'slo-burn') return a.windows.some((w) => w.total > 0);
  return a.units > 0;
}
