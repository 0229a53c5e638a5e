/**
 * Signing people in with OpenID Connect (ADR 0035): the dashboard by
 * authorization code with PKCE and a session cookie, the CLI by the device
 * authorization grant and a session bearer. API tokens are untouched.
 */
import { z } from 'zod';
import { SignInError } from '../auth/oidc-client.js';
import type { VerifiedPerson } from '../auth/oidc-client.js';
import { createSession } from '../auth/sessions.js';
import { callerOf } from '../http/authenticate.js';
import { requiredText, safeText } from '../http/common-schemas.js';
import { HttpError } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext, SignInContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import {
  clearSessionCookie,
  setLoginCookie,
  setSessionCookie,
  takeLoginCookie,
} from '../http/session-cookie.js';
import { validateInput } from '../http/validate-input.js';

const loginQuery = z.object({
  returnTo: safeText(2000)
    .optional()
    .meta({ description: 'Dashboard path to come back to (default /).' }),
});

const callbackQuery = z.object({
  state: safeText(2000).optional(),
  code: safeText(4000).optional(),
  error: safeText(200).optional(),
  error_description: safeText(2000).optional(),
  iss: safeText(2000).optional(),
});

const deviceTokenBody = z.object({
  deviceCode: requiredText(2000).meta({
    description: 'The deviceCode POST /auth/device answered.',
  }),
});

/** Only a path of this site: `//host` or a URL would send the browser elsewhere after sign-in. */
function safeReturnTo(value: string | undefined): string {
  if (
    value === undefined ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.includes('\\')
  )
    return '/';
  return value;
}

function configured(ctx: RouteContext): SignInContext {
  if (ctx.signIn === undefined)
    throw new HttpError(
      'SIGN_IN_NOT_CONFIGURED',
      'this server has no OpenID Connect provider (THRESHOLD_OIDC_ISSUER); sign in with an API token',
    );
  return ctx.signIn;
}

function failed(err: unknown): never {
  if (err instanceof SignInError) throw new HttpError('SIGN_IN_FAILED', err.message);
  throw err;
}

async function audit(ctx: RouteContext, person: VerifiedPerson, how: string): Promise<void> {
  await ctx.store.appendAudit({
    actor: person.name,
    action: 'session.created',
    subject: `person:${person.subject}`,
    data: { how, subject: person.subject, scopes: person.scopes },
  });
}

