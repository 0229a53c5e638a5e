/**
 * The projection's pure part: fold decoded events, in order, into aggregate
 * deltas. Both stores load the same inputs (active launches, known exposures)
 * and write the same deltas; only the SQL differs.
 */
import { SKETCH_MIN_INDEXABLE, sketchBucketIndex } from '@threshold/core';
import type { Kpi, Plan } from '@threshold/core';
import { MINUTE_MS } from './event-codec.js';
import type { StoredEvent } from './event-codec.js';
import { UNKNOWN_TOKEN_LIMITS, checkArm } from './exposure-check.js';
import type { LaunchBucketing, QuarantineReason, TokenLimits } from './exposure-check.js';

/** A running or paused launch, as the projection needs it. */
export interface ActiveLaunch {
  id: string;
  /** Phase names in plan order (a later phase ranks higher). */
  phases: string[];
  /** Phase to record when an exposure names none. */
  currentPhase: string;
  /** Index of the current phase: exposures of a later phase are not live yet. */
  rank: number;
  /** The flag the launch runs (a flag-limited token feeds only its flags' launches). */
  flag: string;
  /** The launch's environment (an sdk token feeds only its environment's launches). */
  environment: string;
  kpis: Kpi[];
  /** Salt, control and traffic history: the arm every exposure must match. */
  bucketing: LaunchBucketing;
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

/** What one token contributed to one launch phase in one server minute (evidence_contributions). */
export interface ContributionDelta {
  launchId: string;
  phase: string;
  tokenId: string;
  minute: number;
  /** New units it exposed (folded). */
  units: number;
  /** Exposures quarantined, per reason. */
  armMismatch: number;
  phaseNotLive: number;
  outOfScope: number;
  overCap: number;
}

/** Everything one projection step writes. */
export interface FoldResult {
  exposures: ExposureRow[];
  unitAggregates: Map<string, UnitAggregateDelta>;
  sketch: Map<string, SketchDelta>;
  minutes: Map<string, MinuteDelta>;
  contributions: Map<string, ContributionDelta>;
  stats: {
    events: number;
    exposures: number;
    attributed: number;
    unattributed: number;
    ignored: number;
    /** Exposures checked and refused (see exposure-check.ts): never folded. */
    quarantined: number;
  };
}

/** Stored batches of one step: the token that sent each and the server minute it came in. */
export interface FoldBatch {
  tokenId: string;
  /** Minute slot of the batch's `received_at` (the cap's clock: the client's `ts` is its word). */
  minute: number;
  events: StoredEvent[];
}

/** Key of the cap's counter: new units of one token in one launch and server minute. */
export function capKey(launchId: string, tokenId: string, minute: number): string {
  return launchId + SEP + tokenId + SEP + minute;
}

const SEP = '\u0000';

/**
 * Fold batches in order. `placements` must hold the stored exposures of every
 * unit named here (see {@link unitsToLoad}); it is updated with the exposures of
 * this fold so later events of the same fold see them. `tokens` holds the limits
 * of the batches' tokens (absent: {@link UNKNOWN_TOKEN_LIMITS}); `capUsed` the new
 * units already stored per {@link capKey} of this step's tokens and minutes, and is
 * updated as units are placed.
 */
export function foldEvents(
  batches: Iterable<FoldBatch>,
  launches: Map<string, ActiveLaunch>,
  interest: InterestMap,
  placements: PlacementMap,
  tokens: ReadonlyMap<string, TokenLimits> = new Map(),
  capUsed: Map<string, number> = new Map(),
): FoldResult {
  const r: FoldResult = {
    exposures: [],
    unitAggregates: new Map(),
    sketch: new Map(),
    minutes: new Map(),
    contributions: new Map(),
    stats: {
      events: 0,
      exposures: 0,
      attributed: 0,
      unattributed: 0,
      ignored: 0,
      quarantined: 0,
    },
  };
  for (const batch of batches) {
    const limits = tokens.get(batch.tokenId) ?? UNKNOWN_TOKEN_LIMITS;
    for (const e of batch.events)
      foldEvent(r, e, batch, limits, launches, interest, placements, capUsed);
  }
  return r;
}

function foldEvent(
  r: FoldResult,
  e: StoredEvent,
  batch: FoldBatch,
  limits: TokenLimits,
  launches: Map<string, ActiveLaunch>,
  interest: InterestMap,
  placements: PlacementMap,
  capUsed: Map<string, number>,
): void {
  r.stats.events++;
  if (e.type === 'exposure') {
    const launch = launches.get(e.launch);
    if (launch === undefined || (e.arm !== 'treatment' && e.arm !== 'control')) {
      r.stats.ignored++;
      return;
    }
    const phase = e.phase ?? launch.currentPhase;
    const rank = launch.phases.indexOf(phase);
    const reason: QuarantineReason | undefined =
      (limits.flags !== null && !limits.flags.has(launch.flag)) ||
      (limits.environment !== null && limits.environment !== launch.environment)
        ? 'out-of-scope'
        : rank < 0 || rank > launch.rank
          ? 'phase-not-live'
          : checkArm(launch.bucketing, phase, e.unit, e.arm, e.ts);
    if (reason !== undefined) return quarantine(r, launch.id, phase, batch, reason);
    if (placements.get(e.unit)?.get(launch.id)?.phases.has(phase) === true) {
      r.stats.exposures++; // a repeat: the unit's first exposure of the phase stands
      return;
    }
    const key = capKey(launch.id, batch.tokenId, batch.minute);
    const used = capUsed.get(key) ?? 0;
    if (used >= limits.unitsPerMinute) return quarantine(r, launch.id, phase, batch, 'over-cap');
    capUsed.set(key, used + 1);
    contribution(r, launch.id, phase, batch).units++;
    r.stats.exposures++;
    placeExposure(placements, e.unit, launch.id, phase, e.arm, rank);
    r.exposures.push({ launchId: launch.id, phase, unit: e.unit, arm: e.arm, firstTs: e.ts });
    return;
  }
  const wanted = interest.get(e.event);
  if (wanted === undefined) {
    r.stats.ignored++;
    return;
  }
  const byLaunch = placements.get(e.unit);
  let hit = false;
  const minute = Math.floor(e.ts / MINUTE_MS);
  for (const [launchId, flags] of wanted) {
    const p = byLaunch?.get(launchId);
    if (p === undefined) continue;
    // A flag-limited token's outcome events count only for its flags' launches.
    if (limits.flags !== null && !limits.flags.has(launches.get(launchId)?.flag ?? '')) continue;
    if (limits.environment !== null && limits.environment !== launches.get(launchId)?.environment)
      continue;
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

function contribution(
  r: FoldResult,
  launchId: string,
  phase: string,
  batch: FoldBatch,
): ContributionDelta {
  const key = launchId + SEP + phase + SEP + batch.tokenId + SEP + batch.minute;
  let c = r.contributions.get(key);
  if (c === undefined) {
    c = {
      launchId,
      phase,
      tokenId: batch.tokenId,
      minute: batch.minute,
      units: 0,
      armMismatch: 0,
      phaseNotLive: 0,
      outOfScope: 0,
      overCap: 0,
    };
    r.contributions.set(key, c);
  }
  return c;
}

function quarantine(
  r: FoldResult,
  launchId: string,
  phase: string,
  batch: FoldBatch,
  reason: QuarantineReason,
): void {
  r.stats.quarantined++;
  const c = contribution(r, launchId, phase, batch);
  if (reason === 'arm-mismatch') c.armMismatch++;
  else if (reason === 'phase-not-live') c.phaseNotLive++;
  else if (reason === 'out-of-scope') c.outOfScope++;
  else c.overCap++;
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

/**
 * Units whose stored exposures the fold needs: those with a track event some launch
 * wants, and those exposed to an active launch (so a repeat is known as one, and the
 * cap counts units, not exposure events).
 */
export function unitsToLoad(
  batches: Iterable<FoldBatch>,
  interest: InterestMap,
  launches: ReadonlyMap<string, ActiveLaunch>,
): Set<string> {
  const units = new Set<string>();
  for (const b of batches)
    for (const e of b.events)
      if (e.type === 'track' ? interest.has(e.event) : launches.has(e.launch)) units.add(e.unit);
  return units;
}

/** SQL condition of launches whose events are projected. */
export const ACTIVE_STATUSES = ['running', 'paused'] as const;
