import { randomUUID } from 'node:crypto';
import type { Scope, Store, TokenRecord } from '../store/store.js';
import { generateTokenSecret, hashToken } from './hash-token.js';

/** A freshly created token: the secret exists only here and is shown once. */
export interface CreatedToken {
  /** The bearer secret (`thr_…`). Never stored; print it once. */
  token: string;
  /** What the store keeps (the sha256 of the secret, not the secret). */
  record: TokenRecord;
}

/**
 * Creates a token in `store` (pass a transaction to pair it with an audit entry).
 * Duplicate scopes are dropped; the order given is kept.
 */
export async function createToken(
  store: Store,
  input: {
    name: string;
    scopes: readonly Scope[];
    /** Limit an sdk token to these flags (see docs/security.md); omitted = every flag. */
    flags?: readonly string[] | null;
    /** New units per launch and minute it may expose; omitted = the default. */
    maxUnitsPerMinute?: number | null;
    /** The person it acts for (their OpenID subject); omitted = nobody named. */
    ownerSubject?: string | null;
    /** The environment an sdk token sees; omitted = production. */
    environment?: string;
  },
): Promise<CreatedToken> {
  const token = generateTokenSecret();
  const record = await store.createToken({
    id: randomUUID(),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    hash: hashToken(token),
    flags: input.flags === undefined || input.flags === null ? null : [...new Set(input.flags)],
    maxUnitsPerMinute: input.maxUnitsPerMinute ?? null,
    ownerSubject: input.ownerSubject ?? null,
    ...(input.environment === undefined ? {} : { environment: input.environment }),
  });
  return { token, record };
}

/** A token as the API and CLI show it: everything but the hash. */
export interface TokenView {
  id: string;
  name: string;
  scopes: Scope[];
  /** Flags an sdk token is limited to; null = every flag. */
  flags: string[] | null;
  /** New units per launch and minute; null = the default (10,000). */
  maxUnitsPerMinute: number | null;
  /** The person it acts for (OpenID subject); null = nobody named. */
  ownerSubject: string | null;
  /** The environment an sdk token sees. */
  environment: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Drops the hash from a token record before it leaves the server. */
export function tokenView(record: TokenRecord): TokenView {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    flags: record.flags,
    maxUnitsPerMinute: record.maxUnitsPerMinute,
    ownerSubject: record.ownerSubject,
    environment: record.environment,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  };
}
