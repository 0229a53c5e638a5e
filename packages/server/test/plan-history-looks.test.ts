/**
 * History beyond the SDK's events (issue 18): a KPI read from another source
 * (here Prometheus) takes its level from the control arm's estimate in the
 * recorded looks of past launches, weighted by control units; quantile and
 * burn-rate KPIs keep their documented fallback. On SQLite and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planHistory } from '../src/launches/plan-history.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { PLAN_YAML, T0, contractPlan } from './store/fixtures.js';
import { TEST_DATABASE_URL } from './support/test-server.js';

// Each store call a second later, so the launches have an order.
let clock = T0;
const tick = () => (clock += 1000);

const targets: { name: string; open: () => Promise<Store> }[] = [
  { name: 'SQLite', open: () => openStore({ url: 'sqlite::memory:', clock: tick }) },
];
const schemas: string[] = [];
if (TEST_DATABASE_URL !== undefined)
  targets.push({
    name: 'PostgreSQL',
    open: () => {
      const schema = `history_looks_${process.pid}_${schemas.length}`;
      schemas.push(schema);
      return openStore({ url: TEST_DATABASE_URL, schema, clock: tick });
    },
  });
else
  console.warn('history from looks on PostgreSQL SKIPPED: THRESHOLD_TEST_DATABASE_URL is not set');

afterAll(async () => {
  if (TEST_DATABASE_URL === undefined || schemas.length === 0) return;
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

const lookKpi = (kpi: string, control: number | null, units: number) => ({
  kpi,
  category: 'efficiency',
  verdict: 'insufficient-evidence',
  reason: '',
  estimate: { treatment: control, control },
  difference: null,
  interval: null,
  threshold: null,
  relative: null,
  bad: null,
  units: { treatment: Math.round(units / 99), control: units },
});

/** A launch that ran its canary, recorded looks of the cpu (Prometheus) KPI, and rolled back. */
async function pastLaunch(store: Store, id: string, looks: [number, number][]): Promise<void> {
  await store.createLaunch({
    id,
    planName: 'contract',
    planVersion: 1,
    salt: id,
    createdBy: 'alice',
    traffic: 0.01,
  });
  let seq = 1;
  for (const [i, [cpu, units]] of looks.entries()) {
    await store.appendLaunchEvent(
      {
        launchId: id,
        type: 'look',
        actor: 'controller',
        data: {
          at: T0 + (i + 1) * 60_000,
          phase: 'canary',
          phaseIndex: 0,
          units: { treatment: 10, control: units },
          kpis: [lookKpi('cpu', cpu, units), lookKpi('latency', 120, units)],
        },
      },
      seq++,
    );
  }
  await store.appendLaunchEvent(
    {
      launchId: id,
      type: 'decision',
      actor: 'operator',
      data: {
        at: T0 + 10 * 60_000,
        type: 'rollback',
        rule: 'operator',
        phase: 'canary',
        phaseIndex: 0,
        traffic: 0,
        reason: 'by hand',
        evidence: {},
      },
    },
    seq,
    { status: 'rolled-back', traffic: 0 },
  );
}

describe.each(targets)('plan history from recorded looks on $name', ({ open }) => {
  it('a Prometheus mean KPI gets the control level of past launches; quantile keeps its fallback', async () => {
    const store = await open();
    try {
      const plan = contractPlan();
      await store.putPlan({
        name: 'contract',
        source: PLAN_YAML,
        format: 'yaml',
        plan,
        createdBy: 'alice',
      });
      // The newest look of the phase counts: 0.4 over 990 control units, then 0.6 over 10.
      await pastLaunch(store, 'L1', [
        [0.9, 100],
        [0.4, 990],
      ]);
      await pastLaunch(store, 'L2', [[0.6, 10]]);
      const h = await planHistory(store, 'contract', plan, 3, T0 + 3_600_000);
      expect(h.launches.map((l) => [l.id, l.phase])).toEqual([
        ['L1', 'canary'],
        ['L2', 'canary'],
      ]);
      const cpu = h.kpis.find((k) => k.kpi === 'cpu');
      expect(cpu?.launches).toBe(2);
      expect(cpu?.values).toEqual([0.4, 0.6]);
      expect(cpu?.baseline?.value).toBeCloseTo((0.4 * 990 + 0.6 * 10) / 1000, 10);
      expect(cpu?.baseline?.sd).toBeUndefined();
      expect(cpu?.note).toBe(
        "level from the control arm of recorded looks (read from prometheus); spread: the rehearsal's default",
      );
      // An events-sourced quantile KPI is not read from looks: it keeps its note.
      expect(h.kpis.find((k) => k.kpi === 'latency')).toMatchObject({
        baseline: null,
        note: 'quantile KPIs are not measured from past launches yet',
      });
    } finally {
      await store.close();
    }
  });
});
