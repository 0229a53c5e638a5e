import type { EventTimeWindow } from '@threshold/core';
import type { Logger } from 'pino';
import type { ConfigHub } from '../config/config-hub.js';
import type { TokenBuckets } from '../ingest/token-bucket.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { RouterRegistry } from '../routers/router-registry.js';
import type { Store } from '../store/store.js';
import type { RehearsalPool } from '../workers/rehearsal-pool.js';
import type { PlanValidator } from '../workers/plan-validator.js';
import type { TokenStreams } from './token-streams.js';
import type { LaunchReader } from '../launches/launch-reader.js';
import type { OidcClient } from '../auth/oidc-client.js';
import type { CookiePolicy } from './session-cookie.js';

/** Sign-in with OpenID Connect, when configured. */
export interface SignInContext {
  client: OidcClient;
  cookies: CookiePolicy;
  /** Session lifetime in ms. */
  ttlMs: number;
}
import type { EnvironmentConfig } from '../environments/environment-config.js';

/** Limits and intervals of the app; every field has a default. */
export interface AppOptions {
  /** Largest body of an /api/v1 request (default 1 MiB). /v1/events uses MAX_BATCH_BYTES. */
  maxBodyBytes?: number;
  /** Per-token ingest rate limit (default 50,000 events/s, bursts of 100,000). */
  ingestRate?: { eventsPerSecond: number; burst?: number };
  /** `: ping` interval on SSE streams (default SSE_PING_INTERVAL_MS, 15 s). */
  ssePingIntervalMs?: number;
  /** Accepted event times around the server's clock (default EVENT_TIME_WINDOW: 7 days back, 15 min ahead). */
  eventTimeWindow?: EventTimeWindow;
  /** Time without exposures before a running launch shows the no-exposures warning (null: never; default THRESHOLD_NO_EXPOSURE_WARNING, else 5m). */
  noExposureWarningMs?: number | null;
}

/** Everything route handlers use, fixed when the app is created. */
export interface RouteContext {
  store: Store;
  hub: ConfigHub;
  metrics: ServerMetrics;
  logger: Logger;
  now: () => number;
  buckets: TokenBuckets;
  maxBodyBytes: number;
  ssePingIntervalMs: number;
  eventTimeWindow: EventTimeWindow;
  /** Rehearsals run here, off the event loop. */
  rehearsals: RehearsalPool;
  /** Metric sources: plans are checked against them before they run. */
  sources: SourceRegistry;
  /** Traffic routers: a plan's router is checked against them before it runs. */
  routers: RouterRegistry;
  /** A person moved a launch's traffic (a rollback): its router should hear of it now. */
  trafficChanged?: (launchId: string) => void;
  /** Where plan uploads and validations are parsed (a worker thread in a server). */
  planValidator: PlanValidator;
  /** Open SSE streams by token, ended when their token is revoked. */
  tokenStreams: TokenStreams;
  /** Where launches stand (their logs folded, cached). */
  launches: LaunchReader;
  /** OpenID Connect sign-in; undefined = API tokens only. */
  signIn?: SignInContext;
  /** The environments this server defines, with their promotion policy and time rules (ADR 0032). */
  environments: readonly EnvironmentConfig[];
}
