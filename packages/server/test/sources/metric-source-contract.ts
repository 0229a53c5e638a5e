/**
 * The one contract every MetricSource passes, whatever engine it reads. Run it
 * with `metricSourceContract(name, harness)` from a test file that starts the
 * real engine (the store, Prometheus, PostgreSQL) and writes known data into it.
 *
 * What it holds a source to (ADR 0015): every requested KPI gets a reading; a
 * reading is per-arm aggregates of the KPI's kind (or `mean` for a per-interval
 * quantile) with a stated basis, or a reason in words; an empty result never
 * becomes a pass; a query error, an unreachable or hanging engine, an abandoned
 * look or a closed source is a reason, never a throw; health follows the last read.
 */
import { evaluateGuard } from '@threshold/core';
import type { ArmAggregates, Kpi, KpiAggregate } from '@threshold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  KpiReading,
  MetricSource,
  SourceReadRequest,
} from '../../src/sources/metric-source.js';

/** Known data in a real engine, and a source over it. */
export interface SourceScenario {
  source: MetricSource;
  /** The look the data was written for (phase, its start, now). */
  request: Omit<SourceReadRequest, 'kpis' | 'signal'>;
  /** KPIs with data in both arms, and the value each arm should show (within `tolerance`). */
  healthy: { kpi: Kpi; expect?: { treatment: number; control: number }; tolerance?: number }[];
  /** A KPI whose query is valid but finds no data. */
  empty: Kpi;
  /** A KPI whose query the engine rejects. */
  broken: Kpi;
}

/** How a test file gives the suite its engine. */
export interface SourceContractHarness {
  /** Write the data and open a source over it (once for the suite). */
  setup(): Promise<SourceScenario>;
  /** A source of the same kind configured where nothing listens. */
  unreachable(): Promise<MetricSource>;
  /** A source whose engine accepts connections but never answers (its timeout must fire). */
  hanging?(): Promise<MetricSource>;
  /** Stop what setup started. */
  teardown(): Promise<void>;
}

const BASES = ['per-unit', 'per-interval', 'request-counts', 'per-interval-limit', 'per-row'];

/** The point value of one arm's aggregate, the way the guards read it. */
export function aggregateValue(a: KpiAggregate): number | null {
  switch (a.kind) {
    case 'occurrence':
    case 'count':
    case 'mean':
      return a.units > 0 ? a.sum / a.units : null;
    case 'ratio':
      return a.sumDenominator !== 0 ? a.sumNumerator / a.sumDenominator : null;
    case 'slo-burn': {
      const w = a.windows.reduce((best, x) => (x.windowMs > best.windowMs ? x : best));
      return w.total > 0 ? w.bad / w.total : null;
    }
    case 'quantile':
      return a.sketch.count > 0 ? a.sketch.min : null;
  }
}

function okData(reading: KpiReading | undefined, what: string): ArmAggregates {
  expect(reading, `${what}: a reading`).toBeDefined();
  if (reading === undefined || !reading.ok)
    throw new Error(`${what}: expected data, got: ${reading?.ok === false ? reading.reason : '?'}`);
  return reading.data;
}

function failed(reading: KpiReading | undefined, what: string): string {
  expect(reading, `${what}: a reading`).toBeDefined();
  if (reading === undefined || reading.ok) throw new Error(`${what}: expected a reason, got data`);
  expect(reading.reason.trim().length, `${what}: the reason is words`).toBeGreaterThan(10);
  return reading.reason;
}

