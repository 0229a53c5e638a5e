/**
 * Prometheus metrics of one app, in its own registry (several apps in one
 * process, as in tests, never share or clash). The controller increments
 * `controllerLooks` and `decisions` on the same object.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditHead, EvidenceContribution, ProjectionStatus } from '../store/store.js';

/** The metrics every part of the server writes to. */
export interface ServerMetrics {
  registry: Registry;
  /** threshold_http_requests_total{route,method,status} */
  httpRequests: Counter<'route' | 'method' | 'status'>;
  /** threshold_http_request_duration_seconds{route,method} */
  httpDuration: Histogram<'route' | 'method'>;
  /** threshold_ingested_events_total: events stored durably. */
  ingestedEvents: Counter;
  /** threshold_rejected_events_total{reason}: events refused (invalid, too_large, rate_limited, unauthenticated). */
  rejectedEvents: Counter<'reason'>;
  /** threshold_rejected_batches_total{reason}: batches refused (also unparseable and oversized ones). */
  rejectedBatches: Counter<'reason'>;
  /** threshold_duplicate_batches_total: batches whose batchId was already stored. */
  duplicateBatches: Counter;
  /** threshold_projected_events_total: events folded into aggregates. */
  projectedEvents: Counter;
  /** threshold_sse_clients{stream}: open server-sent-event connections. */
  sseClients: Gauge<'stream'>;
  /** threshold_controller_looks_total: controller looks at running launches. */
  controllerLooks: Counter;
  /** threshold_decisions_total{type}: decisions the controller applied. */
  decisions: Counter<'type'>;
  /** threshold_source_query_duration_seconds{source}: metric-source query latency. */
  sourceQueryDuration: Histogram<'source'>;
  /** threshold_source_errors_total{source,reason}: failed metric-source queries (unreachable, timeout, rejected, auth, http). */
  sourceErrors: Counter<'source' | 'reason'>;
  /** threshold_router_calls_total{router,result}: weights a router confirmed (applied) or not (failed). */
  routerCalls: Counter<'router' | 'result'>;
  /** threshold_router_apply_seconds{router}: from a decision's commit to the router's confirmation of its weight. */
  routerApplySeconds: Histogram<'router'>;
  /** Where threshold_source_up{source} reads source health at scrape time. */
  setSourceHealth(read: () => readonly { name: string; state: string }[]): void;
  /**
   * Where the projection gauges read from at scrape time
   * (threshold_projection_pending_batches, threshold_projection_dropped_events{reason}).
   */
  setProjectionSource(source: () => Promise<ProjectionStatus>): void;
  /** Where threshold_quarantined_exposures{launch,reason} reads from at scrape time. */
  setIntegritySource(source: () => Promise<EvidenceContribution[]>): void;
  /** Where threshold_audit_head_seq reads the audit chain's head from at scrape time. */
  setAuditHeadSource(source: () => Promise<AuditHead | null>): void;
}

