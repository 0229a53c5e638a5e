/** Cheap argument checks so bad input fails with the field named, before any write. */
import { StoreInputError } from './store-error.js';

/** A non-empty string (trimmed length > 0), at most `max` characters. */
export function requireText(field: string, value: unknown, max = 10_000): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new StoreInputError(field, 'must be a non-empty string');
  if (value.length > max) throw new StoreInputError(field, `must be at most ${max} characters`);
  return value;
}

/** Any string (empty allowed), e.g. a comment. */
export function requireString(field: string, value: unknown, max = 100_000): string {
  if (typeof value !== 'string') throw new StoreInputError(field, 'must be a string');
  if (value.length > max) throw new StoreInputError(field, `must be at most ${max} characters`);
  return value;
}

/** An integer at or above `min`. */
export function requireInt(field: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new StoreInputError(field, `must be an integer ≥ ${min}`);
  return value;
}

/** A number in [0, 1]. */
export function requireShare(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new StoreInputError(field, 'must be a number from 0 to 1');
  return value;
}

/** One of the allowed strings. */
export function requireOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new StoreInputError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * A time as stored: ISO-8601 UTC with milliseconds (`toISOString()`), so text
 * comparison in SQL is time comparison. Accepts anything `Date` parses.
 */
export function requireTime(field: string, value: unknown): string {
  if (typeof value !== 'string' && !(value instanceof Date))
    throw new StoreInputError(field, 'must be an ISO-8601 time');
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new StoreInputError(field, `is not a valid time: ${String(value)}`);
  return new Date(ms).toISOString();
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lowercase hex sha256. */
export function requireSha256(field: string, value: unknown): string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value))
    throw new StoreInputError(field, 'must be a lowercase hex sha256 (64 characters)');
  return value;
}

const FIXED_SCOPES = ['sdk', 'viewer', 'operator', 'admin'];

/** Token scopes: sdk, viewer, operator, admin or approver:<role>. */
export function requireScopes<T extends string>(field: string, value: unknown): T[] {
  if (!Array.isArray(value)) throw new StoreInputError(field, 'must be an array of scopes');
  value.forEach((s: unknown, i) => {
    if (
      typeof s !== 'string' ||
      !(FIXED_SCOPES.includes(s) || /^approver:[a-z][a-z0-9_-]{0,63}$/.test(s))
    )
      throw new StoreInputError(
        `${field}[${i}]`,
        `must be sdk, viewer, operator, admin or approver:<role> (got ${JSON.stringify(s)})`,
      );
  });
  return value as T[];
}

/** JSON text of a value that must survive a round trip (no functions, no cycles). */
export function toJsonText(field: string, value: unknown): string {
  try {
    return JSON.stringify(value ?? null);
  } catch (e) {
    throw new StoreInputError(field, `cannot be stored as JSON (${(e as Error).message})`);
  }
}