/** The sign-in routes (they answer SIGN_IN_NOT_CONFIGURED on a server without a provider). */
export function signInRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/auth',
      access: 'public',
      tag: 'sign-in',
      summary: 'How people can sign in here (the dashboard offers single sign-on when configured)',
      responses: {
        200: {
          description: 'Sign-in methods.',
          schema: z.object({ oidc: z.boolean(), loginPath: z.string().nullable() }),
        },
      },
      handler: (c) =>
        c.json({
          oidc: ctx.signIn !== undefined,
          loginPath: ctx.signIn === undefined ? null : '/auth/login',
        }),
    },
    {
      method: 'get',
      path: '/auth/login',
      access: 'public',
      tag: 'sign-in',
      summary: 'Starts a browser sign-in: redirects to the provider (authorization code with PKCE)',
      query: loginQuery,
      responses: { 302: { description: "To the provider's authorization endpoint." } },
      errors: ['VALIDATION_FAILED', 'SIGN_IN_NOT_CONFIGURED'],
      handler: async (c) => {
        const query = validateInput(loginQuery, c.req.query(), 'query');
        const signIn = configured(ctx);
        const { url, state } = await signIn.client.begin(safeReturnTo(query.returnTo));
        setLoginCookie(c, signIn.cookies, state);
        c.header('Cache-Control', 'no-store');
        return c.redirect(url, 302);
      },
    },
    {
      method: 'get',
      path: '/auth/callback',
      access: 'public',
      tag: 'sign-in',
      summary: 'Where the provider sends the browser back: starts the session and sets its cookie',
      query: callbackQuery,
      responses: {
        302: { description: 'Signed in: back to the dashboard, with the session cookie.' },
      },
      errors: ['VALIDATION_FAILED', 'SIGN_IN_NOT_CONFIGURED', 'SIGN_IN_FAILED'],
      handler: async (c) => {
        const query = validateInput(callbackQuery, c.req.query(), 'query');
        const signIn = configured(ctx);
        const pinned = takeLoginCookie(c, signIn.cookies);
        if (query.error !== undefined)
          throw new HttpError(
            'SIGN_IN_FAILED',
            `the provider refused the sign-in: ${query.error}${query.error_description === undefined ? '' : ` (${query.error_description})`}`,
          );
        const { person, returnTo } = await signIn.client
          .finish(new URL(c.req.url), pinned)
          .catch(failed);
        const { secret } = await createSession(
          ctx.store,
          person,
          'browser',
          ctx.now() + signIn.ttlMs,
        );
        await audit(ctx, person, 'browser');
        setSessionCookie(c, signIn.cookies, secret, Math.floor(signIn.ttlMs / 1000));
        c.header('Cache-Control', 'no-store');
        return c.redirect(safeReturnTo(returnTo), 302);
      },
    },
    {
      method: 'post',
      path: '/auth/logout',
      access: 'public',
      tag: 'sign-in',
      summary: "Ends the caller's session (cookie: with X-CSRF-Token; or a session bearer)",
      responses: {
        200: {
          description: 'Signed out (false when the caller was an API token: revoke those instead).',
          schema: z.object({ signedOut: z.boolean() }),
        },
      },
      errors: ['UNAUTHENTICATED', 'CSRF_FAILED'],
      handler: async (c) => {
        const caller = await callerOf(c, ctx.store, {
          ...(ctx.signIn === undefined ? {} : { cookies: ctx.signIn.cookies }),
          now: ctx.now,
        });
        if (caller.via === 'token') return c.json({ signedOut: false });
        const id = caller.tokenId.slice('session:'.length);
        await ctx.store.endSession(id);
        ctx.tokenStreams.revoke(caller.tokenId);
        if (ctx.signIn !== undefined) clearSessionCookie(c, ctx.signIn.cookies);
        return c.json({ signedOut: true });
      },
    },
    {
      method: 'post',
      path: '/auth/device',
      access: 'public',
      tag: 'sign-in',
      summary:
        'Starts a CLI sign-in (device authorization grant): the code to enter at the provider',
      responses: {
        200: {
          description: 'Show userCode and verificationUri; poll POST /auth/device/token.',
          schema: z.object({
            deviceCode: z.string(),
            userCode: z.string(),
            verificationUri: z.string(),
            verificationUriComplete: z.string().nullable(),
            interval: z.number(),
            expiresIn: z.number(),
          }),
        },
      },
      errors: ['SIGN_IN_NOT_CONFIGURED', 'SIGN_IN_FAILED'],
      handler: async (c) => {
        const signIn = configured(ctx);
        return c.json(await signIn.client.startDevice().catch(failed));
      },
    },
    {
      method: 'post',
      path: '/auth/device/token',
      access: 'public',
      tag: 'sign-in',
      summary: 'Polls a CLI sign-in: pending, or a session bearer for the person',
      body: { required: true, content: { 'application/json': deviceTokenBody } },
      responses: {
        200: {
          description:
            "status 'pending' (poll again after interval seconds) or 'signed-in' with the session secret (shown once).",
          schema: z.object({
            status: z.enum(['pending', 'signed-in']),
            slowDown: z.boolean().optional(),
            token: z.string().optional(),
            subject: z.string().optional(),
            name: z.string().optional(),
            scopes: z.array(z.string()).optional(),
            expiresAt: z.string().optional(),
          }),
        },
      },
      errors: ['VALIDATION_FAILED', 'MALFORMED_BODY', 'SIGN_IN_NOT_CONFIGURED', 'SIGN_IN_FAILED'],
      handler: async (c) => {
        const body = validateInput(
          deviceTokenBody,
          await readJsonBody(c, ctx.maxBodyBytes),
          'body',
        );
        const signIn = configured(ctx);
        const polled = await signIn.client.pollDevice(body.deviceCode).catch(failed);
        if ('pending' in polled)
          return c.json({ status: 'pending' as const, slowDown: polled.pending === 'slow_down' });
        const { person } = polled;
        const { secret, record } = await createSession(
          ctx.store,
          person,
          'cli',
          ctx.now() + signIn.ttlMs,
        );
        await audit(ctx, person, 'cli');
        c.header('Cache-Control', 'no-store');
        return c.json({
          status: 'signed-in' as const,
          token: secret,
          subject: person.subject,
          name: person.name,
          scopes: person.scopes,
          expiresAt: record.expiresAt,
        });
      },
    },
  ];
}