/** Register the contract suite for one source implementation. */
export function metricSourceContract(name: string, harness: SourceContractHarness): void {
  describe(`metric source contract: ${name}`, () => {
    let s: SourceScenario;
    const read = (kpis: Kpi[], signal?: AbortSignal) =>
      s.source.read({ ...s.request, kpis, ...(signal === undefined ? {} : { signal }) });

    beforeAll(async () => {
      s = await harness.setup();
    }, 120_000);
    afterAll(async () => {
      await s?.source.close();
      await harness.teardown();
    }, 60_000);

    it('names itself and its kind', () => {
      expect(s.source.name).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(['events', 'prometheus', 'sql']).toContain(s.source.kind);
      expect(s.source.target.length).toBeGreaterThan(0);
    });

    it('reads per-arm aggregates of every healthy KPI, with a stated basis', async () => {
      const reading = await read(s.healthy.map((h) => h.kpi));
      for (const { kpi, expect: want, tolerance } of s.healthy) {
        const r = reading.kpis[kpi.name];
        const data = okData(r, kpi.name);
        if (r?.ok !== true) continue;
        expect(BASES).toContain(r.basis);
        // A per-interval quantile is judged as the mean of the intervals' quantiles.
        const kinds = kpi.kind === 'quantile' ? ['quantile', 'mean'] : [kpi.kind];
        expect(kinds).toContain(data.treatment.kind);
        expect(data.control?.kind).toBe(data.treatment.kind);
        if (want !== undefined && data.control !== undefined) {
          const tol = tolerance ?? 0.1;
          const t = aggregateValue(data.treatment);
          const c = aggregateValue(data.control);
          expect(t, `${kpi.name} treatment`).not.toBeNull();
          expect(c, `${kpi.name} control`).not.toBeNull();
          expect(Math.abs((t ?? NaN) - want.treatment)).toBeLessThanOrEqual(
            tol * Math.max(Math.abs(want.treatment), 1e-9),
          );
          expect(Math.abs((c ?? NaN) - want.control)).toBeLessThanOrEqual(
            tol * Math.max(Math.abs(want.control), 1e-9),
          );
        }
      }
      expect(s.source.health().state).toBe('ok');
    });

    it('never passes a KPI that found no data', async () => {
      const reading = await read([s.empty]);
      const r = reading.kpis[s.empty.name];
      expect(r).toBeDefined();
      if (r?.ok === true) {
        const kind = r.data.treatment.kind;
        const g = evaluateGuard(kind === s.empty.kind ? s.empty : { ...s.empty, kind }, r.data, {
          alpha: 0.05,
          launchAlpha: 0.05,
          method: 'confidence-sequence',
        });
        expect(g.verdict).toBe('insufficient-evidence');
      }
    });

    it('turns a query error into a reason for that KPI only', async () => {
      const healthy = s.healthy[0]?.kpi;
      const kpis = healthy === undefined ? [s.broken] : [s.broken, healthy];
      const reading = await read(kpis);
      const reason = failed(reading.kpis[s.broken.name], 'broken KPI');
      expect(reason.toLowerCase()).toContain(s.source.kind);
      if (healthy !== undefined) okData(reading.kpis[healthy.name], 'the healthy KPI beside it');
    });

    it('checks a KPI before the launch when it can', async () => {
      if (s.source.check === undefined) return;
      const problems = await s.source.check(s.broken);
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(p.field.length).toBeGreaterThan(0);
        expect(p.message.length).toBeGreaterThan(0);
      }
      for (const { kpi } of s.healthy) expect(await s.source.check(kpi)).toEqual([]);
    });

    it('gives every KPI a reason when the look is abandoned', async () => {
      const controller = new AbortController();
      controller.abort();
      const reading = await read(
        s.healthy.map((h) => h.kpi),
        controller.signal,
      );
      for (const { kpi } of s.healthy) failed(reading.kpis[kpi.name], kpi.name);
    });

    it('gives every KPI a reason, naming the source, when nothing answers', async () => {
      const source = await harness.unreachable();
      try {
        const reading = await source.read({ ...s.request, kpis: s.healthy.map((h) => h.kpi) });
        for (const { kpi } of s.healthy) {
          const reason = failed(reading.kpis[kpi.name], kpi.name);
          expect(reason).toContain(source.kind);
        }
        const health = source.health();
        expect(health.state).toBe('failing');
        expect(health.lastError?.length ?? 0).toBeGreaterThan(0);
      } finally {
        await source.close();
      }
    });

    it('times out on an engine that never answers', async () => {
      if (harness.hanging === undefined) return;
      const source = await harness.hanging();
      try {
        const reading = await source.read({ ...s.request, kpis: s.healthy.map((h) => h.kpi) });
        for (const { kpi } of s.healthy)
          expect(failed(reading.kpis[kpi.name], kpi.name)).toMatch(/timed out/);
      } finally {
        await source.close();
      }
    });

    it('gives reasons, not errors, after close', async () => {
      await s.source.close();
      const reading = await read(s.healthy.map((h) => h.kpi));
      for (const { kpi } of s.healthy) failed(reading.kpis[kpi.name], kpi.name);
    });
  });
}
