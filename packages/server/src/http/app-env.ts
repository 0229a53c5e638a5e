import type { Logger } from 'pino';
import type { Scope } from '../store/store.js';

/** Who is calling: the token that authenticated the request. */
export interface Principal {
  tokenId: string;
  /** Token name: the actor in the audit log and launch events. */
  name: string;
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
