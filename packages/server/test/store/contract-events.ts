/** Contract: ingest (dedupe, durability), projection (exactly once), readAggregates. */
import { expect, it } from 'vitest';
import type { Kpi, KpiAggregate, SdkEvent } from '@threshold/core';
import { StoreInputError } from '../../src/store/index.js';
import type { Aggregates, Store } from '../../src/store/index.js';
import type { ContractContext } from './store-contract.js';
import { MIN, T0, contractPlan, exposure, track, unitIn } from './fixtures.js';
import { seedLaunch } from './contract-records.js';

const KPIS: Kpi[] = (() => {
  const p = contractPlan();
  return [...p.kpis.efficiency, ...p.kpis['user-impact'], ...p.kpis['operational-health']];
})();

// Units in the arm they claim under seedLaunch's salt at 1% (and still at 10%).
const t1 = unitIn('t1', 'treatment');
const t2 = unitIn('t2', 'treatment');
const t3 = unitIn('t3', 'treatment');
const c1 = unitIn('c1', 'control', 0.1);
const c2 = unitIn('c2', 'control', 0.1);

const EXPOSURES: SdkEvent[] = [
  exposure('L1', t1, 'treatment'),
  exposure('L1', t2, 'treatment'),
  exposure('L1', t3, 'treatment'),
  exposure('L1', c1, 'control'),
  exposure('L1', c2, 'control'),
  exposure('nope', t1, 'treatment'),
  exposure('L1', 'x1', 'excluded'),
];

/** Track events of the hand-computed example (see the expectations below). */
const TRACKS: SdkEvent[][] = [
  [...track(t1, 'signup', 1000), ...track(t2, 'signup'), ...track(c1, 'signup')],
  [...track(t1, 'click', 2), ...track(t2, 'click', 3), ...track(c1, 'click', 4)],
  [
    ...track(t1, 'order', 1, 10),
    ...track(t1, 'order', 1, 20),
    ...track(t2, 'order', 1, 30),
    ...track(c1, 'order', 1, 5),
    ...track(c2, 'order'),
    ...track(t1, 'revenue', 1, 10),
    ...track(c1, 'revenue', 1, 4),
    ...track(c1, 'revenue', 1, 6),
    ...track(t1, 'view', 2),
    ...track(t2, 'view'),
    ...track(c1, 'view', 5),
  ],
  [
    ...track(t1, 'latency_ms', 1, 100),
    ...track(t1, 'latency_ms', 1, 200),
    ...track(t2, 'latency_ms', 1, 0),
    ...track(t2, 'latency_ms', 1, -5),
    ...track(c1, 'latency_ms', 1, 50),
    ...track(t1, 'request', 10, undefined, T0 + 9 * MIN),
    ...track(t1, 'error', 2, undefined, T0 + 9 * MIN),
    ...track(t2, 'request', 5, undefined, T0),
    ...track(t2, 'error', 1, undefined, T0),
    ...track(c1, 'request', 4, undefined, T0 + 9 * MIN),
    ...track('u-none', 'signup'),
    ...track(t1, 'irrelevant'),
  ],
];
const TOTAL_EVENTS = EXPOSURES.length + TRACKS.reduce((n, b) => n + b.length, 0);

const moments = (
  kind: 'occurrence' | 'count' | 'mean',
  units: number,
  sum: number,
  sumSquares: number,
) => ({ kind, units, sum, sumSquares }) as KpiAggregate;
const burn = (fiveMinutes: [number, number], longer: [number, number]): KpiAggregate => ({
  kind: 'slo-burn',
  windows: [5, 30, 60, 120, 360, 1440, 4320].map((m) => {
    const [bad, total] = m === 5 ? fiveMinutes : longer;
    return { windowMs: m * MIN, bad, total };
  }),
});

