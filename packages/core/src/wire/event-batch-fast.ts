/**
 * A hand-written validator of {@link EventBatch} for the server's ingest hot path.
 *
 * `eventBatchSchema` (zod/mini, in event-batch.ts) stays the specification: the
 * OpenAPI document is generated from it and {@link parseEventBatch} runs it. Running
 * it costs about as much CPU per 1,000-event batch as JSON.parse of the body, which
 * is a large share of the server's ingest work; this validator makes the same
 * decisions in a fraction of that (see docs/decisions/0014-ingest-path.md).
 *
 * "The same" means, for every JSON value (what JSON.parse yields, plus undefined,
 * NaN and ±Infinity): the same verdict, the same output value (unknown keys
 * stripped, keys in schema order, an optional key given as `undefined` kept), and the
 * same issues, in the same order, with the same paths and messages (built by zod's own
 * English error map). test/wire-fast.property.test.ts checks this against the schema
 * with generated valid and subtly invalid batches. Some of zod's rules below look
 * odd (length checks after a type error, code points instead of UTF-16 units); they
 * are zod 4's, reproduced so that a client sees one answer whichever validator ran.
 */
import { WIRE_NUL_MESSAGE } from './event-batch.js';
import type { EventBatch, ExposureEvent, SdkEvent, TrackEvent } from './event-batch.js';
import { issueMessage } from './parse-result.js';
import type { RawWireIssue, WireIssue, WireParseResult } from './parse-result.js';
import { MAX_BATCH_EVENTS, WIRE_VERSION } from './wire-routes.js';

// Limits of the schema in event-batch.ts (keep in step with it; the property test fails otherwise).
const NAME_MAX = 200;
const UNIT_MAX = 512;
const SDK_VERSION_MAX = 100;
const PHASE_MAX = 200;
const BATCH_ID_MAX = 100;
const ARMS = ['treatment', 'control', 'excluded'] as const;
const EVENT_TYPES = ['exposure', 'track'] as const;

type Obj = Record<string, unknown>;

