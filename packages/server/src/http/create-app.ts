/**
 * The HTTP app: one request-id/log/metrics middleware, the route table with an
 * auth check per route, and one error renderer for everything (404, 405, bad
 * bodies, uncaught errors) so every failure has the same JSON shape.
 */
import { randomUUID } from 'node:crypto';
import { EVENT_TIME_WINDOW, SSE_PING_INTERVAL_MS, apiErrorBody } from '@threshold/core';
import type { ApiErrorValue } from '@threshold/core';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { routePath } from 'hono/route';
import pino from 'pino';
import type { Logger } from 'pino';
import { ConfigHub } from '../config/config-hub.js';
import { serveDashboard } from '../dashboard/serve-dashboard.js';
import { TokenBuckets } from '../ingest/token-bucket.js';
import { createServerMetrics } from '../metrics/server-metrics.js';
import { openSources } from '../sources/source-registry.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { openRouters } from '../routers/router-registry.js';
import type { RouterRegistry } from '../routers/router-registry.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { buildOpenApi } from '../openapi/build-openapi.js';
import { approvalRoutes } from '../routes/approval-routes.js';
import { argoRolloutsRoutes } from '../integrations/argo-rollouts-routes.js';
import { flaggerRoutes } from '../integrations/flagger-routes.js';
import { auditRoutes } from '../routes/audit-routes.js';
import { dashboardStreamRoutes } from '../routes/dashboard-stream-route.js';
import { dashboardSupportRoutes } from '../routes/dashboard-support-routes.js';
import { healthRoutes } from '../routes/health-routes.js';
import { launchRoutes } from '../routes/launch-routes.js';
import { reportRoutes } from '../routes/report-routes.js';
import { portfolioRoutes } from '../routes/portfolio-routes.js';
import { historyRoutes } from '../routes/history-routes.js';
import { environmentRoutes } from '../routes/environment-routes.js';
import { planRoutes } from '../routes/plan-routes.js';
import { sdkRoutes } from '../routes/sdk-routes.js';
import { tokenRoutes } from '../routes/token-routes.js';
import { signInRoutes } from '../routes/sign-in-routes.js';
import { readinessRoutes } from '../routes/readiness-routes.js';
import { checkResultRoutes } from '../routes/check-result-routes.js';
import { OidcClient } from '../auth/oidc-client.js';
import { DEFAULT_SESSION_TTL_MS, checkOidcConfig } from '../auth/oidc-config.js';
import type { OidcConfig } from '../auth/oidc-config.js';
import { cookiePolicy } from './session-cookie.js';
import type { Store } from '../store/store.js';
import type { AppEnv } from './app-env.js';
import { authenticate } from './authenticate.js';
import { HttpError } from './http-error.js';
import type { AppOptions, RouteContext } from './route-context.js';
import type { RouteSpec } from './route-spec.js';
import { pathMatcher } from './route-spec.js';
import { serverVersion } from './server-version.js';
import { RehearsalPool, SERVER_REHEARSAL_POOL } from '../workers/rehearsal-pool.js';
import { storeErrorToHttp } from './store-errors.js';
import { TokenStreams } from './token-streams.js';
import { inlinePlanValidator } from '../workers/inline-plan-validator.js';
import type { PlanValidator } from '../workers/plan-validator.js';
import { LaunchReader } from '../launches/launch-reader.js';
import { noExposureWarningFromEnv } from '../launches/no-exposure-setting.js';
import type { EnvironmentConfig } from '../environments/environment-config.js';
import { DEFAULT_ENVIRONMENT } from '../store/index.js';

