/**
 * Sessions of signed-in people. The secret goes to the browser (an HttpOnly
 * cookie) or the CLI (its credentials file); the store keeps only its sha256,
 * like an API token's.
 */
import { randomBytes } from 'node:crypto';
import type { SessionRecord, Store } from '../store/store.js';
import { hashToken } from './hash-token.js';
import type { VerifiedPerson } from './oidc-client.js';

/** Session secrets start with this (API tokens with `thr_`), so a bearer says which it is. */
export const SESSION_PREFIX = 'ths_';

/** Creates a session for `person`; the secret is returned once and never stored. */
export async function createSession(
  store: Store,
  person: VerifiedPerson,
  kind: SessionRecord['kind'],
  expiresAt: number,
): Promise<{ secret: string; record: SessionRecord }> {
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  const record = await store.createSession({
    id: hashToken(secret),
    kind,
    subject: person.subject,
    name: person.name,
    scopes: person.scopes,
    csrf: randomBytes(24).toString('base64url'),
    expiresAt: new Date(expiresAt).toISOString(),
  });
  return { secret, record };
}

/** The live session of `secret`, or undefined when unknown, ended or expired. */
export async function liveSession(
  store: Store,
  secret: string,
  now: number,
): Promise<SessionRecord | undefined> {
  const record = await store.findSession(hashToken(secret));
  if (record === undefined || record.endedAt !== null) return undefined;
  return Date.parse(record.expiresAt) <= now ? undefined : record;
}
