/**
 * Per-arm KPI aggregates from the projected tables, in the shapes of core's
 * kpi-aggregate.ts. Per-unit values are computed with GROUP BY (inner query per
 * unit, outer per arm) so a unit seen a thousand times is one sample.
 *
 * Time filters work on whole minutes: `sinceMs` keeps the minute that contains
 * it and everything after; burn-rate windows keep the minutes that start inside
 * (nowMs − window, nowMs].
 */
import type { Kpi, KpiAggregate, QuantileSketch } from '@threshold/core';
import type { Kysely, RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Database } from './database-schema.js';
import { MINUTE_MS } from './event-codec.js';
import type { AggregateQuery, Aggregates } from './store.js';
import { StoreInputError } from './store-error.js';
import { requireInt, requireText } from './validate-input.js';

/** Projection and reads share this slot size. */
export { MINUTE_MS };

type Arm = 'treatment' | 'control';
const ARMS: readonly Arm[] = ['treatment', 'control'];
const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Read the aggregates of every events-sourced KPI in `query`. */
export async function readAggregates(
  db: Kysely<Database>,
  query: AggregateQuery,
): Promise<Aggregates> {
  const launchId = requireText('launchId', query.launchId, 200);
  const phase = requireText('phase', query.phase, 200);
  requireInt('nowMs', query.nowMs, 0);
  if (query.sinceMs !== undefined) requireInt('sinceMs', query.sinceMs, 0);
  if (!Array.isArray(query.kpis)) throw new StoreInputError('kpis', 'must be an array of KPIs');
  const scope: Scope = {
    db,
    launchId,
    phase,
    minMinute: query.sinceMs === undefined ? null : Math.floor(query.sinceMs / MINUTE_MS),
    nowMs: query.nowMs,
  };
  const exposed = await exposedUnits(scope);
  const kpis: Aggregates['kpis'] = {};
  for (const kpi of query.kpis) {
    if (kpi.source !== 'events') continue;
    const perArm = await readKpi(scope, kpi, exposed);
    kpis[kpi.name] = { treatment: perArm.treatment, control: perArm.control };
  }
  return { units: exposed, kpis };
}

interface Scope {
  db: Kysely<Database>;
  launchId: string;
  phase: string;
  minMinute: number | null;
  nowMs: number;
}

type PerArm = Record<Arm, KpiAggregate>;

async function exposedUnits(s: Scope): Promise<Record<Arm, number>> {
  const { rows } = await sql<{ arm: string; units: unknown }>`
    SELECT arm, COUNT(*) AS units FROM exposures
    WHERE launch_id = ${s.launchId} AND phase = ${s.phase}
    GROUP BY arm`.execute(s.db);
  const out = { treatment: 0, control: 0 };
  for (const r of rows) if (r.arm === 'treatment' || r.arm === 'control') out[r.arm] = n(r.units);
  return out;
}

function since(s: Scope): RawBuilder<unknown> {
  return s.minMinute === null ? sql`` : sql` AND minute >= ${s.minMinute}`;
}

async function readKpi(s: Scope, kpi: Kpi, exposed: Record<Arm, number>): Promise<PerArm> {
  switch (kpi.kind) {
    case 'occurrence':
    case 'count':
      return countsPerUnit(s, kpi.kind, kpi.event ?? '', exposed);
    case 'mean':
      return meanPerUnit(s, kpi.event ?? '');
    case 'ratio':
      return ratioPerUnit(s, kpi.numerator ?? '', kpi.denominator ?? '', exposed);
    case 'quantile':
      return quantileSketch(s, kpi.event ?? '');
    case 'slo-burn':
      return burnWindows(s, kpi);
  }
}

async function countsPerUnit(
  s: Scope,
  kind: 'occurrence' | 'count',
  event: string,
  exposed: Record<Arm, number>,
): Promise<PerArm> {
  const { rows } = await sql<{ arm: string; units: unknown; s: unknown; ss: unknown }>`
    SELECT arm, COUNT(*) AS units, SUM(c) AS s, SUM(c * c) AS ss FROM (
      SELECT arm, unit, SUM(count) AS c FROM unit_aggregates
      WHERE launch_id = ${s.launchId} AND phase = ${s.phase} AND event = ${event}${since(s)}
      GROUP BY arm, unit
    ) per_unit GROUP BY arm`.execute(s.db);
  const out = {} as PerArm;
  for (const arm of ARMS) {
    const r = rows.find((x) => x.arm === arm);
    // Exposed units without events are zeros: they add to n, not to the sums.
    out[arm] =
      kind === 'occurrence'
        ? { kind, units: exposed[arm], sum: n(r?.units), sumSquares: n(r?.units) }
        : { kind, units: exposed[arm], sum: n(r?.s), sumSquares: n(r?.ss) };
  }
  return out;
}

async function meanPerUnit(s: Scope, event: string): Promise<PerArm> {
  const { rows } = await sql<{ arm: string; units: unknown; s: unknown; ss: unknown }>`
    SELECT arm, COUNT(*) AS units, SUM(m) AS s, SUM(m * m) AS ss FROM (
      SELECT arm, unit,
        CAST(SUM(value_sum) AS double precision) / CAST(SUM(value_count) AS double precision) AS m
      FROM unit_aggregates
      WHERE launch_id = ${s.launchId} AND phase = ${s.phase} AND event = ${event}${since(s)}
      GROUP BY arm, unit HAVING SUM(value_count) > 0
    ) per_unit GROUP BY arm`.execute(s.db);
  const out = {} as PerArm;
  for (const arm of ARMS) {
    const r = rows.find((x) => x.arm === arm);
    out[arm] = { kind: 'mean', units: n(r?.units), sum: n(r?.s), sumSquares: n(r?.ss) };
  }
  return out;
}

