import * as z from 'zod/mini';
import type { Arm } from '../bucketing/index.js';
import { safeParseWith } from './parse-result.js';
import type { WireParseResult } from './parse-result.js';
import { MAX_BATCH_EVENTS, WIRE_VERSION } from './wire-routes.js';

/**
 * A unit was evaluated into an arm of a running launch. SDKs send one per
 * (launch, unit, arm) per phase; the server counts units, not exposures.
 */
export interface ExposureEvent {
  type: 'exposure';
  /** Flag key evaluated. */
  flag: string;
  /** Launch id from the FlagConfig. */
  launch: string;
  /** Unit id (value of the launch's unit attribute). */
  unit: string;
  /** Arm the unit was bucketed into. */
  arm: Arm;
  /** Phase the launch was in, when the config named one. */
  phase?: string;
  /** Epoch milliseconds at evaluation. */
  ts: number;
}

/** A business or technical event for KPIs (`track(unit, event, value?)`). */
export interface TrackEvent {
  type: 'track';
  /** Unit id the event belongs to. */
  unit: string;
  /** Event name as used by the plan's KPIs (e.g. `purchase`, `checkout_latency_ms`). */
  event: string;
  /** Optional numeric value (count, amount, latency…). */
  value?: number;
  /** Epoch milliseconds when it happened. */
  ts: number;
}

/** Any event an SDK sends. */
export type SdkEvent = ExposureEvent | TrackEvent;

/** Body of `POST /v1/events`. */
export interface EventBatch {
  /** Wire format version, always {@link WIRE_VERSION}. */
  wireVersion: typeof WIRE_VERSION;
  /** Which SDK sent it, e.g. `{ name: '@threshold/sdk', version: '0.1.0' }`. */
  sdk: { name: string; version: string };
  /** Epoch milliseconds when the batch was (last) sent. */
  sentAt: number;
  /**
   * Random id chosen by the SDK; a retried batch keeps its id, so the server may use
   * it as an idempotency key (accept a repeated id without storing events twice).
   */
  batchId?: string;
  /** 0..MAX_BATCH_EVENTS events, oldest first. */
  events: SdkEvent[];
  /**
   * SDK token, ONLY for `navigator.sendBeacon` requests, which cannot set an
   * Authorization header. Servers accept it when the header is absent.
   */
  token?: string;
}

/** Why a wire string with U+0000 is refused (PostgreSQL text cannot store it). */
export const WIRE_NUL_MESSAGE = 'must not contain NUL (U+0000)';
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const noNul = () => z.regex(/^[^\u0000]*$/, { error: WIRE_NUL_MESSAGE });
const nameSchema = z.string().check(z.minLength(1), z.maxLength(200), noNul());
const unitSchema = z.string().check(z.minLength(1), z.maxLength(512), noNul());
/**
 * Epoch ms. The schema takes any non-negative integer; the server also refuses
 * times outside {@link EVENT_TIME_WINDOW} of its own clock (see eventTimeIssues).
 */
const tsSchema = z.int().check(z.minimum(0));

const exposureObject = z.object({
  type: z.literal('exposure'),
  flag: nameSchema,
  launch: nameSchema,
  unit: unitSchema,
  arm: z.enum(['treatment', 'control', 'excluded']),
  phase: z.optional(z.string().check(z.maxLength(200), noNul())),
  ts: tsSchema,
});

const trackObject = z.object({
  type: z.literal('track'),
  unit: unitSchema,
  event: nameSchema,
  value: z.optional(z.number()),
  ts: tsSchema,
});

/** zod schema of {@link ExposureEvent}. */
export const exposureEventSchema: z.ZodMiniType<ExposureEvent> = exposureObject;

/** zod schema of {@link TrackEvent}. */
export const trackEventSchema: z.ZodMiniType<TrackEvent> = trackObject;

/** zod schema of {@link SdkEvent} (discriminated by `type`). */
export const sdkEventSchema: z.ZodMiniType<SdkEvent> = z.discriminatedUnion('type', [
  exposureObject,
  trackObject,
]);

/** zod schema of {@link EventBatch}. */
export const eventBatchSchema: z.ZodMiniType<EventBatch> = z.object({
  wireVersion: z.literal(WIRE_VERSION),
  sdk: z.object({
    name: nameSchema,
    version: z.string().check(z.minLength(1), z.maxLength(100), noNul()),
  }),
  sentAt: tsSchema,
  batchId: z.optional(z.string().check(z.minLength(1), z.maxLength(100), noNul())),
  events: z.array(sdkEventSchema).check(z.maxLength(MAX_BATCH_EVENTS)),
  token: z.optional(z.string().check(z.minLength(1))),
});

/** Validates an already JSON-decoded value as an {@link EventBatch}. Never throws. */
export function parseEventBatch(json: unknown): WireParseResult<EventBatch> {
  return safeParseWith(eventBatchSchema, json);
}

/** Response body of a 202 from `POST /v1/events`. */
export interface EventBatchAccepted {
  /** Number of events accepted (durably stored). */
  accepted: number;
}
