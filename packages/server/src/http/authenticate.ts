import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Access } from '../auth/scopes.js';
import { describeAccess, scopesAllow } from '../auth/scopes.js';
import { hashToken } from '../auth/hash-token.js';
import { SESSION_PREFIX, liveSession } from '../auth/sessions.js';
import type { SessionRecord, Store } from '../store/store.js';
import { DEFAULT_ENVIRONMENT } from '../store/validate-input.js';
import type { AppEnv, Principal } from './app-env.js';
import { HttpError } from './http-error.js';
import type { CookiePolicy } from './session-cookie.js';
import { sessionCookie } from './session-cookie.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The header a cookie-authenticated state-changing request must carry (the session's CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';

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

const unknownCredential = () =>
  new HttpError(
    'UNAUTHENTICATED',
    'unknown or revoked token',
    {},
    { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  );

/** A signed-in person as a principal. */
export function sessionPrincipal(session: SessionRecord, via: Principal['via']): Principal {
  return {
    tokenId: `session:${session.id}`,
    name: session.name,
    subject: session.subject,
    via,
    scopes: session.scopes,
    flags: null,
    // People are never sdk callers; the environment limits only sdk tokens.
    environment: DEFAULT_ENVIRONMENT,
  };
}

/** Looks a secret up by its hash; 401 when missing, unknown, revoked, ended or expired. */
export async function principalOf(
  store: Store,
  secret: string | undefined,
  now: number = Date.now(),
): Promise<Principal> {
  if (secret === undefined) {
    throw new HttpError(
      'UNAUTHENTICATED',
      'this route needs a token: send Authorization: Bearer <token>',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  if (secret.startsWith(SESSION_PREFIX)) {
    const session = await liveSession(store, secret, now);
    if (session === undefined) throw unknownCredential();
    return sessionPrincipal(session, 'session-bearer');
  }
  const record = await store.findTokenByHash(hashToken(secret));
  if (record === undefined || record.revokedAt !== null) throw unknownCredential();
  return {
    tokenId: record.id,
    name: record.name,
    subject: record.ownerSubject,
    via: 'token',
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

/** How requests are signed in: the session cookie only where sign-in is configured. */
export interface AuthSettings {
  cookies?: CookiePolicy;
  now: () => number;
}

/**
 * The caller of a request: the Authorization header when there is one, else the
 * session cookie. A cookie request that changes state must echo the session's
 * CSRF token: a cookie is sent by the browser whoever made the page.
 */
export async function callerOf(
  c: Context<AppEnv>,
  store: Store,
  auth: AuthSettings,
): Promise<Principal> {
  const bearer = bearerToken(c);
  const cookie =
    bearer === undefined && auth.cookies !== undefined ? sessionCookie(c, auth.cookies) : undefined;
  if (cookie === undefined) return principalOf(store, bearer, auth.now());
  const session = await liveSession(store, cookie, auth.now());
  if (session === undefined) {
    throw new HttpError(
      'UNAUTHENTICATED',
      'the session ended or expired: sign in again',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER);
    if (sent === undefined || !sameText(sent, session.csrf))
      throw new HttpError(
        'CSRF_FAILED',
        `a request signed in with the session cookie must send the session's CSRF token in X-CSRF-Token (GET /api/v1/whoami has it)`,
      );
  }
  return sessionPrincipal(session, 'session-cookie');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Authenticates and authorizes a request, storing the principal on the context. */
export async function authenticate(
  c: Context<AppEnv>,
  store: Store,
  access: Access,
  auth: AuthSettings = { now: Date.now },
): Promise<Principal> {
  const principal = await callerOf(c, store, auth);
  authorize(principal, access);
  c.set('principal', principal);
  return principal;
}
