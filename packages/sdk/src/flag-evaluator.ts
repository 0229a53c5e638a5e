import { armOf, compileAudience, createBucketer, EVALUATION_REASONS } from '@threshold/core';
import type {
  Arm,
  ConfigDocument,
  EvaluationContext,
  EvaluationReason,
  FlagConfig,
} from '@threshold/core';

/** Result of `evaluate()`: the value plus why, for diagnostics and OpenFeature. */
export interface EvaluationDetail {
  /** Flag key asked for. */
  flag: string;
  /** The answer (the caller's default for FLAG_NOT_FOUND, MISSING_UNIT, NOT_READY, ERROR). */
  value: boolean;
  /** Why, see EVALUATION_REASONS. */
  reason: EvaluationReason;
  /** Arm when the unit was bucketed (reason SPLIT). */
  arm?: Arm;
  /** Bucket 0..9999 when the unit was bucketed. */
  bucket?: number;
  /** Launch id of the flag, when known. */
  launch?: string;
  /** Phase of the launch, when the config names one. */
  phase?: string;
  /** Message for reason ERROR. */
  errorMessage?: string;
}

/** Called once per new (launch, phase, unit, arm) when exposures are enabled. */
export type ExposureSink = (flag: CompiledFlag, unit: string, arm: Arm) => void;

const MODE_SPLIT = 0;
const MODE_OFF = 1;
const MODE_ON = 2;
/** Completed with an empty audience: on for every context, without touching it. */
const MODE_ALL_ON = 3;

/**
 * A FlagConfig compiled for the hot path (internal; exported for the client only).
 * Kept small: 1,000 flags must fit in well under 1 MiB.
 */
export interface CompiledFlag {
  /** The validated config (key, launch, phase… are read from here off the hot path). */
  readonly config: FlagConfig;
  readonly unit: string;
  readonly traffic: number;
  readonly control: 'rest' | 'holdout';
  readonly mode: number;
  readonly inAudience: (ctx: EvaluationContext) => boolean;
  readonly bucketOf: (unitId: string) => number;
  /** Dedupe key: launch + phase. */
  readonly seenKey: string;
  /** Units already exposed in this (launch, phase) with their arm; created on first exposure. */
  seen: Map<string, Arm> | undefined;
}

/** Per-launch dedupe maps are cleared when they reach this many units. */
export const DEFAULT_EXPOSURE_CACHE_SIZE = 50_000;

/**
 * Holds the compiled flags of the current ConfigDocument and evaluates them
 * synchronously. Evaluation never throws and `isOn` allocates nothing once a
 * unit's exposure has been recorded.
 */
export class FlagEvaluator {
  #flags = new Map<string, CompiledFlag>();
  #seenByLaunch = new Map<string, Map<string, Arm>>();
  #document: ConfigDocument | undefined;
  #exposureSink: ExposureSink | undefined;

  constructor(
    exposureSink?: ExposureSink,
    private readonly exposureCacheSize = DEFAULT_EXPOSURE_CACHE_SIZE,
  ) {
    this.#exposureSink = exposureSink;
  }

  /** The loaded document, if any. */
  get document(): ConfigDocument | undefined {
    return this.#document;
  }

  /** Number of loaded flags. */
  get size(): number {
    return this.#flags.size;
  }

