/** Cheap argument checks so bad input fails with the field named, before any write. */
import { StoreInputError } from './store-error.js';

/** Largest value of an `integer` column (PostgreSQL int4). */
export const INT32_MAX = 2_147_483_647;

/** PostgreSQL text cannot hold U+0000; refused on SQLite too, so both stores agree. */
function requireNoNul(field: string, value: string): void {
  if (value.includes('\u0000')) throw new StoreInputError(field, 'must not contain NUL (U+0000)');
}

/** A non-empty string (trimmed length > 0) without NUL, at most `max` characters. */
export function requireText(field: string, value: unknown, max = 10_000): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new StoreInputError(field, 'must be a non-empty string');
  if (value.length > max) throw new StoreInputError(field, `must be at most ${max} characters`);
  requireNoNul(field, value);
  return value;
}

/** The environment rows from before environments belong to (ADR 0032). */
export const DEFAULT_ENVIRONMENT = 'production';

/** An environment name: lowercase letters, digits and dashes, starting with a letter, at most 63. */
export function requireName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(value))
    throw new StoreInputError(
      field,
      'must be lowercase letters, digits and dashes, starting with a letter (at most 63)',
    );
  return value;
}

/** Any string without NUL (empty allowed), e.g. a comment. */
export function requireString(field: string, value: unknown, max = 100_000): string {
  if (typeof value !== 'string') throw new StoreInputError(field, 'must be a string');
  if (value.length > max) throw new StoreInputError(field, `must be at most ${max} characters`);
  requireNoNul(field, value);
  return value;
}

/** An integer at or above `min` and at most `max` (INT32_MAX for `integer` columns). */
export function requireInt(
  field: string,
  value: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new StoreInputError(
      field,
      max === Number.MAX_SAFE_INTEGER
        ? `must be an integer ≥ ${min}`
        : `must be an integer from ${min} to ${max}`,
    );
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

/** Text of at most `max` characters, or null when undefined or null (a subject nobody gave). */
export function optionalText(field: string, value: unknown, max = 1000): string | null {
  return value === undefined || value === null ? null : requireText(field, value, max);
}

/** JSON text of a value that must survive a round trip (no functions, no cycles). */
export function toJsonText(field: string, value: unknown): string {
  try {
    return JSON.stringify(value ?? null);
  } catch (e) {
    throw new StoreInputError(field, `cannot be stored as JSON (${(e as Error).message})`);
  }
}
