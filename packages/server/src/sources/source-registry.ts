/**
 * The sources a server has: the built-in `events` plus every configured one,
 * opened once at start and closed with the server. Checks a plan against them
 * before it runs: every KPI's source must be configured, and every query must
 * pass its source's check (PromQL parses), each problem at its plan field.
 */
import { KPI_CATEGORIES } from '@threshold/core';
import type { Plan } from '@threshold/core';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Store } from '../store/store.js';
import { eventsSource } from './events-source.js';
import { sourceNameOf } from './metric-source.js';
import type { MetricSource, SourceConfig, SourceHealth } from './metric-source.js';
import { HttpSource } from './http-source.js';
import { prometheusSource } from './prometheus-source.js';
import { SqlSource } from './sql-source.js';

/** A problem with a plan's sources, at a plan path (e.g. kpis.operational-health[0].query). */
export interface PlanSourceProblem {
  path: (string | number)[];
  message: string;
}

/** The server's metric sources. */
export interface SourceRegistry {
  /** By name, `events` included. */
  readonly sources: ReadonlyMap<string, MetricSource>;
  /** Health of every source (configured ones first seen as unknown). */
  health(): SourceHealth[];
  /** Problems that would keep a plan's KPIs from ever getting evidence here. */
  checkPlan(plan: Plan, signal?: AbortSignal): Promise<PlanSourceProblem[]>;
  close(): Promise<void>;
}

/** Open a source of a configured kind. */
function openSource(config: SourceConfig, metrics?: ServerMetrics): MetricSource {
  const options = metrics === undefined ? {} : { metrics };
  switch (config.kind) {
    case 'prometheus':
      return prometheusSource(config, options);
    case 'sql':
      return new SqlSource(config, options);
    case 'http':
      return new HttpSource(config, options);
    default:
      throw new Error(`source ${config.name}: kind ${config.kind} is not available in this build`);
  }
}

/** Open every configured source beside the store's events. */
export function openSources(
  configs: readonly SourceConfig[],
  deps: { store: Store; metrics?: ServerMetrics },
): SourceRegistry {
  const sources = new Map<string, MetricSource>([['events', eventsSource(deps.store)]]);
  for (const config of configs) sources.set(config.name, openSource(config, deps.metrics));
  deps.metrics?.setSourceHealth(() => [...sources.values()].map((s) => s.health()));
  return {
    sources,
    health: () => [...sources.values()].map((s) => s.health()),
    async checkPlan(plan, signal) {
      const problems: PlanSourceProblem[] = [];
      const checks: Promise<void>[] = [];
      for (const category of KPI_CATEGORIES) {
        (plan.kpis[category] ?? []).forEach((kpi, i) => {
          const at = ['kpis', category, i];
          const name = sourceNameOf(kpi);
          const source = sources.get(name);
          if (source === undefined) {
            const hint =
              kpi.source_name === undefined
                ? `set THRESHOLD_${kpi.source.toUpperCase()}_URL`
                : 'add it to THRESHOLD_SOURCES_FILE';
            problems.push({
              path: [...at, kpi.source_name === undefined ? 'source' : 'source_name'],
              message: `source ${name} is not configured on this server (${hint})`,
            });
            return;
          }
          if (source.kind !== kpi.source) {
            problems.push({
              path: [...at, 'source_name'],
              message: `source ${name} is a ${source.kind} source, but KPI ${kpi.name} says source: ${kpi.source}`,
            });
            return;
          }
          if (source.check === undefined) return;
          checks.push(
            source.check(kpi, signal).then((found) => {
              for (const p of found) {
                const where =
                  p.position === undefined
                    ? ''
                    : ` (at line ${p.position.line}, column ${p.position.column} of the ${p.field})`;
                problems.push({ path: [...at, p.field], message: `${p.message}${where}` });
              }
            }),
          );
        });
      }
      // A readiness query (ADR 0042) needs a configured source that answers one value.
      plan.readiness.forEach((item, i) => {
        if (item.query === undefined) return;
        const source = sources.get(item.query.source);
        if (source === undefined)
          problems.push({
            path: ['readiness', i, 'query', 'source'],
            message: `source ${item.query.source} is not configured on this server (${item.query.source === 'prometheus' ? 'set THRESHOLD_PROMETHEUS_URL' : 'add it to THRESHOLD_SOURCES_FILE'})`,
          });
        else if (source.value === undefined)
          problems.push({
            path: ['readiness', i, 'query', 'source'],
            message: `source ${item.query.source} is a ${source.kind} source; readiness queries ask a prometheus source`,
          });
      });
      await Promise.all(checks);
      return problems;
    },
    async close() {
      await Promise.all([...sources.values()].map((s) => s.close()));
    },
  };
}