/** zod's `isObject`: what an object schema accepts before looking at keys. */
function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Length in code points (zod measures string lengths so; a pair of surrogates is one). */
function codePointLength(s: string): number {
  const units = s.length;
  if (!HIGH_SURROGATE.test(s)) return units;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** The fast test of a NUL-free string with min/max length (in code points, as zod counts). */
function okString(v: unknown, min: number, max: number, nulAllowed = false): v is string {
  if (typeof v !== 'string' || (!nulAllowed && v.includes('\u0000'))) return false;
  const units = v.length;
  // A code point is one or two units: only near the limits is the exact count needed.
  if (units < min || (units < 2 * min && codePointLength(v) < min)) return false;
  return units <= max || codePointLength(v) <= max;
}

/** The fast test of `z.int().check(z.minimum(0))`. */
function okTimestamp(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The fast test of `z.number()` (finite). */
function okNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function report(issues: WireIssue[], path: string, issue: RawWireIssue): void {
  issues.push({ path, message: issueMessage(issue) });
}

/** zod's origin of a length issue. */
function lengthOrigin(v: unknown): string {
  return Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : 'unknown';
}

/**
 * zod's minLength/maxLength checks. They run on any non-nullish value that has a
 * `length` (even after a type error, e.g. on an array given for a string), and
 * compare whatever `length` is with JavaScript's relational operators.
 */
function lengthIssues(
  issues: WireIssue[],
  path: string,
  input: unknown,
  min: number | undefined,
  max: number | undefined,
): void {
  if (input === null || input === undefined) return;
  const v = input as { length?: unknown };
  if (v.length === undefined) return;
  if (min !== undefined) {
    const units = v.length as number;
    const length =
      typeof input === 'string' && units >= min && units < min * 2 ? codePointLength(input) : units;
    if (!(length >= min))
      report(issues, path, {
        code: 'too_small',
        origin: lengthOrigin(input),
        minimum: min,
        inclusive: true,
        input,
      });
  }
  if (max !== undefined) {
    const units = v.length as number;
    const length = typeof input === 'string' && units > max ? codePointLength(input) : units;
    if (!(length <= max))
      report(issues, path, {
        code: 'too_big',
        origin: lengthOrigin(input),
        maximum: max,
        inclusive: true,
        input,
      });
  }
}

/** Issues of a string field that failed {@link okString}. */
function stringIssues(
  issues: WireIssue[],
  path: string,
  v: unknown,
  min: number | undefined,
  max: number | undefined,
  nulAllowed = false,
): void {
  if (typeof v !== 'string')
    report(issues, path, { code: 'invalid_type', expected: 'string', input: v });
  lengthIssues(issues, path, v, min, max);
  // The schema's regex check runs last, and only on a string (a type error aborts it).
  if (!nulAllowed && typeof v === 'string' && v.includes('\u0000'))
    issues.push({ path, message: WIRE_NUL_MESSAGE });
}

/** Issues of a timestamp that failed {@link okTimestamp}, in zod's order. */
function timestampIssues(issues: WireIssue[], path: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    report(issues, path, { code: 'invalid_type', expected: 'number', input: v });
    return;
  }
  if (!Number.isInteger(v)) {
    report(issues, path, { code: 'invalid_type', expected: 'int', input: v });
    return;
  }
  if (!Number.isSafeInteger(v)) {
    report(
      issues,
      path,
      v > 0
        ? {
            code: 'too_big',
            origin: 'int',
            maximum: Number.MAX_SAFE_INTEGER,
            inclusive: true,
            input: v,
          }
        : {
            code: 'too_small',
            origin: 'int',
            minimum: Number.MIN_SAFE_INTEGER,
            inclusive: true,
            input: v,
          },
    );
  }
  if (!(v >= 0))
    report(issues, path, {
      code: 'too_small',
      origin: 'number',
      minimum: 0,
      inclusive: true,
      input: v,
    });
}

/** `z.optional(...)`: absent or undefined is fine; a key given as undefined stays in the output. */
function keepOptional(out: Obj, input: Obj, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
  else if (key in input) out[key] = undefined;
}

function checkTrack(e: Obj, path: string, issues: WireIssue[]): TrackEvent | undefined {
  const before = issues.length;
  const { unit, event, value, ts } = e;
  if (!okString(unit, 1, UNIT_MAX)) stringIssues(issues, `${path}.unit`, unit, 1, UNIT_MAX);
  if (!okString(event, 1, NAME_MAX)) stringIssues(issues, `${path}.event`, event, 1, NAME_MAX);
  if (value !== undefined && !okNumber(value))
    report(issues, `${path}.value`, { code: 'invalid_type', expected: 'number', input: value });
  if (!okTimestamp(ts)) timestampIssues(issues, `${path}.ts`, ts);
  if (issues.length !== before) return undefined;
  const out: Obj = { type: 'track', unit, event };
  keepOptional(out, e, 'value', value);
  out['ts'] = ts;
  return out as unknown as TrackEvent;
}

function checkExposure(e: Obj, path: string, issues: WireIssue[]): ExposureEvent | undefined {
  const before = issues.length;
  const { flag, launch, unit, arm, phase, ts } = e;
  if (!okString(flag, 1, NAME_MAX)) stringIssues(issues, `${path}.flag`, flag, 1, NAME_MAX);
  if (!okString(launch, 1, NAME_MAX)) stringIssues(issues, `${path}.launch`, launch, 1, NAME_MAX);
  if (!okString(unit, 1, UNIT_MAX)) stringIssues(issues, `${path}.unit`, unit, 1, UNIT_MAX);
  if (arm !== 'treatment' && arm !== 'control' && arm !== 'excluded')
    report(issues, `${path}.arm`, { code: 'invalid_value', values: [...ARMS], input: arm });
  if (phase !== undefined && !okString(phase, 0, PHASE_MAX))
    stringIssues(issues, `${path}.phase`, phase, undefined, PHASE_MAX);
  if (!okTimestamp(ts)) timestampIssues(issues, `${path}.ts`, ts);
  if (issues.length !== before) return undefined;
  const out: Obj = { type: 'exposure', flag, launch, unit, arm };
  keepOptional(out, e, 'phase', phase);
  out['ts'] = ts;
  return out as unknown as ExposureEvent;
}

/** `sdkEventSchema`: a discriminated union on `type`. */
function checkEvent(e: unknown, index: number, issues: WireIssue[]): SdkEvent | undefined {
  if (!isObject(e)) {
    report(issues, `events.${index}`, { code: 'invalid_type', expected: 'object', input: e });
    return undefined;
  }
  const type = e['type'];
  if (type === 'track') return checkTrack(e, `events.${index}`, issues);
  if (type === 'exposure') return checkExposure(e, `events.${index}`, issues);
  // An unknown discriminator is the event's only issue: zod does not look further.
  report(issues, `events.${index}.type`, {
    code: 'invalid_union',
    errors: [],
    discriminator: 'type',
    options: [...EVENT_TYPES],
    input: e,
  });
  return undefined;
}

function checkBatch(json: unknown): WireParseResult<EventBatch> {
  if (!isObject(json))
    return {
      ok: false,
      errors: [
        {
          path: '',
          message: issueMessage({ code: 'invalid_type', expected: 'object', input: json }),
        },
      ],
    };
  const issues: WireIssue[] = [];
  const out: Obj = {};

  const wireVersion = json['wireVersion'];
  if (wireVersion === WIRE_VERSION) out['wireVersion'] = wireVersion;
  else
    report(issues, 'wireVersion', {
      code: 'invalid_value',
      values: [WIRE_VERSION],
      input: wireVersion,
    });

  const sdk = json['sdk'];
  if (!isObject(sdk)) {
    report(issues, 'sdk', { code: 'invalid_type', expected: 'object', input: sdk });
  } else {
    const { name, version } = sdk;
    const before = issues.length;
    if (!okString(name, 1, NAME_MAX)) stringIssues(issues, 'sdk.name', name, 1, NAME_MAX);
    if (!okString(version, 1, SDK_VERSION_MAX))
      stringIssues(issues, 'sdk.version', version, 1, SDK_VERSION_MAX);
    if (issues.length === before) out['sdk'] = { name, version };
  }

  const sentAt = json['sentAt'];
  if (okTimestamp(sentAt)) out['sentAt'] = sentAt;
  else timestampIssues(issues, 'sentAt', sentAt);

  const batchId = json['batchId'];
  if (batchId === undefined || okString(batchId, 1, BATCH_ID_MAX))
    keepOptional(out, json, 'batchId', batchId);
  else stringIssues(issues, 'batchId', batchId, 1, BATCH_ID_MAX);

  const events = json['events'];
  if (!Array.isArray(events)) {
    report(issues, 'events', { code: 'invalid_type', expected: 'array', input: events });
    lengthIssues(issues, 'events', events, undefined, MAX_BATCH_EVENTS);
  } else if (events.length > MAX_BATCH_EVENTS) {
    // An oversized array fails on its size alone; zod does not parse its elements.
    report(issues, 'events', {
      code: 'too_big',
      origin: 'array',
      maximum: MAX_BATCH_EVENTS,
      inclusive: true,
      input: events,
    });
  } else {
    const parsed = new Array<SdkEvent | undefined>(events.length);
    for (let i = 0; i < events.length; i++) parsed[i] = checkEvent(events[i], i, issues);
    out['events'] = parsed;
  }

  const token = json['token'];
  if (token === undefined || okString(token, 1, Infinity, true))
    keepOptional(out, json, 'token', token);
  else stringIssues(issues, 'token', token, 1, undefined, true);

  return issues.length === 0
    ? { ok: true, value: out as unknown as EventBatch }
    : { ok: false, errors: issues };
}

/**
 * Validates an already JSON-decoded value as an {@link EventBatch}, like
 * {@link parseEventBatch} (same verdict, value and issues) but several times faster:
 * for the server's ingest route. Never throws.
 */
export function parseEventBatchFast(json: unknown): WireParseResult<EventBatch> {
  try {
    return checkBatch(json);
  } catch (err) {
    // As the schema parser: an input whose properties throw when read.
    return { ok: false, errors: [{ path: '', message: `unparseable input: ${String(err)}` }] };
  }
}
