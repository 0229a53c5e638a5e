/**
 * How an ingested batch is stored: one row per batch, events as compact JSON
 * arrays (no repeated keys: about half the bytes of the wire objects, and
 * cheaper to write and parse).
 *
 *   exposure → [0, ts, unit, launch, arm, phase | null, flag]
 *   track    → [1, ts, unit, event, value | null]
 */
import type { SdkEvent } from '@threshold/core';
import { StoreInputError } from './store-error.js';

/**
 * Event time is kept per minute slot; projection and reads share this size. (Here,
 * not with the reads, so the projection worker does not load Kysely.)
 */
export const MINUTE_MS = 60_000;

/** A decoded stored event, as the projection reads it. */
export type StoredEvent =
  | {
      type: 'exposure';
      ts: number;
      unit: string;
      launch: string;
      arm: string;
      phase: string | null;
    }
  | { type: 'track'; ts: number; unit: string; event: string; value: number | null };

type Row =
  | [0, number, string, string, string, string | null, string]
  | [1, number, string, string, number | null];

/**
 * Encode a batch. The HTTP layer validates events against the wire schema; this
 * re-checks only what the projection relies on, cheaply, so a bad call fails
 * whole with the index and field instead of storing something unreadable.
 */
export function encodeEvents(events: readonly SdkEvent[]): string {
  if (!Array.isArray(events)) throw new StoreInputError('events', 'must be an array');
  const rows = new Array<Row>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as SdkEvent | undefined;
    if (e === null || typeof e !== 'object')
      throw new StoreInputError(`events[${i}]`, 'must be an object');
    if (typeof e.unit !== 'string' || e.unit === '')
      throw new StoreInputError(`events[${i}].unit`, 'must be a non-empty string');
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts))
      throw new StoreInputError(`events[${i}].ts`, 'must be epoch milliseconds');
    if (e.type === 'exposure') {
      if (typeof e.launch !== 'string' || typeof e.arm !== 'string')
        throw new StoreInputError(`events[${i}]`, 'an exposure needs launch and arm');
      rows[i] = [0, e.ts, e.unit, e.launch, e.arm, e.phase ?? null, e.flag];
    } else if (e.type === 'track') {
      if (typeof e.event !== 'string' || e.event === '')
        throw new StoreInputError(`events[${i}].event`, 'must be a non-empty string');
      const value = e.value;
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
        throw new StoreInputError(`events[${i}].value`, 'must be a finite number');
      rows[i] = [1, e.ts, e.unit, e.event, value ?? null];
    } else {
      throw new StoreInputError(`events[${i}].type`, "must be 'exposure' or 'track'");
    }
  }
  return JSON.stringify(rows);
}

/** Decode a stored batch (the inverse of {@link encodeEvents}, without the flag). */
export function decodeEvents(text: string): StoredEvent[] {
  const rows = JSON.parse(text) as Row[];
  const out = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    out[i] =
      r[0] === 0
        ? { type: 'exposure', ts: r[1], unit: r[2], launch: r[3], arm: r[4], phase: r[5] }
        : { type: 'track', ts: r[1], unit: r[2], event: r[3], value: r[4] };
  }
  return out;
}