/** What the app is built from. Only `store` is required. */
export interface AppDeps {
  store: Store;
  /** pino logger (default: JSON to stdout at info); tests pass a silent one. */
  logger?: Logger;
  /** Clock (default Date.now); injected so rate limits and timestamps are testable. */
  clock?: { now(): number };
  options?: AppOptions;
  /** Config fan-out; created (without polling) when not given. */
  hub?: ConfigHub;
  /** Metrics registry; created when not given. */
  metrics?: ServerMetrics;
  /** Rehearsal threads; a pool is created when not given (its idle threads end by themselves). */
  rehearsals?: RehearsalPool;
  /** Metric sources (default: only the store's events). */
  sources?: SourceRegistry;
  /** Traffic routers (default: none). */
  routers?: RouterRegistry;
  /** Called after a person's rollback commits, so the launch's router hears of it at once. */
  trafficChanged?: (launchId: string) => void;
  /** Plan parsing for upload and validate (default: on this thread; startServer uses a worker). */
  planValidator?: PlanValidator;
  /** Open streams by token (default: created without a revocation poll; startServer polls). */
  tokenStreams?: TokenStreams;
  /** OpenID Connect sign-in for people (default: none, API tokens only). */
  oidc?: OidcConfig;
  /** Environments (default: production only). */
  environments?: readonly EnvironmentConfig[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Path of the OpenAPI document. */
export const OPENAPI_PATH = '/api/v1/openapi.json';

/** Every route of an app built from `ctx`, OpenAPI included. */
export function appRoutes(ctx: RouteContext): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...healthRoutes(ctx),
    ...planRoutes(ctx),
    ...launchRoutes(ctx),
    ...reportRoutes(ctx),
    ...portfolioRoutes(ctx),
    ...historyRoutes(ctx),
    ...environmentRoutes(ctx),
    ...approvalRoutes(ctx),
    ...auditRoutes(ctx),
    ...tokenRoutes(ctx),
    ...signInRoutes(ctx),
    ...readinessRoutes(ctx),
    ...checkResultRoutes(ctx),
    ...dashboardStreamRoutes(ctx),
    ...dashboardSupportRoutes(ctx),
    ...sdkRoutes(ctx),
    ...argoRolloutsRoutes(ctx),
    ...flaggerRoutes(ctx),
  ];
  let document: Record<string, unknown> | undefined;
  routes.push({
    method: 'get',
    path: OPENAPI_PATH,
    access: 'public',
    tag: 'operations',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: {
      200: {
        description: 'The document.',
        schema: z.record(z.string(), z.unknown()).meta({ title: 'OpenApiDocument' }),
      },
    },
    handler: (c) => {
      document ??= buildOpenApi(routes, serverVersion());
      return c.json(document);
    },
  });
  return routes;
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const logger = deps.logger ?? pino();
  const now = deps.clock ? () => deps.clock?.now() ?? Date.now() : () => Date.now();
  const metrics = deps.metrics ?? createServerMetrics();
  const hub = deps.hub ?? new ConfigHub({ store: deps.store, logger, now, pollIntervalMs: 0 });
  const options = deps.options ?? {};
  const rate = options.ingestRate ?? { eventsPerSecond: 50_000 };
  const ctx: RouteContext = {
    store: deps.store,
    hub,
    metrics,
    logger,
    now,
    buckets: new TokenBuckets({
      rate: rate.eventsPerSecond,
      burst: rate.burst ?? rate.eventsPerSecond * 2,
      now,
    }),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ssePingIntervalMs: options.ssePingIntervalMs ?? SSE_PING_INTERVAL_MS,
    eventTimeWindow: options.eventTimeWindow ?? EVENT_TIME_WINDOW,
    rehearsals: deps.rehearsals ?? new RehearsalPool(SERVER_REHEARSAL_POOL),
    sources: deps.sources ?? openSources([], { store: deps.store }),
    routers: deps.routers ?? openRouters([]),
    ...(deps.trafficChanged === undefined ? {} : { trafficChanged: deps.trafficChanged }),
    planValidator: deps.planValidator ?? inlinePlanValidator(),
    tokenStreams: deps.tokenStreams ?? new TokenStreams({ store: deps.store, logger }),
    environments: deps.environments ?? [{ name: DEFAULT_ENVIRONMENT }],
    launches: new LaunchReader(
      deps.store,
      options.noExposureWarningMs === undefined
        ? noExposureWarningFromEnv()
        : options.noExposureWarningMs,
    ),
  };
  if (deps.oidc !== undefined) {
    checkOidcConfig(deps.oidc);
    ctx.signIn = {
      client: new OidcClient(deps.oidc, deps.store, now),
      cookies: cookiePolicy(deps.oidc.publicUrl),
      ttlMs: deps.oidc.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    };
  }
  const auth = {
    ...(ctx.signIn === undefined ? {} : { cookies: ctx.signIn.cookies }),
    now,
  };
  const routes = appRoutes(ctx);
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    await next();
    c.res.headers.set('x-request-id', requestId);
    // The handler that answered (not the last pattern matched: a catch-all like the dashboard
    // matches every path). Wildcard patterns share one label so metrics stay bounded.
    const route = routePath(c) || '*';
    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    const label = route.includes('*') ? '*' : route;
    metrics.httpRequests.inc({ route: label, method: c.req.method, status: String(status) });
    metrics.httpDuration.observe({ route: label, method: c.req.method }, seconds);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        route: label,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        actor: c.get('principal')?.name,
        code: c.get('errorCode'),
      },
      'request',
    );
  });

  // Browsers call the SDK routes from other origins; bearer tokens only, so no credentials.
  app.use(
    '/v1/*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'If-None-Match', 'Last-Event-ID', 'Content-Type'],
      exposeHeaders: ['ETag'],
      maxAge: 600,
    }),
  );

  for (const route of routes) {
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      // The beacon form of /v1/events authenticates from its body, inside the handler.
      if (route.access !== 'public' && route.authInHandler !== true) {
        await authenticate(c, deps.store, route.access, auth);
      }
      return route.handler(c);
    });
  }

  // The dashboard at / (after the API, so API paths never reach it).
  app.use('*', serveDashboard());

  const matchers = routes.map((r) => ({ route: r, re: pathMatcher(r.path) }));
  app.notFound((c) => {
    const allowed = [
      ...new Set(
        matchers.filter((m) => m.re.test(c.req.path)).map((m) => m.route.method.toUpperCase()),
      ),
    ];
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      return renderError(
        c,
        new HttpError(
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`,
          { allowed },
          { Allow: allowed.join(', ') },
        ),
      );
    }
    return renderError(c, new HttpError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));
  });

  app.onError((err, c) => {
    if (err instanceof HttpError) return renderError(c, err);
    const fromStore = storeErrorToHttp(err);
    if (fromStore !== undefined) return renderError(c, fromStore);
    const log = (c.get('log') as Logger | undefined) ?? logger;
    log.error({ err }, 'unhandled error');
    return renderError(
      c,
      new HttpError(
        'INTERNAL',
        `an unexpected error occurred; quote request id ${String(c.get('requestId'))} when reporting it`,
      ),
    );
  });

  return app;
}

function renderError(c: Context<AppEnv>, err: HttpError): Response {
  const value: ApiErrorValue = err.value;
  c.set('errorCode', value.code);
  const requestId = (c.get('requestId') as string | undefined) ?? randomUUID();
  for (const [name, v] of Object.entries(err.headers)) c.header(name, v);
  c.header('x-request-id', requestId);
  c.header('Cache-Control', 'no-store');
  return c.json(apiErrorBody(value, requestId), value.status as 400);
}
