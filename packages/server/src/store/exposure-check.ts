/**
 * Evidence integrity at fold time (ADR 0019): an exposure's arm is recomputed from
 * the launch's salt, the unit and the traffic share the launch's log says was in
 * force in the claimed phase; a token's flag scope and unit rate are applied. Pure:
 * both stores (and the SQLite projection worker) load the same inputs.
 */
import { armOf, createBucketer, shareToBuckets } from '@threshold/core';

/** Why an exposure was quarantined instead of folded. */
export type QuarantineReason = 'arm-mismatch' | 'phase-not-live' | 'out-of-scope' | 'over-cap';

/** Every reason, in the order the API and /metrics list them. */
export const QUARANTINE_REASONS: readonly QuarantineReason[] = [
  'arm-mismatch',
  'phase-not-live',
  'out-of-scope',
  'over-cap',
];

/**
 * Default cap of new units one token may expose per launch and server minute (the
 * minute the batch was received, not the client's `ts`). A token record may set
 * its own (`maxUnitsPerMinute`).
 */
export const DEFAULT_TOKEN_UNITS_PER_MINUTE = 10_000;

/**
 * How far (ms) an exposure's `ts` may be from a traffic change and still be judged
 * by the share before it: config propagation, SDK batching and client clock skew.
 * `ts` is the client's word, so this only disambiguates within one phase.
 */
export const TRAFFIC_CHANGE_GRACE_MS = 5 * 60_000;

/** One stretch of a phase at one traffic share. */
export interface TrafficSegment {
  /** Treatment buckets (0..10000). */
  buckets: number;
  from: number;
  /** End (ms), null while in force. */
  to: number | null;
}

/** An entry of a launch's log, as the projection reads it (`created` and `decision` only). */
export interface LogEntry {
  type: string;
  at: string;
  data: string;
}

/** The bucketing and traffic history of a launch. */
export interface LaunchBucketing {
  control: 'rest' | 'holdout';
  /** Null when this build cannot compute the plan's hash version: nothing can be verified. */
  bucketOf: ((unit: string) => number) | null;
  /** Phase name → its traffic segments in time order. */
  segments: Map<string, TrafficSegment[]>;
}

/**
 * The traffic history of a launch from its log: `created` starts the first phase
 * at its traffic, an `advance` decision starts a phase at its traffic. When the
 * log does not end where the row stands (a log edited by hand), the row's phase
 * and share are taken from its phase start, so the current phase is never judged
 * against a share that is not in force.
 */
export function launchBucketing(input: {
  salt: string;
  hashVersion: number;
  control: 'rest' | 'holdout';
  phases: readonly string[];
  phaseIndex: number;
  traffic: number;
  phaseStartedAt: string;
  log: readonly LogEntry[];
}): LaunchBucketing {
  const segments = new Map<string, TrafficSegment[]>();
  let last: TrafficSegment | undefined;
  let lastPhase: string | undefined;
  const start = (phase: string, share: number, at: number) => {
    if (last !== undefined && last.to === null) last.to = at;
    last = { buckets: shareToBuckets(share), from: at, to: null };
    lastPhase = phase;
    const list = segments.get(phase) ?? [];
    list.push(last);
    segments.set(phase, list);
  };
  for (const entry of input.log) {
    const at = Date.parse(entry.at);
    if (!Number.isFinite(at)) continue;
    let data: unknown;
    try {
      data = JSON.parse(entry.data);
    } catch {
      continue; // a hand-edited row: the row fallback below still holds
    }
    if (typeof data !== 'object' || data === null) continue;
    const d = data as { type?: unknown; toPhase?: unknown; traffic?: unknown };
    const share =
      typeof d.traffic === 'number' && d.traffic >= 0 && d.traffic <= 1 ? d.traffic : null;
    if (entry.type === 'created' && share !== null && input.phases[0] !== undefined)
      start(input.phases[0], share, at);
    else if (d.type === 'advance' && typeof d.toPhase === 'string' && share !== null)
      start(d.toPhase, share, at);
  }
  const current = input.phases[input.phaseIndex];
  const rowBuckets = shareToBuckets(Math.min(1, Math.max(0, input.traffic)));
  if (current !== undefined && (lastPhase !== current || last?.buckets !== rowBuckets))
    start(current, input.traffic, Date.parse(input.phaseStartedAt));
  let bucketOf: LaunchBucketing['bucketOf'];
  try {
    // The plan schema admits only known versions; one from a newer release must not
    // stop the projection of every launch, so its exposures are quarantined instead.
    bucketOf = createBucketer(input.salt, input.hashVersion as 1);
  } catch {
    bucketOf = null;
  }
  return { control: input.control, bucketOf, segments };
}

/**
 * Whether `arm` is the arm `unit` had in `phase` at `ts`: any traffic share of the
 * phase in force within {@link TRAFFIC_CHANGE_GRACE_MS} of `ts` (clamped into the
 * phase, since `ts` is the client's word) counts. Undefined when it is; otherwise
 * the reason.
 */
export function checkArm(
  b: LaunchBucketing,
  phase: string,
  unit: string,
  arm: string,
  ts: number,
): QuarantineReason | undefined {
  const list = b.segments.get(phase);
  const first = list?.[0];
  if (list === undefined || first === undefined) return 'phase-not-live';
  const end = list[list.length - 1]?.to ?? Infinity;
  if (b.bucketOf === null) return 'arm-mismatch';
  const t = Math.min(Math.max(ts, first.from), end);
  const bucket = b.bucketOf(unit);
  for (const s of list) {
    if (s.from > t + TRAFFIC_CHANGE_GRACE_MS || (s.to ?? Infinity) < t - TRAFFIC_CHANGE_GRACE_MS)
      continue;
    if (armOf(bucket, s.buckets, b.control) === arm) return undefined;
  }
  return 'arm-mismatch';
}

/** What one token may contribute (from its record; defaults for unknown tokens). */
export interface TokenLimits {
  /** Flags whose launches it may expose and feed; null = every flag. */
  flags: ReadonlySet<string> | null;
  /** New units per launch and server minute. */
  unitsPerMinute: number;
  /** The environment whose launches an sdk token feeds; null = any (not an sdk token, or unknown). */
  environment: string | null;
}

/** The environment an sdk token is bound to (scopes as stored JSON), or null for other tokens. */
export function sdkEnvironment(scopes: string, environment: string): string | null {
  try {
    const list = JSON.parse(scopes) as unknown;
    return Array.isArray(list) && list.includes('sdk') ? environment : null;
  } catch {
    return environment;
  }
}

/** Limits of a token row (`flags` JSON text or null). */
export function tokenLimits(
  flags: string | null,
  maxUnitsPerMinute: number | null,
  environment: string | null = null,
): TokenLimits {
  let list: unknown;
  try {
    list = flags === null ? null : JSON.parse(flags);
  } catch {
    list = [];
  }
  return {
    // A scope that cannot be read allows nothing rather than everything.
    flags: flags === null ? null : new Set(Array.isArray(list) ? list.map(String) : []),
    unitsPerMinute: maxUnitsPerMinute ?? DEFAULT_TOKEN_UNITS_PER_MINUTE,
    environment,
  };
}

/** Limits of a token the store does not know (a test's made-up id): no scope, the default cap. */
export const UNKNOWN_TOKEN_LIMITS: TokenLimits = {
  flags: null,
  unitsPerMinute: DEFAULT_TOKEN_UNITS_PER_MINUTE,
  environment: null,
};