/** A fresh registry with every server metric. */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  let projection: (() => Promise<ProjectionStatus>) | undefined;
  let integrity: (() => Promise<EvidenceContribution[]>) | undefined;
  new Gauge({
    name: 'threshold_quarantined_exposures',
    help: 'Exposures the projection refused and never folded, per launch and reason: arm-mismatch (not the arm the unit has), phase-not-live, out-of-scope (a flag-limited token), over-cap (a token over its units per minute).',
    labelNames: ['launch', 'reason'],
    registers,
    async collect() {
      if (integrity === undefined) return;
      this.reset();
      const totals = new Map<string, Map<string, number>>();
      for (const r of await integrity()) {
        const byReason = totals.get(r.launchId) ?? new Map<string, number>();
        totals.set(r.launchId, byReason);
        for (const [reason, n] of Object.entries(r.quarantined))
          byReason.set(reason, (byReason.get(reason) ?? 0) + n);
      }
      for (const [launch, byReason] of totals)
        for (const [reason, n] of byReason) this.set({ launch, reason }, n);
    },
  });
  let sourceHealth: (() => readonly { name: string; state: string }[]) | undefined;
  new Gauge({
    name: 'threshold_source_up',
    help: 'Metric source health: 1 when its last read reached it, 0 when failing, absent before the first read.',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      for (const h of sourceHealth?.() ?? [])
        if (h.state !== 'unknown') this.set({ source: h.name }, h.state === 'ok' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'threshold_projection_pending_batches',
    help: 'Ingested event batches not yet folded into aggregates.',
    registers,
    async collect() {
      if (projection !== undefined) this.set((await projection()).pendingBatches);
    },
  });
  new Gauge({
    name: 'threshold_projection_dropped_events',
    help: 'Events the projection dropped, by reason: unattributed (track event of a unit never exposed), ignored (no running launch asked for it) or quarantined (an exposure that failed the integrity checks).',
    labelNames: ['reason'],
    registers,
    async collect() {
      if (projection === undefined) return;
      const status = await projection();
      this.set({ reason: 'unattributed' }, status.unattributed);
      this.set({ reason: 'ignored' }, status.ignored);
      this.set({ reason: 'quarantined' }, status.quarantined);
    },
  });
  let auditHead: (() => Promise<AuditHead | null>) | undefined;
  new Gauge({
    name: 'threshold_audit_head_seq',
    help: 'Sequence number of the newest audit entry (0: empty log). A monitoring system that records it can tell when entries are deleted from the end.',
    registers,
    async collect() {
      if (auditHead !== undefined) this.set((await auditHead())?.seq ?? 0);
    },
  });
  return {
    setProjectionSource(source) {
      projection = source;
    },
    setIntegritySource(source) {
      integrity = source;
    },
    setSourceHealth(read) {
      sourceHealth = read;
    },
    sourceQueryDuration: new Histogram({
      name: 'threshold_source_query_duration_seconds',
      help: 'Metric source query latency, by source name.',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    sourceErrors: new Counter({
      name: 'threshold_source_errors_total',
      help: 'Failed metric source queries, by source and reason (unreachable, timeout, rejected, auth, http).',
      labelNames: ['source', 'reason'],
      registers,
    }),
    setAuditHeadSource(source) {
      auditHead = source;
    },
    registry,
    httpRequests: new Counter({
      name: 'threshold_http_requests_total',
      help: 'HTTP requests by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'threshold_http_request_duration_seconds',
      help: 'HTTP request latency until the response head (streams excluded from body time).',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    ingestedEvents: new Counter({
      name: 'threshold_ingested_events_total',
      help: 'SDK events stored durably (acknowledged with 202).',
      registers,
    }),
    rejectedEvents: new Counter({
      name: 'threshold_rejected_events_total',
      help: 'SDK events refused, by reason (invalid, too_large, rate_limited, out_of_scope).',
      labelNames: ['reason'],
      registers,
    }),
    rejectedBatches: new Counter({
      name: 'threshold_rejected_batches_total',
      help: 'SDK event batches refused, by reason (invalid, too_large, rate_limited, out_of_scope).',
      labelNames: ['reason'],
      registers,
    }),
    duplicateBatches: new Counter({
      name: 'threshold_duplicate_batches_total',
      help: 'Event batches whose batchId was already stored (acknowledged, not stored again).',
      registers,
    }),
    projectedEvents: new Counter({
      name: 'threshold_projected_events_total',
      help: 'Ingested events folded into per-unit aggregates.',
      registers,
    }),
    sseClients: new Gauge({
      name: 'threshold_sse_clients',
      help: 'Open server-sent-event connections, by stream (sdk, dashboard).',
      labelNames: ['stream'],
      registers,
    }),
    controllerLooks: new Counter({
      name: 'threshold_controller_looks_total',
      help: 'Controller looks at running launches.',
      registers,
    }),
    decisions: new Counter({
      name: 'threshold_decisions_total',
      help: 'Decisions applied by the controller, by type.',
      labelNames: ['type'],
      registers,
    }),
    routerCalls: new Counter({
      name: 'threshold_router_calls_total',
      help: 'Weights sent to a traffic router, by router and result: applied (confirmed) or failed.',
      labelNames: ['router', 'result'],
      registers,
    }),
    routerApplySeconds: new Histogram({
      name: 'threshold_router_apply_seconds',
      help: "From a decision's commit to its traffic router's confirmation of the new weight, by router.",
      labelNames: ['router'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