/** The example's aggregates, computed by hand from the events above. */
const EXPECTED: Aggregates = {
  units: { treatment: 3, control: 2 },
  kpis: {
    // t1 signed up 1,000 times and counts once.
    conversion: {
      treatment: moments('occurrence', 3, 2, 2),
      control: moments('occurrence', 2, 1, 1),
    },
    // per-unit clicks t: [2, 3, 0], c: [4, 0]
    clicks: { treatment: moments('count', 3, 5, 13), control: moments('count', 2, 4, 16) },
    // per-unit mean order t: [15, 30], c: [5] (c2's order has no value)
    order_value: { treatment: moments('mean', 2, 45, 1125), control: moments('mean', 1, 5, 25) },
    // per-unit (revenue, views) t: (10, 2), (0, 1), (0, 0); c: (10, 5), (0, 0)
    revenue_per_view: {
      treatment: {
        kind: 'ratio',
        units: 3,
        sumNumerator: 10,
        sumDenominator: 3,
        sumNumeratorSquares: 100,
        sumDenominatorSquares: 5,
        sumProducts: 20,
      },
      control: {
        kind: 'ratio',
        units: 2,
        sumNumerator: 10,
        sumDenominator: 5,
        sumNumeratorSquares: 100,
        sumDenominatorSquares: 25,
        sumProducts: 50,
      },
    },
    // bucket = ceil(ln|v| / ln(1.01/0.99)): 100 → 231, 200 → 265, 5 → 81, 50 → 196
    latency: {
      treatment: {
        kind: 'quantile',
        sketch: {
          units: 2,
          count: 4,
          zeroCount: 1,
          positive: [
            [231, 1],
            [265, 1],
          ],
          negative: [[81, 1]],
          min: -5,
          max: 200,
        },
      },
      control: {
        kind: 'quantile',
        sketch: {
          units: 1,
          count: 1,
          zeroCount: 0,
          positive: [[196, 1]],
          negative: [],
          min: 50,
          max: 50,
        },
      },
    },
    // now = T0+10m: the 5m window holds only minute T0+9m (t1: 2 bad of 10).
    availability: { treatment: burn([2, 10], [3, 15]), control: burn([0, 4], [0, 4]) },
  },
};

const NOW = T0 + 10 * MIN;

async function read(store: Store, sinceMs?: number, phase = 'canary'): Promise<Aggregates> {
  const a = await store.readAggregates({
    launchId: 'L1',
    phase,
    kpis: KPIS,
    nowMs: NOW,
    ...(sinceMs !== undefined && { sinceMs }),
  });
  for (const k of Object.values(a.kpis))
    for (const arm of [k.treatment, k.control])
      if (arm?.kind === 'quantile') {
        arm.sketch.positive.sort((x, y) => x[0] - y[0]);
        arm.sketch.negative.sort((x, y) => x[0] - y[0]);
      }
  return a;
}

async function ingestExample(store: Store): Promise<void> {
  await store.ingest('tok', 'exposures', EXPOSURES);
  for (const [i, batch] of TRACKS.entries()) await store.ingest('tok', `tracks-${i}`, batch);
}

/** Advance L1 as the controller would: an `advance` decision and the row patched. */
async function advance(s: Store, toPhase: string, traffic: number): Promise<void> {
  const launch = await s.getLaunch('L1');
  const at = Date.now();
  await s.appendLaunchEvent(
    {
      launchId: 'L1',
      type: 'decision',
      actor: 'controller',
      data: { type: 'advance', rule: 'phase-complete', toPhase, to: 1, traffic, at },
      at: new Date(at).toISOString(),
    },
    launch?.seq ?? 1,
    { phaseIndex: 1, traffic, phaseStartedAt: new Date(at).toISOString() },
  );
}

