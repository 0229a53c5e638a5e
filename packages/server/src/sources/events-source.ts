/**
 * The built-in `events` source: the SDK's exposures and track() events, aggregated
 * per randomization unit by the store's projection. A KPI with a `window` is read
 * from the start of its current window (one store read per distinct start).
 */
import { windowStartMs } from '@threshold/core';
import type { Kpi } from '@threshold/core';
import type { Aggregates, Store } from '../store/store.js';
import type {
  KpiReading,
  MetricSource,
  SourceHealth,
  SourceReadRequest,
  SourceReading,
} from './metric-source.js';

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A MetricSource over the store's per-unit aggregates. */
export function eventsSource(store: Store): MetricSource {
  const target = `the ${store.dialect} store`;
  let closed = false;
  let health: SourceHealth = { name: 'events', kind: 'events', target, state: 'unknown' };
  return {
    name: 'events',
    kind: 'events',
    target,
    async read(request: SourceReadRequest): Promise<SourceReading> {
      const kpis: Record<string, KpiReading> = {};
      const fail = (reason: string): SourceReading => {
        for (const kpi of request.kpis) kpis[kpi.name] = { ok: false, reason };
        health = { ...health, state: 'failing', lastError: reason, lastQueryAt: iso() };
        return { kpis };
      };
      if (closed) return fail('events source is closed');
      if (request.signal?.aborted === true) return fail('events read was abandoned');
      const phaseStart = Math.max(0, Math.floor(request.phaseStartedAt));
      const now = Math.floor(request.nowMs);
      const groups = new Map<number, Kpi[]>();
      for (const kpi of request.kpis) {
        const since =
          kpi.window === undefined
            ? phaseStart
            : // Consecutive windows from the phase's start, each a new sequence with its share.
              Math.max(phaseStart, Math.floor(windowStartMs(phaseStart, now, kpi.window)));
        groups.set(since, [...(groups.get(since) ?? []), kpi]);
      }
      // Exposed units do not depend on the window: every read counts the whole phase.
      if (groups.size === 0) groups.set(phaseStart, []);
      let units: Aggregates['units'] = { treatment: 0, control: 0 };
      const readGroup = async (since: number, group: Kpi[]) => {
        const read = await store.readAggregates({
          launchId: request.launchId,
          phase: request.phase,
          kpis: group,
          sinceMs: since,
          nowMs: now,
        });
        units = read.units;
        for (const kpi of group) {
          const data = read.kpis[kpi.name];
          kpis[kpi.name] =
            data === undefined
              ? { ok: false, reason: `events has no aggregate for KPI ${kpi.name}` }
              : { ok: true, data, basis: 'per-unit' };
        }
      };
      let failures = 0;
      for (const [since, group] of groups) {
        try {
          await readGroup(since, group);
        } catch {
          // Find the KPI at fault, so one bad KPI does not blind the others.
          for (const kpi of group) {
            try {
              await readGroup(since, [kpi]);
            } catch (err) {
              failures++;
              kpis[kpi.name] = { ok: false, reason: `events store read failed: ${reasonOf(err)}` };
            }
          }
          if (group.length === 0) return fail('events store read failed');
        }
      }
      if (failures > 0 && failures === request.kpis.length)
        return fail(Object.values(kpis).map((k) => (k.ok ? '' : k.reason))[0] ?? 'failed');
      health = { name: 'events', kind: 'events', target, state: 'ok', lastQueryAt: iso() };
      return { kpis, units };
    },
    health: () => health,
    async close() {
      closed = true;
    },
  };
}

function iso(): string {
  return new Date().toISOString();
}
