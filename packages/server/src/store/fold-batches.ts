/**
 * The projection's pure part: fold decoded events, in order, into aggregate
 * deltas. Both stores load the same inputs (active launches, known exposures)
 * and write the same deltas; only the SQL differs.
 */
import { SKETCH_MIN_INDEXABLE, sketchBucketIndex } from '@threshold/core';
import type { Kpi, Plan } from '@threshold/core';
import { MINUTE_MS } from './event-codec.js';
import type { StoredEvent } from './event-codec.js';

/** A running or paused launch, as the projection needs it. */
export interface ActiveLaunch {
  id: string;
  /** Phase names in plan order (a later phase ranks higher). */
  phases: string[];
  /** Phase to record when an exposure names none. */
  currentPhase: string;
  kpis: Kpi[];
}

/** What one launch wants of one event name. */
export interface EventInterest {
  sketch: boolean;
  minutes: boolean;
}

/** event name → launch id → what to keep. */
export type InterestMap = Map<string, Map<string, EventInterest>>;

/** Every KPI of a plan, all categories. */
export function planKpis(plan: Plan): Kpi[] {
  return [...plan.kpis.efficiency, ...plan.kpis['user-impact'], ...plan.kpis['operational-health']];
}

/** Which events matter to which launches (only events-sourced KPIs). */
export function buildInterest(launches: Iterable<ActiveLaunch>): InterestMap {
  const map: InterestMap = new Map();
  const want = (event: string | undefined, launchId: string, flags: Partial<EventInterest>) => {
    if (event === undefined) return;
    let byLaunch = map.get(event);
    if (byLaunch === undefined) map.set(event, (byLaunch = new Map()));
    const cur = byLaunch.get(launchId) ?? { sketch: false, minutes: false };
    byLaunch.set(launchId, {
      sketch: cur.sketch || flags.sketch === true,
      minutes: cur.minutes || flags.minutes === true,
    });
  };
  for (const l of launches) {
    for (const k of l.kpis) {
      if (k.source !== 'events') continue;
      const flags = { sketch: k.kind === 'quantile', minutes: k.kind === 'slo-burn' };
      want(k.event, l.id, flags);
      want(k.numerator, l.id, flags);
      want(k.denominator, l.id, flags);
    }
  }
  return map;
}

/** Where a unit's track events go for one launch: its exposure of highest phase rank. */
export interface UnitPlacement {
  /** arm per phase the unit was exposed in (first exposure of each phase wins). */
  phases: Map<string, string>;
  phase: string;
  arm: string;
  rank: number;
}

/** unit → launch id → placement. Loaded from the exposures table, updated while folding. */
export type PlacementMap = Map<string, Map<string, UnitPlacement>>;

/** Record an exposure in a placement map; returns false when (launch, phase, unit) was known. */
export function placeExposure(
  placements: PlacementMap,
  unit: string,
  launchId: string,
  phase: string,
  arm: string,
  rank: number,
): boolean {
  let byLaunch = placements.get(unit);
  if (byLaunch === undefined) placements.set(unit, (byLaunch = new Map()));
  const p = byLaunch.get(launchId);
  if (p === undefined) {
    byLaunch.set(launchId, { phases: new Map([[phase, arm]]), phase, arm, rank });
    return true;
  }
  if (p.phases.has(phase)) return false;
  p.phases.set(phase, arm);
  if (rank > p.rank) {
    p.phase = phase;
    p.arm = arm;
    p.rank = rank;
  }
  return true;
}

export interface ExposureRow {
  launchId: string;
  phase: string;
  unit: string;
  arm: string;
  firstTs: number;
}
export interface UnitAggregateDelta {
  launchId: string;
  phase: string;
  event: string;
  arm: string;
  unit: string;
  minute: number;
  count: number;
  valueCount: number;
  valueSum: number;
  valueMin: number | null;
  valueMax: number | null;
}
export interface SketchDelta {
  launchId: string;
  phase: string;
  event: string;
  arm: string;
  minute: number;
  sign: number;
  bucket: number;
  count: number;
}
export interface MinuteDelta {
  launchId: string;
  event: string;
  arm: string;
  minute: number;
  count: number;
}

/** Everything one projection step writes. */
export interface FoldResult {
  exposures: ExposureRow[];
  unitAggregates: Map<string, UnitAggregateDelta>;
  sketch: Map<string, SketchDelta>;
  minutes: Map<string, MinuteDelta>;
  stats: {
    events: number;
    exposures: number;
    attributed: number;
    unattributed: number;
    ignored: number;
  };
}

const SEP = '\u0000';

/**
 * Fold events in order. `placements` must hold the stored exposures of every
 * unit with a track event here (see {@link unitsToLoad}); it is updated with the
 * exposures of this fold so later events of the same fold see them.
 */