  /**
   * Compiles and swaps in a validated document; returns the keys whose config changed
   * (added, removed or modified). Throws only if compilation fails; the old flags stay.
   */
  load(doc: ConfigDocument): string[] {
    const next = new Map<string, CompiledFlag>();
    const nextSeen = new Map<string, Map<string, Arm>>();
    // Flags often share an audience: compile each distinct one once.
    const audiences = new Map<string, (ctx: EvaluationContext) => boolean>();
    for (const config of doc.flags) {
      const compiled = compile(config, audiences);
      const seen = this.#seenByLaunch.get(compiled.seenKey);
      if (seen) {
        nextSeen.set(compiled.seenKey, seen);
        compiled.seen = seen;
      }
      next.set(config.key, compiled);
    }
    const changed: string[] = [];
    for (const [key, flag] of next) {
      const old = this.#flags.get(key);
      if (!old || JSON.stringify(old.config) !== JSON.stringify(flag.config)) changed.push(key);
    }
    for (const key of this.#flags.keys()) if (!next.has(key)) changed.push(key);
    this.#flags = next;
    this.#seenByLaunch = nextSeen;
    this.#document = doc;
    return changed;
  }

  /** The compiled flag for a key (for diagnostics and providers). */
  flag(key: string): CompiledFlag | undefined {
    return this.#flags.get(key);
  }

  /** Hot path: is the flag on for this context? Returns `defaultValue` when it can't say. */
  isOn(key: string, ctx: EvaluationContext, defaultValue: boolean): boolean {
    try {
      const f = this.#flags.get(key);
      if (f === undefined) return defaultValue;
      if (f.mode === MODE_OFF) return false;
      if (f.mode === MODE_ALL_ON) return true;
      if (typeof ctx !== 'object' || ctx === null) return defaultValue;
      if (f.mode === MODE_ON) return f.inAudience(ctx);
      // Audience first: it is cheap and needs no unit; most contexts stop here.
      if (!f.inAudience(ctx)) return false;
      const unit = unitOf(ctx, f.unit);
      if (unit === undefined) return defaultValue;
      const arm = armOf(f.bucketOf(unit), f.traffic, f.control);
      if (this.#exposureSink !== undefined && arm !== 'excluded') this.#expose(f, unit, arm);
      return arm === 'treatment';
    } catch {
      return defaultValue;
    }
  }

  /** Like isOn, with the reason, arm and bucket. Allocates the detail object. */
  evaluate(key: string, ctx: EvaluationContext, defaultValue: boolean): EvaluationDetail {
    try {
      if (this.#document === undefined) {
        return { flag: key, value: defaultValue, reason: EVALUATION_REASONS.NOT_READY };
      }
      const f = this.#flags.get(key);
      if (f === undefined) {
        return { flag: key, value: defaultValue, reason: EVALUATION_REASONS.FLAG_NOT_FOUND };
      }
      const base = { flag: key, launch: f.config.launch, phase: f.config.phase };
      if (f.mode === MODE_OFF)
        return { ...base, value: false, reason: EVALUATION_REASONS.ROLLED_BACK };
      if (f.mode === MODE_ALL_ON)
        return { ...base, value: true, reason: EVALUATION_REASONS.COMPLETED };
      const valid = typeof ctx === 'object' && ctx !== null;
      if (f.mode === MODE_ON) {
        return valid && f.inAudience(ctx)
          ? { ...base, value: true, reason: EVALUATION_REASONS.COMPLETED }
          : valid
            ? { ...base, value: false, reason: EVALUATION_REASONS.AUDIENCE_MISS }
            : { ...base, value: defaultValue, reason: EVALUATION_REASONS.MISSING_UNIT };
      }
      if (!valid) {
        return { ...base, value: defaultValue, reason: EVALUATION_REASONS.MISSING_UNIT };
      }
      if (!f.inAudience(ctx))
        return { ...base, value: false, reason: EVALUATION_REASONS.AUDIENCE_MISS };
      const unit = unitOf(ctx, f.unit);
      if (unit === undefined) {
        return { ...base, value: defaultValue, reason: EVALUATION_REASONS.MISSING_UNIT };
      }
      const bucket = f.bucketOf(unit);
      const arm = armOf(bucket, f.traffic, f.control);
      if (this.#exposureSink !== undefined && arm !== 'excluded') this.#expose(f, unit, arm);
      return { ...base, value: arm === 'treatment', reason: EVALUATION_REASONS.SPLIT, arm, bucket };
    } catch (err) {
      return {
        flag: key,
        value: defaultValue,
        reason: EVALUATION_REASONS.ERROR,
        errorMessage: err instanceof Error ? err.message : String(err),
      };
    }
  }

  #expose(f: CompiledFlag, unit: string, arm: Arm): void {
    let seen = f.seen;
    if (seen === undefined) {
      seen = this.#seenByLaunch.get(f.seenKey) ?? new Map<string, Arm>();
      this.#seenByLaunch.set(f.seenKey, seen);
      f.seen = seen;
    }
    if (seen.get(unit) === arm) return;
    if (seen.size >= this.exposureCacheSize) seen.clear();
    seen.set(unit, arm);
    this.#exposureSink?.(f, unit, arm);
  }
}

/** Reads the unit id: a non-empty string, or a finite number (stringified). */
function unitOf(ctx: EvaluationContext, attribute: string): string | undefined {
  const raw = ctx[attribute];
  if (typeof raw === 'string') return raw.length > 0 ? raw : undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

function compile(
  config: FlagConfig,
  audiences: Map<string, (ctx: EvaluationContext) => boolean>,
): CompiledFlag {
  const mode =
    config.state === 'rolled-back'
      ? MODE_OFF
      : config.state === 'completed'
        ? config.audience.length === 0
          ? MODE_ALL_ON
          : MODE_ON
        : MODE_SPLIT;
  const audienceKey = JSON.stringify(config.audience);
  let inAudience = audiences.get(audienceKey);
  if (inAudience === undefined) {
    inAudience = compileAudience(config.audience);
    audiences.set(audienceKey, inAudience);
  }
  return {
    config,
    unit: config.unit,
    traffic: config.traffic,
    control: config.control,
    mode,
    inAudience,
    bucketOf: createBucketer(config.salt, config.hashVersion),
    seenKey: `${config.launch}\u0000${config.phase ?? ''}`,
    seen: undefined,
  };
}