/** An event's contribution to a ratio: its value, or 1 when it has none. */
const CONTRIBUTION = sql`value_sum + (count - value_count)`;

async function ratioPerUnit(
  s: Scope,
  numerator: string,
  denominator: string,
  exposed: Record<Arm, number>,
): Promise<PerArm> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT arm, SUM(y) AS sy, SUM(x) AS sx, SUM(y * y) AS syy, SUM(x * x) AS sxx, SUM(y * x) AS sxy
    FROM (
      SELECT arm, unit,
        CAST(SUM(CASE WHEN event = ${numerator} THEN ${CONTRIBUTION} ELSE 0 END) AS double precision) AS y,
        CAST(SUM(CASE WHEN event = ${denominator} THEN ${CONTRIBUTION} ELSE 0 END) AS double precision) AS x
      FROM unit_aggregates
      WHERE launch_id = ${s.launchId} AND phase = ${s.phase}
        AND event IN (${numerator}, ${denominator})${since(s)}
      GROUP BY arm, unit
    ) per_unit GROUP BY arm`.execute(s.db);
  const out = {} as PerArm;
  for (const arm of ARMS) {
    const r = rows.find((x) => x['arm'] === arm) ?? {};
    out[arm] = {
      kind: 'ratio',
      units: exposed[arm],
      sumNumerator: n(r['sy']),
      sumDenominator: n(r['sx']),
      sumNumeratorSquares: n(r['syy']),
      sumDenominatorSquares: n(r['sxx']),
      sumProducts: n(r['sxy']),
    };
  }
  return out;
}

async function quantileSketch(s: Scope, event: string): Promise<PerArm> {
  const buckets = await sql<{ arm: string; sign: unknown; bucket: unknown; c: unknown }>`
    SELECT arm, sign, bucket, SUM(count) AS c FROM sketch_buckets
    WHERE launch_id = ${s.launchId} AND phase = ${s.phase} AND event = ${event}${since(s)}
    GROUP BY arm, sign, bucket ORDER BY arm, sign, bucket`.execute(s.db);
  const stats = await sql<{ arm: string; units: unknown; c: unknown; lo: unknown; hi: unknown }>`
    SELECT arm, COUNT(DISTINCT unit) AS units, SUM(value_count) AS c,
      MIN(value_min) AS lo, MAX(value_max) AS hi
    FROM unit_aggregates
    WHERE launch_id = ${s.launchId} AND phase = ${s.phase} AND event = ${event}
      AND value_count > 0${since(s)}
    GROUP BY arm`.execute(s.db);
  const out = {} as PerArm;
  for (const arm of ARMS) {
    const st = stats.rows.find((x) => x.arm === arm);
    // An empty sketch reports min = max = 0 with count 0 (JSON has no ±Infinity).
    const sketch: QuantileSketch = {
      units: n(st?.units),
      count: n(st?.c),
      zeroCount: 0,
      positive: [],
      negative: [],
      min: n(st?.lo),
      max: n(st?.hi),
    };
    for (const b of buckets.rows) {
      if (b.arm !== arm) continue;
      const sign = n(b.sign);
      if (sign === 0) sketch.zeroCount += n(b.c);
      else (sign > 0 ? sketch.positive : sketch.negative).push([n(b.bucket), n(b.c)]);
    }
    out[arm] = { kind: 'quantile', sketch };
  }
  return out;
}

async function burnWindows(s: Scope, kpi: Kpi): Promise<PerArm> {
  const bad = kpi.numerator ?? '';
  const total = kpi.denominator ?? '';
  const lengths: number[] = [];
  for (const w of kpi.guard.burn_rate?.windows ?? [])
    for (const len of [w.long, w.short]) if (!lengths.includes(len)) lengths.push(len);
  lengths.sort((a, b) => a - b);
  const lastMinute = Math.floor(s.nowMs / MINUTE_MS);
  const out: PerArm = {
    treatment: { kind: 'slo-burn', windows: [] },
    control: { kind: 'slo-burn', windows: [] },
  };
  for (const windowMs of lengths) {
    const firstMinute = Math.floor((s.nowMs - windowMs) / MINUTE_MS) + 1;
    const { rows } = await sql<{ arm: string; event: string; c: unknown }>`
      SELECT arm, event, SUM(count) AS c FROM minute_counts
      WHERE launch_id = ${s.launchId} AND event IN (${bad}, ${total})
        AND minute >= ${firstMinute} AND minute <= ${lastMinute}
      GROUP BY arm, event`.execute(s.db);
    for (const arm of ARMS) {
      const agg = out[arm];
      if (agg.kind !== 'slo-burn') continue;
      const get = (e: string) => n(rows.find((r) => r.arm === arm && r.event === e)?.c);
      agg.windows.push({ windowMs, bad: get(bad), total: get(total) });
    }
  }
  return out;
}