export function foldEvents(
  events: Iterable<StoredEvent>,
  launches: Map<string, ActiveLaunch>,
  interest: InterestMap,
  placements: PlacementMap,
): FoldResult {
  const r: FoldResult = {
    exposures: [],
    unitAggregates: new Map(),
    sketch: new Map(),
    minutes: new Map(),
    stats: { events: 0, exposures: 0, attributed: 0, unattributed: 0, ignored: 0 },
  };
  for (const e of events) {
    r.stats.events++;
    if (e.type === 'exposure') {
      const launch = launches.get(e.launch);
      if (launch === undefined || (e.arm !== 'treatment' && e.arm !== 'control')) {
        r.stats.ignored++;
        continue;
      }
      const phase = e.phase ?? launch.currentPhase;
      r.stats.exposures++;
      if (placeExposure(placements, e.unit, launch.id, phase, e.arm, launch.phases.indexOf(phase)))
        r.exposures.push({ launchId: launch.id, phase, unit: e.unit, arm: e.arm, firstTs: e.ts });
      continue;
    }
    const wanted = interest.get(e.event);
    if (wanted === undefined) {
      r.stats.ignored++;
      continue;
    }
    const byLaunch = placements.get(e.unit);
    let hit = false;
    const minute = Math.floor(e.ts / MINUTE_MS);
    for (const [launchId, flags] of wanted) {
      const p = byLaunch?.get(launchId);
      if (p === undefined) continue;
      hit = true;
      addUnitAggregate(r, launchId, p, e.event, e.unit, minute, e.value);
      if (flags.sketch && e.value !== null) addSketch(r, launchId, p, e.event, minute, e.value);
      if (flags.minutes) {
        const key = launchId + SEP + e.event + SEP + p.arm + SEP + minute;
        const m = r.minutes.get(key);
        if (m === undefined)
          r.minutes.set(key, { launchId, event: e.event, arm: p.arm, minute, count: 1 });
        else m.count++;
      }
    }
    if (hit) r.stats.attributed++;
    else r.stats.unattributed++;
  }
  return r;
}

function addUnitAggregate(
  r: FoldResult,
  launchId: string,
  p: UnitPlacement,
  event: string,
  unit: string,
  minute: number,
  value: number | null,
): void {
  const key = launchId + SEP + p.phase + SEP + event + SEP + p.arm + SEP + unit + SEP + minute;
  let a = r.unitAggregates.get(key);
  if (a === undefined) {
    a = {
      launchId,
      phase: p.phase,
      event,
      arm: p.arm,
      unit,
      minute,
      count: 0,
      valueCount: 0,
      valueSum: 0,
      valueMin: null,
      valueMax: null,
    };
    r.unitAggregates.set(key, a);
  }
  a.count++;
  if (value !== null) {
    a.valueCount++;
    a.valueSum += value;
    if (a.valueMin === null || value < a.valueMin) a.valueMin = value;
    if (a.valueMax === null || value > a.valueMax) a.valueMax = value;
  }
}

function addSketch(
  r: FoldResult,
  launchId: string,
  p: UnitPlacement,
  event: string,
  minute: number,
  value: number,
): void {
  const magnitude = Math.abs(value);
  const sign = magnitude < SKETCH_MIN_INDEXABLE ? 0 : value > 0 ? 1 : -1;
  const bucket = sign === 0 ? 0 : sketchBucketIndex(magnitude);
  const key =
    launchId + SEP + p.phase + SEP + event + SEP + p.arm + SEP + minute + SEP + sign + SEP + bucket;
  const s = r.sketch.get(key);
  if (s === undefined)
    r.sketch.set(key, {
      launchId,
      phase: p.phase,
      event,
      arm: p.arm,
      minute,
      sign,
      bucket,
      count: 1,
    });
  else s.count++;
}

/** Units whose stored exposures the fold needs: those with a track event some launch wants. */
export function unitsToLoad(events: Iterable<StoredEvent>, interest: InterestMap): Set<string> {
  const units = new Set<string>();
  for (const e of events) if (e.type === 'track' && interest.has(e.event)) units.add(e.unit);
  return units;
}

/** An active launch from its row and its plan version's JSON. */
export function toActiveLaunch(id: string, phaseIndex: number, planJson: string): ActiveLaunch {
  const plan = JSON.parse(planJson) as Plan;
  const phases = plan.phases.map((p) => p.name);
  return {
    id,
    phases,
    currentPhase: phases[phaseIndex] ?? phases[phases.length - 1] ?? '',
    kpis: planKpis(plan),
  };
}

/** SQL condition of launches whose events are projected. */
export const ACTIVE_STATUSES = ['running', 'paused'] as const;
