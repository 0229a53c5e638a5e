/**
 * Opens the store, builds the app, listens, and runs the background loops
 * (config fan-out polling, event projection). `close()` undoes all of it in order.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import pino from 'pino';
import type { Logger } from 'pino';
import { ConfigHub } from './config/config-hub.js';
import { createController } from './controller/controller.js';
import type { Controller, ControllerOptions } from './controller/controller.js';
import { advisoryLease, localLease } from './controller/lease.js';
import type { Lease } from './controller/lease.js';
import type { AppEnv } from './http/app-env.js';
import { createApp } from './http/create-app.js';
import { TokenStreams } from './http/token-streams.js';
import { inlinePlanValidator } from './workers/inline-plan-validator.js';
import { planWorkerAvailable, threadPlanValidator } from './workers/thread-plan-validator.js';
import type { AppOptions } from './http/route-context.js';
import { startProjector } from './ingest/projector.js';
import { createServerMetrics } from './metrics/server-metrics.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import { createOutboxWorker } from './notify/outbox-worker.js';
import type { OutboxWorker, OutboxWorkerOptions } from './notify/outbox-worker.js';
import { loadSourceConfigs } from './sources/source-config.js';
import { noExposureWarningFromEnv } from './launches/no-exposure-setting.js';
import type { SourceConfig } from './sources/metric-source.js';
import { openSources } from './sources/source-registry.js';
import type { SourceRegistry } from './sources/source-registry.js';
import { openStore } from './store/index.js';
import { createRouterReconciler } from './controller/router-reconciler.js';
import type { RouterReconciler } from './controller/router-reconciler.js';
import { loadRouterConfigs } from './routers/router-config.js';
import { loadEnvironmentConfigs } from './environments/environment-config.js';
import type { EnvironmentsInput } from './environments/environment-config.js';
import { openRouters } from './routers/router-registry.js';
import type { RouterRegistry } from './routers/router-registry.js';
import type { RouterConfig } from './routers/traffic-router.js';
import { oidcConfigFromEnv } from './auth/oidc-config.js';
import type { OidcConfig } from './auth/oidc-config.js';
import { RehearsalPool, SERVER_REHEARSAL_POOL } from './workers/rehearsal-pool.js';
import type { Store } from './store/index.js';

/** Default port of `threshold serve`. */
export const DEFAULT_PORT = 4600;

