import type { Logger } from 'pino';
import type { Scope } from '../store/store.js';

/** Who is calling: the token or sign-in session that authenticated the request. */
export interface Principal {
  /** The token's id, or `session:<id>` for a signed-in person (keys streams and rate limits). */
  tokenId: string;
  /** Token name or the person's display name: the actor in the audit log and launch events. */
  name: string;
  /**
   * The person: a session's verified subject, or the subject a token was created for.
   * Null for a token nobody owns. Self-approval is decided on it.
   */
  subject: string | null;
  /** How the caller signed in: an API token, or a session as cookie (dashboard) or bearer (CLI). */
  via: 'token' | 'session-cookie' | 'session-bearer';
  scopes: Scope[];
  /** Flags an sdk token is limited to (config and events); null = every flag. */
  flags: string[] | null;
  /** The environment an sdk token sees (its config and launches only). */
  environment: string;
}

/** Per-request values every handler can read (`c.get(...)`). */
export interface AppVariables {
  requestId: string;
  /** Child logger carrying the request id. */
  log: Logger;
  /** Set by the auth middleware on every non-public route. */
  principal: Principal;
  /** Error code of the answer, for the request log line. */
  errorCode?: string;
}

/** The Hono environment of the app. */
export interface AppEnv {
  Variables: AppVariables;
}