export function eventContract(ctx: ContractContext): void {
  it('stores a batch once per (token, batchId) and durably', async () => {
    const s = ctx.store;
    expect(await s.ingest('tok', 'b1', EXPOSURES)).toEqual({ accepted: 7, duplicate: false });
    expect(await s.ingest('tok', 'b1', EXPOSURES)).toEqual({ accepted: 0, duplicate: true });
    expect(await s.ingest('other', 'b1', EXPOSURES)).toEqual({ accepted: 7, duplicate: false });
    expect(await s.ingest('tok', undefined, EXPOSURES)).toEqual({ accepted: 7, duplicate: false });
    expect(await s.ingest('tok', undefined, EXPOSURES)).toEqual({ accepted: 7, duplicate: false });
    const reopened = await ctx.reopen();
    expect(await reopened.ingest('tok', 'b1', [])).toEqual({ accepted: 0, duplicate: true });
    expect(await reopened.projectionStatus()).toMatchObject({ pendingBatches: 4, events: 0 });
  });

  it('answers concurrent batches each after their commit, deduping within a group', async () => {
    const s = ctx.store;
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => s.ingest('tok', `b${i}`, TRACKS[1] ?? [])),
      ...Array.from({ length: 5 }, () => s.ingest('tok', 'same', TRACKS[1] ?? [])),
    ]);
    expect(results.slice(0, 40).every((r) => r.accepted === 9 && !r.duplicate)).toBe(true);
    expect(results.slice(40).filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await ctx.reopen().then((r) => r.projectionStatus())).pendingBatches).toBe(41);
  });

  it('rejects a bad batch whole, naming the event and field', async () => {
    const s = ctx.store;
    const bad = [
      ...EXPOSURES,
      { type: 'track', unit: 'u', event: 'x', ts: Number.NaN } as SdkEvent,
    ];
    await expect(s.ingest('tok', 'b1', bad)).rejects.toMatchObject({
      name: 'StoreInputError',
      field: 'events[7].ts',
    });
    await expect(
      s.ingest('tok', 'b2', [{ type: 'click', unit: 'u', ts: 1 } as unknown as SdkEvent]),
    ).rejects.toBeInstanceOf(StoreInputError);
    expect((await s.projectionStatus()).pendingBatches).toBe(0);
    expect(await s.ingest('tok', 'b1', EXPOSURES)).toEqual({ accepted: 7, duplicate: false });
  });

  it('aggregates every KPI kind per unit, matching hand-computed values', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    await ingestExample(s);
    expect(await s.project()).toBe(TOTAL_EVENTS);
    expect(await read(s)).toEqual(EXPECTED);
    expect(await s.projectionStatus()).toEqual({
      cursor: expect.any(Number),
      batches: 5,
      events: TOTAL_EVENTS,
      exposures: 5,
      attributed: TOTAL_EVENTS - 7 - 2,
      unattributed: 1,
      ignored: 3,
      quarantined: 0,
      pendingBatches: 0,
    });
    // Another phase has no units yet; every arm reads as empty, never missing.
    const early = await read(s, undefined, 'early');
    expect(early.units).toEqual({ treatment: 0, control: 0 });
    expect(early.kpis['clicks']).toEqual({
      treatment: moments('count', 0, 0, 0),
      control: moments('count', 0, 0, 0),
    });
    expect(early.kpis['cpu']).toBeUndefined();
  });

  it('projects exactly once, resuming across a reopen', async () => {
    await seedLaunch(ctx.store);
    await ingestExample(ctx.store);
    expect(await ctx.store.project(1)).toBe(EXPOSURES.length);
    expect((await ctx.store.projectionStatus()).pendingBatches).toBe(4);
    const s = await ctx.reopen();
    expect(await s.project(2)).toBe((TRACKS[0]?.length ?? 0) + (TRACKS[1]?.length ?? 0));
    expect(await s.project()).toBe((TRACKS[2]?.length ?? 0) + (TRACKS[3]?.length ?? 0));
    expect(await s.project()).toBe(0);
    expect(await read(s)).toEqual(EXPECTED);
    if (ctx.multipleInstances) {
      // Two replicas projecting at once still fold each batch once.
      await s.ingest('tok', 'more', track(t3, 'click', 7));
      await s.ingest('tok', 'more2', track(t3, 'click', 1));
      const other = await ctx.another();
      const folded = await Promise.all([s.project(1), other.project(1), s.project(1)]);
      expect(folded.reduce((a, b) => a + b, 0)).toBe(8);
      expect((await read(s)).kpis['clicks']?.treatment).toEqual(
        moments('count', 3, 13, 4 + 9 + 64),
      );
    }
  });

  it('rolls back a projection with its caller’s transaction', async () => {
    await seedLaunch(ctx.store);
    await ingestExample(ctx.store);
    const s = ctx.store;
    await expect(
      s.transaction(async (tx) => {
        expect(await tx.project()).toBe(TOTAL_EVENTS);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await s.projectionStatus()).toMatchObject({ events: 0, pendingBatches: 5 });
    expect(await s.project()).toBe(TOTAL_EVENTS);
    expect(await read(s)).toEqual(EXPECTED);
  });

  it('sends a unit’s later events to its latest phase and filters by event time', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    await advance(s, 'early', 0.1);
    const u = unitIn('u', 'treatment');
    const v = unitIn('v', 'control', 0.1);
    await s.ingest('tok', '1', [
      exposure('L1', u, 'treatment', T0, 'canary'),
      ...track(u, 'click', 1),
    ]);
    await s.ingest('tok', '2', [
      exposure('L1', u, 'treatment', T0 + MIN, 'early'),
      // A stale SDK still reporting the earlier phase does not pull the unit back.
      exposure('L1', u, 'treatment', T0 + MIN, 'canary'),
      ...track(u, 'click', 2, undefined, T0 + MIN),
      ...track(u, 'click', 3, undefined, T0 + 5 * MIN + 30_000),
    ]);
    await s.project();
    expect((await read(s, undefined, 'canary')).kpis['clicks']?.treatment).toEqual(
      moments('count', 1, 1, 1),
    );
    const early = (since?: number) =>
      read(s, since, 'early').then((a) => a.kpis['clicks']?.treatment);
    expect(await early()).toEqual(moments('count', 1, 5, 25));
    // sinceMs keeps the whole minute that contains it.
    expect(await early(T0 + 5 * MIN + 45_000)).toEqual(moments('count', 1, 3, 9));
    expect(await early(T0 + 6 * MIN)).toEqual(moments('count', 1, 0, 0));
    // First seen in early, then (stale config) in canary: its events stay in early.
    await s.ingest('tok', '3', [
      exposure('L1', v, 'control', T0 + 2 * MIN, 'early'),
      exposure('L1', v, 'control', T0 + 2 * MIN, 'canary'),
      ...track(v, 'click', 4, undefined, T0 + 2 * MIN),
    ]);
    await s.project();
    expect((await read(s, undefined, 'early')).kpis['clicks']?.control).toEqual(
      moments('count', 1, 4, 16),
    );
    expect((await read(s, undefined, 'canary')).kpis['clicks']?.control).toEqual(
      moments('count', 1, 0, 0),
    );
  });

  it('attributes the events of many units at once (exposure lookups in chunks)', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    // More units than one lookup chunk, in an order unrelated to their names.
    const units = Array.from({ length: 700 }, (_, i) =>
      unitIn(`unit-${(i * 389) % 700}`, i % 3 === 0 ? 'treatment' : 'control'),
    );
    const arm = (i: number) => (i % 3 === 0 ? 'treatment' : 'control');
    await s.ingest(
      'tok',
      'x',
      units.map((u, i) => exposure('L1', u, arm(i))),
    );
    await s.project();
    await s.ingest(
      'tok',
      c1,
      units.flatMap((u, i) => track(u, 'click', 1 + (i % 2))),
    );
    await s.ingest('tok', c2, [...track('nobody', 'click'), ...track(units[5] ?? '', 'click')]);
    expect(await s.project()).toBe(units.length + 350 + 2);
    const treated = units.filter((_, i) => arm(i) === 'treatment').length;
    const a = await read(s);
    expect(a.units).toEqual({ treatment: treated, control: units.length - treated });
    const clicks = (pick: (i: number) => boolean) =>
      units.reduce((n, _, i) => n + (pick(i) ? 1 + (i % 2) + (i === 5 ? 1 : 0) : 0), 0);
    expect(a.kpis['clicks']?.treatment).toMatchObject({
      units: treated,
      sum: clicks((i) => arm(i) === 'treatment'),
    });
    expect(a.kpis['clicks']?.control).toMatchObject({
      sum: clicks((i) => arm(i) === 'control'),
    });
    expect(await s.projectionStatus()).toMatchObject({ unattributed: 1, pendingBatches: 0 });
  });

  it('ignores events of launches that are not running or paused', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    await s.appendLaunchEvent({ launchId: 'L1', type: 'completed', actor: 'c', data: null }, 1, {
      status: 'completed',
    });
    await ingestExample(s);
    expect(await s.project()).toBe(TOTAL_EVENTS);
    expect((await read(s)).units).toEqual({ treatment: 0, control: 0 });
    expect(await s.projectionStatus()).toMatchObject({
      attributed: 0,
      exposures: 0,
      ignored: TOTAL_EVENTS,
    });
  });
}
