/**
 * The dashboard's session cookie: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Secure with the `__Host-` prefix when the
 * server is reached over https (pinned to this host and path /). The login
 * cookie pins the sign-in's state to the browser that started it; it is Lax
 * because the provider's redirect back is a cross-site navigation.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** Names and attributes for a server reached at `publicUrl`. */
export interface CookiePolicy {
  session: string;
  login: string;
  secure: boolean;
}

/** The cookie policy for a public URL (https: Secure and `__Host-`; loopback http: neither). */
export function cookiePolicy(publicUrl: string): CookiePolicy {
  const secure = new URL(publicUrl).protocol === 'https:';
  return {
    session: secure ? '__Host-threshold-session' : 'threshold-session',
    login: secure ? '__Host-threshold-login' : 'threshold-login',
    secure,
  };
}

/** Sets the session cookie for `maxAgeSeconds`. */
export function setSessionCookie(
  c: Context,
  policy: CookiePolicy,
  secret: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, policy.session, secret, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'Strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

/** The session cookie's value, if any. */
export function sessionCookie(c: Context, policy: CookiePolicy): string | undefined {
  return getCookie(c, policy.session);
}

/** Clears the session cookie. */
export function clearSessionCookie(c: Context, policy: CookiePolicy): void {
  deleteCookie(c, policy.session, { path: '/', secure: policy.secure, httpOnly: true });
}

/** Pins a sign-in's state to this browser for ten minutes. */
export function setLoginCookie(c: Context, policy: CookiePolicy, state: string): void {
  setCookie(c, policy.login, state, {
    httpOnly: true,
    secure: policy.secure,
    sameSite: 'Lax',
    path: '/',
    maxAge: 600,
  });
}

/** Reads and clears the login cookie. */
export function takeLoginCookie(c: Context, policy: CookiePolicy): string | undefined {
  const value = getCookie(c, policy.login);
  if (value !== undefined)
    deleteCookie(c, policy.login, { path: '/', secure: policy.secure, httpOnly: true });
  return value;
}
