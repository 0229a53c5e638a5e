/**
 * Signing people in with OpenID Connect against a real provider (oidc-provider
 * on a loopback port): authorization code with PKCE, the session cookie, CSRF,
 * roles from groups, sign-out; on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJar,
  TEST_ROLES,
  browserFetch,
  freePort,
  openTestProvider,
  signInOverHttp,
} from './support/oidc-test-provider.js';
import type { TestProvider } from './support/oidc-test-provider.js';
import { SIMPLE_PLAN } from './support/plans.js';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];
if (TEST_DATABASE_URL === undefined)
  console.warn('sign-in tests on PostgreSQL SKIPPED: THRESHOLD_TEST_DATABASE_URL is not set');

describe.each(databases)('OpenID Connect sign-in on $name', ({ postgres }) => {
  let idp: TestProvider;
  let t: TestServer;
  /** The server's clock runs this far ahead of the real one (the provider keeps real time). */
  let ahead = 0;

  beforeAll(async () => {
    idp = await openTestProvider();
    const port = await freePort();
    t = await startTestServer({
      postgres,
      port,
      now: () => Date.now() + ahead,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        publicUrl: `http://127.0.0.1:${port}`,
        roles: TEST_ROLES,
        allowHttpIssuer: true,
      },
    });
    idp.register(`${t.url}/auth/callback`);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const whoami = (jar: CookieJar) =>
    browserFetch(jar, `${t.url}/api/v1/whoami`).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));

  it('signs a person in through the provider: a session cookie, their name, subject and roles', async () => {
    expect((await t.json('none', 'GET', '/api/v1/auth')).body).toEqual({
      oidc: true,
      loginPath: '/auth/login',
    });
    const { jar, last } = await signInOverHttp(t.url, 'alice');
    expect(last.status).toBe(302);
    expect(last.headers.get('location')).toBe('/');
    const cookie = last.headers.getSetCookie().find((c) => c.startsWith('threshold-session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const secret = jar.get(t.url, 'threshold-session') ?? '';
    expect(secret.startsWith('ths_')).toBe(true);
    const me = await whoami(jar);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      name: 'Alice Approver',
      subject: 'alice',
      via: 'session-cookie',
      scopes: ['approver:product', 'viewer'],
    });
    expect(typeof me.body.csrf).toBe('string');
    // The session is in the store (only its hash), so a second request (a reload) is still signed in.
    expect((await whoami(jar)).status).toBe(200);
    const audit = await t.json<{ entries: { action: string; actor: string }[] }>(
      'admin',
      'GET',
      '/api/v1/audit?action=session.created',
    );
    expect(audit.body.entries.map((e) => e.actor)).toContain('Alice Approver');
  });

  it('maps groups through the server mapping (launch-team → operator)', async () => {
    const { jar } = await signInOverHttp(t.url, 'olivia');
    expect((await whoami(jar)).body).toMatchObject({ subject: 'olivia', scopes: ['operator'] });
  });

  it('refuses a state-changing cookie request without the session CSRF token', async () => {
    const { jar } = await signInOverHttp(t.url, 'olivia');
    const csrf = String((await whoami(jar)).body.csrf);
    const post = (headers: Record<string, string>) =>
      fetch(`${t.url}/api/v1/plans`, {
        method: 'POST',
        headers: { cookie: jar.header(t.url), 'content-type': 'application/yaml', ...headers },
        body: SIMPLE_PLAN,
      });
    const none = await post({});
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('CSRF_FAILED');
    const wrong = await post({ 'x-csrf-token': `${csrf}x` });
    expect(wrong.status).toBe(403);
    const right = await post({ 'x-csrf-token': csrf });
    expect(right.status).toBe(201);
    const uploaded = (await right.json()) as { createdBy: string };
    expect(uploaded.createdBy).toBe('Olivia Operator');
  });

  it('refuses a callback this browser did not start, and a callback used twice', async () => {
    // The attacker starts a sign-in and pushes the provider's answer into another browser.
    const attacker = new CookieJar();
    const start = await browserFetch(attacker, `${t.url}/auth/login`);
    expect(start.status).toBe(302);
    const victim = new CookieJar();
    const state = new URL(String(start.headers.get('location'))).searchParams.get('state');
    const forged = await browserFetch(victim, `${t.url}/auth/callback?code=x&state=${state}`);
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe(
      'SIGN_IN_FAILED',
    );
    expect((await whoami(victim)).status).toBe(401);
  });

  it('passes on a refusal by the provider', async () => {
    const jar = new CookieJar();
    await browserFetch(jar, `${t.url}/auth/login`);
    const res = await browserFetch(jar, `${t.url}/auth/callback?error=access_denied&state=x`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /access_denied/,
    );
  });

  it('signs out: the session ends on the server, not only in the browser', async () => {
    const { jar } = await signInOverHttp(t.url, 'alice');
    const secret = jar.get(t.url, 'threshold-session') ?? '';
    const csrf = String((await whoami(jar)).body.csrf);
    const noCsrf = await browserFetch(jar, `${t.url}/auth/logout`, { method: 'POST' });
    expect(noCsrf.status).toBe(403);
    const out = await browserFetch(jar, `${t.url}/auth/logout`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ signedOut: true });
    expect(jar.get(t.url, 'threshold-session')).toBeUndefined();
    // The old cookie, replayed, is refused.
    const replay = await fetch(`${t.url}/api/v1/whoami`, {
      headers: { cookie: `threshold-session=${secret}` },
    });
    expect(replay.status).toBe(401);
  });

  it('a session ends by itself after its lifetime (8 hours by default)', async () => {
    const { jar } = await signInOverHttp(t.url, 'alice');
    expect((await whoami(jar)).status).toBe(200);
    ahead = 8 * 60 * 60 * 1000 + 1000;
    try {
      const expired = await whoami(jar);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({
        error: { code: 'UNAUTHENTICATED', message: 'the session ended or expired: sign in again' },
      });
    } finally {
      ahead = 0;
    }
  });

  it('a person with no mapped group signs in with no scopes and can do nothing', async () => {
    const { jar } = await signInOverHttp(t.url, 'nobody');
    const me = await whoami(jar);
    expect(me.status).toBe(403);
  });

  it('a server without a provider says so', async () => {
    const plain = await startTestServer({ postgres, oidc: null });
    try {
      const res = await plain.json<{ error: { code: string } }>('none', 'GET', '/auth/login');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('SIGN_IN_NOT_CONFIGURED');
      expect((await plain.json('none', 'GET', '/api/v1/auth')).body).toEqual({
        oidc: false,
        loginPath: null,
      });
    } finally {
      await plain.close();
    }
  });
});
