/**
 * The OpenID Connect relying party, on `openid-client` (ADR 0035): discovery,
 * authorization code with PKCE, the device authorization grant for the CLI, and
 * the ID token's validation (signature, issuer, audience, expiry, nonce) are all
 * the library's; this file only decides what the server keeps of a person.
 */
import * as oidc from 'openid-client';
import type { Store } from '../store/store.js';
import type { Scope } from '../store/store.js';
import type { OidcConfig } from './oidc-config.js';
import { scopesOfGroups } from './oidc-config.js';

/** A person the provider vouched for. */
export interface VerifiedPerson {
  /** The provider's `sub`. */
  subject: string;
  name: string;
  scopes: Scope[];
  groups: string[];
}

/** What the CLI shows while a device sign-in waits for the person. */
export interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  /** Seconds to wait between polls. */
  interval: number;
  expiresIn: number;
}

/** A sign-in the provider or the caller got wrong; the message is safe to show. */
export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Ten minutes to come back from the provider. */
const ATTEMPT_TTL_MS = 10 * 60 * 1000;
const SCOPE = 'openid profile email groups';

/** Signs people in against one issuer. */
export class OidcClient {
  readonly #config: OidcConfig;
  readonly #store: Store;
  readonly #now: () => number;
  #discovered: Promise<oidc.Configuration> | undefined;

  constructor(config: OidcConfig, store: Store, now: () => number) {
    this.#config = config;
    this.#store = store;
    this.#now = now;
  }

  /** The redirect URI registered with the provider. */
  get redirectUri(): string {
    return new URL('/auth/callback', this.#config.publicUrl).href;
  }

  /** Discovery runs once; a failure is retried at the next sign-in. */
  #configuration(): Promise<oidc.Configuration> {
    this.#discovered ??= oidc
      .discovery(
        new URL(this.#config.issuer),
        this.#config.clientId,
        this.#config.clientSecret === undefined
          ? { token_endpoint_auth_method: 'none' }
          : this.#config.clientSecret,
        this.#config.clientSecret === undefined ? oidc.None() : undefined,
        this.#config.allowHttpIssuer === true ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        this.#discovered = undefined;
        throw err;
      });
    return this.#discovered;
  }

  /** Starts a browser sign-in: the provider URL to send the browser to, and the state to pin in a cookie. */
  async begin(returnTo: string): Promise<{ url: string; state: string }> {
    const config = await this.#configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.#store.putLoginAttempt({
      state,
      verifier,
      nonce,
      returnTo,
      expiresAt: new Date(this.#now() + ATTEMPT_TTL_MS).toISOString(),
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * Finishes a browser sign-in at the callback. `pinnedState` is the state from
   * this browser's cookie: a callback carrying another state (someone else's
   * sign-in pushed into this browser) is refused.
   */
  async finish(
    callbackUrl: URL,
    pinnedState: string | undefined,
  ): Promise<{ person: VerifiedPerson; returnTo: string }> {
    const state = callbackUrl.searchParams.get('state');
    if (state === null || pinnedState === undefined || state !== pinnedState)
      throw new SignInError('the sign-in was not started in this browser; start it again');
    const attempt = await this.#store.takeLoginAttempt(state);
    if (attempt === undefined || Date.parse(attempt.expiresAt) < this.#now())
      throw new SignInError('the sign-in expired or was already used; start it again');
    const config = await this.#configuration();
    // The callback is read at the public URL the provider redirected to (a proxy may rewrite the host).
    const current = new URL(this.redirectUri);
    current.search = callbackUrl.search;
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new SignInError(`the provider refused the sign-in: ${describe(err)}`);
    }
    return { person: await this.#person(config, tokens), returnTo: attempt.returnTo };
  }

  /** Starts a device sign-in (RFC 8628) for the CLI. */
  async startDevice(): Promise<DeviceStart> {
    const config = await this.#configuration();
    let r: Awaited<ReturnType<typeof oidc.initiateDeviceAuthorization>>;
    try {
      r = await oidc.initiateDeviceAuthorization(config, { scope: SCOPE });
    } catch (err) {
      throw new SignInError(`the provider refused the device sign-in: ${describe(err)}`);
    }
    return {
      deviceCode: r.device_code,
      userCode: r.user_code,
      verificationUri: r.verification_uri,
      verificationUriComplete: r.verification_uri_complete ?? null,
      interval: r.interval ?? 5,
      expiresIn: r.expires_in,
    };
  }

  /** One poll of a device sign-in: the person once approved, else why to wait. */
  async pollDevice(
    deviceCode: string,
  ): Promise<{ person: VerifiedPerson } | { pending: 'authorization_pending' | 'slow_down' }> {
    const config = await this.#configuration();
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.genericGrantRequest(
        config,
        'urn:ietf:params:oauth:grant-type:device_code',
        { device_code: deviceCode },
      );
    } catch (err) {
      const code = (err as { error?: unknown }).error;
      if (code === 'authorization_pending' || code === 'slow_down') return { pending: code };
      throw new SignInError(`the provider refused the device sign-in: ${describe(err)}`);
    }
    if (tokens.id_token === undefined)
      throw new SignInError('the provider answered without an ID token');
    return { person: await this.#person(config, tokens) };
  }

  async #person(
    config: oidc.Configuration,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  ): Promise<VerifiedPerson> {
    const claims = tokens.claims();
    if (claims === undefined) throw new SignInError('the provider answered without an ID token');
    const claim = this.#config.groupsClaim ?? 'groups';
    let groups: unknown = claims[claim];
    let profile: Record<string, unknown> = claims;
    // Many providers put groups (and the profile) only in userinfo: ask it, for this subject only.
    if (groups === undefined && tokens.access_token !== undefined) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      profile = { ...info, ...claims };
      groups = info[claim];
    }
    const list = Array.isArray(groups) ? groups.filter((g) => typeof g === 'string') : [];
    const name = [profile.name, profile.preferred_username, profile.email].find(
      (v): v is string => typeof v === 'string' && v.trim() !== '',
    );
    return {
      subject: claims.sub,
      name: name ?? claims.sub,
      groups: list,
      scopes: scopesOfGroups(list, this.#config),
    };
  }
}

function describe(err: unknown): string {
  const e = err as { error?: unknown; error_description?: unknown; message?: unknown };
  if (typeof e.error === 'string')
    return typeof e.error_description === 'string' ? `${e.error}: ${e.error_description}` : e.error;
  return String(e.message ?? err);
}
