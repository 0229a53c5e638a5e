/**
 * How the server signs people in with OpenID Connect (ADR 0035): the issuer it
 * discovers, the client it is registered as, where browsers reach it, and how
 * the provider's groups become Threshold scopes.
 */
import type { Scope } from '../store/store.js';
import { isApproverScope } from './scopes.js';

/** OpenID Connect settings; with none, only API tokens sign in. */
export interface OidcConfig {
  /** Issuer URL; its /.well-known/openid-configuration is discovered at the first sign-in. */
  issuer: string;
  clientId: string;
  /** Client secret (confidential client, client_secret_basic); omitted = a public client using PKCE alone. */
  clientSecret?: string;
  /** Where browsers reach this server (the redirect URI is `<publicUrl>/auth/callback`). */
  publicUrl: string;
  /** ID-token (or userinfo) claim listing the person's groups (default `groups`). */
  groupsClaim?: string;
  /**
   * Group → scopes. A group not listed grants nothing, except `threshold:<scope>`
   * (e.g. `threshold:approver:product`), which grants that scope.
   */
  roles?: Record<string, Scope[]>;
  /** Session lifetime in ms (default 8 hours). */
  sessionTtlMs?: number;
  /** Accept an issuer over plain http (only for loopback test providers). */
  allowHttpIssuer?: boolean;
}

/** Default session lifetime: a working day. */
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const FIXED: readonly string[] = ['viewer', 'operator', 'admin'];

/** True for a scope a person may hold (sdk stays for machines). */
export function isPersonScope(s: string): s is Scope {
  return FIXED.includes(s) || isApproverScope(s);
}

/** The scopes a person's groups grant under `config` (sorted, no duplicates). */
export function scopesOfGroups(groups: readonly string[], config: OidcConfig): Scope[] {
  const out = new Set<Scope>();
  for (const g of groups) {
    for (const s of config.roles?.[g] ?? []) out.add(s);
    if (g.startsWith('threshold:')) {
      const s = g.slice('threshold:'.length);
      if (isPersonScope(s)) out.add(s);
    }
  }
  return [...out].sort();
}

/**
 * Settings from the environment: THRESHOLD_OIDC_ISSUER, THRESHOLD_OIDC_CLIENT_ID,
 * THRESHOLD_OIDC_CLIENT_SECRET, THRESHOLD_PUBLIC_URL, THRESHOLD_OIDC_GROUPS_CLAIM and
 * THRESHOLD_OIDC_ROLES (JSON: `{"launch-team": ["operator"]}`). Undefined without an issuer.
 */
export function oidcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OidcConfig | undefined {
  const issuer = env.THRESHOLD_OIDC_ISSUER;
  if (issuer === undefined || issuer === '') return undefined;
  const need = (name: string): string => {
    const v = env[name];
    if (v === undefined || v === '')
      throw new Error(`${name} is required when THRESHOLD_OIDC_ISSUER is set`);
    return v;
  };
  const config: OidcConfig = {
    issuer,
    clientId: need('THRESHOLD_OIDC_CLIENT_ID'),
    publicUrl: need('THRESHOLD_PUBLIC_URL'),
  };
  if (env.THRESHOLD_OIDC_CLIENT_SECRET) config.clientSecret = env.THRESHOLD_OIDC_CLIENT_SECRET;
  if (env.THRESHOLD_OIDC_GROUPS_CLAIM) config.groupsClaim = env.THRESHOLD_OIDC_GROUPS_CLAIM;
  if (env.THRESHOLD_OIDC_ROLES) config.roles = parseRoles(env.THRESHOLD_OIDC_ROLES);
  checkOidcConfig(config);
  return config;
}

/** Throws naming the setting when `config` cannot work. */
export function checkOidcConfig(config: OidcConfig): void {
  const url = (name: string, v: string): URL => {
    try {
      return new URL(v);
    } catch {
      throw new Error(`OpenID Connect: ${name} must be a URL (got ${JSON.stringify(v)})`);
    }
  };
  const issuer = url('issuer', config.issuer);
  const pub = url('publicUrl', config.publicUrl);
  if (issuer.protocol !== 'https:' && config.allowHttpIssuer !== true)
    throw new Error('OpenID Connect: the issuer must be https');
  if (pub.protocol !== 'https:' && !isLoopback(pub.hostname))
    throw new Error(
      'OpenID Connect: publicUrl must be https (plain http only on a loopback address): the session cookie is Secure',
    );
  for (const [group, scopes] of Object.entries(config.roles ?? {}))
    for (const s of scopes)
      if (!isPersonScope(s))
        throw new Error(
          `OpenID Connect: roles.${group}: "${s}" is not viewer, operator, admin or approver:<role>`,
        );
}

function parseRoles(text: string): Record<string, Scope[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('THRESHOLD_OIDC_ROLES must be JSON: {"group": ["scope", ...]}');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('THRESHOLD_OIDC_ROLES must be a JSON object: {"group": ["scope", ...]}');
  const out: Record<string, Scope[]> = {};
  for (const [group, scopes] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))
      throw new Error(`THRESHOLD_OIDC_ROLES.${group} must be a list of scopes`);
    out[group] = scopes as Scope[];
  }
  return out;
}

/** Loopback hosts, where browsers treat plain http as a secure context. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}
