import type { Context } from 'hono';
import type { Access } from '../auth/scopes.js';
import { describeAccess, scopesAllow } from '../auth/scopes.js';
import { hashToken } from '../auth/hash-token.js';
import type { Store } from '../store/store.js';
import type { AppEnv, Principal } from './app-env.js';
import { HttpError } from './http-error.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The bearer token of a request, undefined when there is no Authorization header. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (match?.[1] === undefined) {
    throw new HttpError(
      'UNAUTHENTICATED',
      'the Authorization header must be "Bearer <token>"',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return match[1];
}

/** Looks a secret up by its hash; 401 when missing, unknown or revoked. */
export async function principalOf(store: Store, secret: string | undefined): Promise<Principal> {
  if (secret === undefined) {
    throw new HttpError(
      'UNAUTHENTICATED',
      'this route needs a token: send Authorization: Bearer <token>',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  const record = await store.findTokenByHash(hashToken(secret));
  if (record === undefined || record.revokedAt !== null) {
    throw new HttpError(
      'UNAUTHENTICATED',
      'unknown or revoked token',
      {},
      { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    );
  }
  return {
    tokenId: record.id,
    name: record.name,
    scopes: record.scopes,
    flags: record.flags,
    environment: record.environment,
  };
}

/** 403 unless the principal's scopes pass `access`. */
export function authorize(principal: Principal, access: Access): void {
  if (!scopesAllow(principal.scopes, access)) {
    throw new HttpError('FORBIDDEN', `this route needs scope ${describeAccess(access)}`, {
      required: access === 'approver' ? 'approver:<role>' : access,
      granted: principal.scopes,
    });
  }
}

/** Authenticates and authorizes a request, storing the principal on the context. */
export async function authenticate(
  c: Context<AppEnv>,
  store: Store,
  access: Access,
): Promise<Principal> {
  const principal = await principalOf(store, bearerToken(c));
  authorize(principal, access);
  c.set('principal', principal);
  return principal;
}