/** Options of {@link startServer}; with none it serves SQLite in ./.threshold on port 4600. */
export interface StartServerOptions {
  /** TCP port (default 4600; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Folder of the SQLite database (default ./.threshold). */
  dataDir?: string;
  /** postgres://… to use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** PostgreSQL schema (tests use one per run). */
  databaseSchema?: string;
  logger?: Logger;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Limits and intervals of the app. */
  app?: AppOptions;
  /** How often to look for launch changes made by other replicas (default 250 ms). */
  configPollMs?: number;
  /** How often to fold ingested events while idle (default 200 ms). */
  projectIntervalMs?: number;
  /**
   * The controller loop (looks every 2 s by default), or `false` to leave it
   * stopped (tests drive `controller.lookOnce()` by hand).
   */
  controller?:
    false | Pick<ControllerOptions, 'lookIntervalMs' | 'lookRecordIntervalMs' | 'onDecision'>;
  /** The outbox worker (notifications, webhooks), or `false` to leave it stopped. */
  outbox?: false | Omit<OutboxWorkerOptions, 'store' | 'logger' | 'now' | 'lease'>;
  /** Metric sources besides events (default: THRESHOLD_SOURCES_FILE and THRESHOLD_<KIND>_URL). */
  sources?: SourceConfig[];
  /**
   * Time without any exposure in a live phase before a running launch warns (in
   * its status, the lists and a notification to the plan's owner); null never
   * warns. Default THRESHOLD_NO_EXPOSURE_WARNING, else 5 minutes.
   */
  noExposureWarningMs?: number | null;
  /** Traffic routers (default: THRESHOLD_ROUTERS_FILE, THRESHOLD_HAPROXY_ADDRESS, THRESHOLD_WEBHOOK_ROUTER_URL). */
  routers?: RouterConfig[];
  /**
   * Environments by name with their promotion policy and time rules (the shape of
   * THRESHOLD_ENVIRONMENTS_FILE's `environments`; default that file, else
   * THRESHOLD_ENVIRONMENTS names, else production only). See docs/environments.md.
   */
  environments?: EnvironmentsInput;
  /**
   * Time between router reconciliation passes (default THRESHOLD_ROUTER_INTERVAL_MS,
   * else 500 ms). The loop runs with the controller, when a router is configured.
   */
  routerIntervalMs?: number;
  /** OpenID Connect sign-in for people (default: THRESHOLD_OIDC_* settings; null: none). */
  oidc?: OidcConfig | null;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4600. */
  url: string;
  store: Store;
  app: Hono<AppEnv>;
  hub: ConfigHub;
  metrics: ServerMetrics;
  /** Announce a committed launch change so SSE clients get it now (the controller calls this). */
  configChanged(): void;
  /** The controller (running unless `controller: false`). */
  controller: Controller;
  /** The outbox worker (running unless `outbox: false`). */
  outbox: OutboxWorker;
  /** The lease the controller and outbox worker hold (advisory lock on PostgreSQL). */
  lease: Lease;
  /** The metric sources (events and every configured one). */
  sources: SourceRegistry;
  /** The traffic routers. */
  routers: RouterRegistry;
  /** Keeps each routed launch's share at its router (tests call `pass()` when the controller is off). */
  reconciler: RouterReconciler;
  /** Stops listening, ends streams, stops the loops, and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Starts Threshold. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino();
  const now = options.now ?? Date.now;
  // A bad source configuration (or warning setting) stops the start before anything opens.
  const sourceConfigs = options.sources ?? loadSourceConfigs();
  const noExposureWarningMs =
    options.noExposureWarningMs === undefined
      ? noExposureWarningFromEnv()
      : options.noExposureWarningMs;
  const routers = openRouters(options.routers ?? loadRouterConfigs());
  // `null` turns sign-in off even when THRESHOLD_OIDC_ISSUER is set (tests of token-only servers).
  const oidc = options.oidc === null ? undefined : (options.oidc ?? oidcConfigFromEnv());
  const environments = loadEnvironmentConfigs(options.environments);
  const timeRules = (name: string) => environments.find((e) => e.name === name)?.timeRules;
  const store = await openStore({
    ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    logger,
    migrate: true,
  });
  const metrics = createServerMetrics();
  metrics.setProjectionSource(() => store.projectionStatus());
  metrics.setIntegritySource(() => store.evidenceContributions());
  let sources: SourceRegistry;
  try {
    // Opening reads each source's CA file; a bad one stops the start, and the store must not leak.
    sources = openSources(sourceConfigs, { store, metrics });
  } catch (err) {
    await store.close();
    throw err;
  }
  for (const r of routers.routers.values())
    logger.info({ router: r.name, kind: r.kind, target: r.target }, 'traffic router configured');
  // The target, not the url: a postgres:// url may carry a password.
  for (const c of sourceConfigs)
    logger.info(
      { source: c.name, kind: c.kind, target: sources.sources.get(c.name)?.target },
      'metric source configured',
    );
  metrics.setAuditHeadSource(() => store.auditHead());
  const hub = new ConfigHub({
    store,
    logger,
    now,
    pollIntervalMs: options.configPollMs ?? 250,
  });
  const rehearsals = new RehearsalPool(SERVER_REHEARSAL_POOL);
  const planValidator = planWorkerAvailable() ? threadPlanValidator() : inlinePlanValidator();
  const tokenStreams = new TokenStreams({
    store,
    logger,
    pollIntervalMs: options.configPollMs ?? 250,
  });
  const app = createApp({
    store,
    logger,
    clock: { now },
    hub,
    metrics,
    rehearsals,
    sources,
    routers,
    // The lease holder tells the router now; otherwise the holder's next pass does.
    trafficChanged: (id) => {
      if (lease.held) void reconciler.kick(id, now());
    },
    planValidator,
    tokenStreams,
    ...(oidc === undefined ? {} : { oidc }),
    environments,
    options: { ...options.app, noExposureWarningMs },
  });
  await hub.refresh();
  hub.start();
  tokenStreams.start();
  const projector = startProjector(store, {
    logger,
    intervalMs: options.projectIntervalMs ?? 200,
    onProjected: (n) => metrics.projectedEvents.inc(n),
  });

  const lease =
    store.dialect === 'postgres' && options.databaseUrl !== undefined
      ? advisoryLease({
          url: options.databaseUrl,
          name: options.databaseSchema ?? 'public',
          onError: (err) => logger.warn({ err }, 'controller lease connection failed'),
        })
      : localLease();
  const reconciler = createRouterReconciler({
    store,
    logger,
    routers,
    now,
    metrics,
    lease,
    ...(options.routerIntervalMs === undefined ? {} : { intervalMs: options.routerIntervalMs }),
  });
  const controllerOptions = options.controller === false ? {} : (options.controller ?? {});
  const controller = createController({
    store,
    logger,
    now,
    metrics,
    lease,
    configChanged: () => hub.changed(),
    sources: sources.sources,
    noExposureWarningMs,
    routers: reconciler,
    timeRules,
    ...controllerOptions,
  });
  const outboxOptions = options.outbox === false ? {} : (options.outbox ?? {});
  const outbox = createOutboxWorker({ store, logger, now, lease, ...outboxOptions });
  if (options.controller !== false) controller.start();
  // Without a router configured there is nothing to reconcile: no loop, no polling.
  if (options.controller !== false && routers.routers.size > 0) reconciler.start();
  if (options.outbox !== false) outbox.start();

  const host = options.host ?? '127.0.0.1';
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve(
        { fetch: app.fetch, port: options.port ?? DEFAULT_PORT, hostname: host },
        () => resolve(s),
      );
      s.once('error', reject);
    });
  } catch (err) {
    await rehearsals.close();
    await controller.stop();
    await reconciler.stop();
    await outbox.stop();
    await lease.release();
    await projector.stop();
    await hub.stop();
    await sources.close();
    await routers.close();
    tokenStreams.stop();
    await planValidator.close();
    await store.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  logger.info({ url, store: store.dialect }, 'threshold listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    app,
    hub,
    metrics,
    configChanged: () => hub.changed(),
    controller,
    outbox,
    lease,
    sources,
    routers,
    reconciler,
    close() {
      closing ??= (async () => {
        // Streams never end by themselves: drop them so close() does not wait forever.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
        await stopped;
        await rehearsals.close();
        await controller.stop();
        await reconciler.stop();
        await outbox.stop();
        await lease.release();
        await hub.stop();
        await projector.stop();
        await sources.close();
        await routers.close();
        tokenStreams.stop();
        await planValidator.close();
        await store.close();
      })();
      return closing;
    },
  };
}
