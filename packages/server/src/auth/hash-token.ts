import { createHash, randomBytes } from 'node:crypto';

/** Every secret starts with this, so leaked tokens are easy to recognize and scan for. */
export const TOKEN_PREFIX = 'thr_';

/** sha256 hex of a token secret: the only form the store keeps. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: `thr_` + 32 random bytes in base64url (256 bits, never stored). */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}
