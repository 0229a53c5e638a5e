/** Public API of @threshold/server: the HTTP app, the server, tokens, config fan-out, metrics, and the store. */
export * from './store/index.js';
export { createApp, appRoutes, OPENAPI_PATH } from './http/create-app.js';
export type { AppDeps } from './http/create-app.js';
export type { AppOptions } from './http/route-context.js';
export type { AppEnv, Principal } from './http/app-env.js';
export type { RouteSpec } from './http/route-spec.js';
export { HttpError } from './http/http-error.js';
export { hashToken, generateTokenSecret, TOKEN_PREFIX } from './auth/hash-token.js';
export { createToken, tokenView } from './auth/create-token.js';
export type { CreatedToken, TokenView } from './auth/create-token.js';
export { scopeSchema, scopesAllow, isApproverScope, approverScope } from './auth/scopes.js';
export type { Access } from './auth/scopes.js';
export { oidcConfigFromEnv, scopesOfGroups, DEFAULT_SESSION_TTL_MS } from './auth/oidc-config.js';
export type { OidcConfig } from './auth/oidc-config.js';
export { SESSION_PREFIX } from './auth/sessions.js';
export { buildConfigDocument, flagConfigOf } from './config/build-config-document.js';
export type { LaunchWithPlan } from './config/build-config-document.js';
export { ConfigHub } from './config/config-hub.js';
export type { ConfigHubOptions } from './config/config-hub.js';
export { createServerMetrics } from './metrics/server-metrics.js';
export type { ServerMetrics } from './metrics/server-metrics.js';
export { TokenBuckets } from './ingest/token-bucket.js';
export type { TokenBucketOptions, TakeResult } from './ingest/token-bucket.js';
export { startProjector } from './ingest/projector.js';
export type { Projector } from './ingest/projector.js';
export { operatorTransition, OPERATOR_ACTIONS } from './launches/operator-transition.js';
export type { OperatorAction, TransitionResult } from './launches/operator-transition.js';
export { signoffStatus, gatePhase } from './launches/signoff-status.js';
export type { SignoffStatus } from './launches/signoff-status.js';
export type { LaunchSummary } from './launches/launch-view.js';
export type { LaunchDetailAnswer } from './routes/launch-routes.js';
export type { LookAnswer } from './controller/look-routes.js';
export { DASHBOARD_EVENTS } from './routes/dashboard-stream-route.js';
export type { BatchError } from './routes/sdk-routes.js';
export { startServer, DEFAULT_PORT } from './start-server.js';
export {
  loadEnvironmentConfigs,
  EnvironmentConfigError,
} from './environments/environment-config.js';
export type { EnvironmentConfig } from './environments/environment-config.js';
export {
  createController,
  DEFAULT_LOOK_INTERVAL_MS,
  DEFAULT_LOOK_RECORD_INTERVAL_MS,
} from './controller/controller.js';
export type {
  Controller,
  ControllerOptions,
  CommittedDecision,
  LookOutcome,
} from './controller/controller.js';
export { localLease, advisoryLease, advisoryLockKey } from './controller/lease.js';
export type { Lease, AdvisoryLeaseOptions } from './controller/lease.js';
export {
  DECISION_EVENT,
  LOOK_EVENT,
  NOTIFICATION_EVENT,
  WARNING_EVENT,
  rebuildState,
} from './controller/launch-log.js';
export { approvalOf, gatherEvidence, plannedSplit } from './controller/gather-evidence.js';
export type { DecisionSummary } from './controller/commit-decisions.js';
export { applyOperatorAction, readLaunchState } from './controller/operator-decision.js';
export type { DecisionEvent } from './controller/outbox-messages.js';
export type { LookRecord, LookKpi } from './controller/look-record.js';
export { createOutboxWorker } from './notify/outbox-worker.js';
export type {
  OutboxWorker,
  OutboxWorkerOptions,
  DrainedMessage,
  SettledNotification,
  NotificationOutcome,
} from './notify/outbox-worker.js';
export type { NotificationView } from './launches/launch-notifications.js';
export { buildLaunchReport } from './launches/build-launch-report.js';
export { REHEARSAL_PREDICTION_RULE } from './launches/rehearsal-record.js';
export type { LaunchReport, LaunchReview } from './launches/launch-report-schema.js';
export { REVIEW_EVENT } from './launches/launch-review.js';
export {
  DEFAULT_NO_EXPOSURE_WARNING_MS,
  NO_EXPOSURE_WARNING_VARIABLE,
  noExposureWarningFromEnv,
} from './launches/no-exposure-setting.js';
export type { DeliveryOutcome } from './notify/deliver-message.js';
export { AUDIT_HEAD_HEADER } from './notify/deliver-message.js';
export {
  signWebhook,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
} from './notify/webhook-signature.js';
export { slackMessage } from './notify/slack-message.js';
export type { SlackMessage } from './notify/slack-message.js';
export { notifyVariable, envNotifyResolver } from './notify/notify-targets.js';
export type { NotifyResolver } from './notify/notify-targets.js';
export { retryDelay, DEFAULT_RETRY } from './notify/retry-delay.js';
export type { RetryPolicy } from './notify/retry-delay.js';
export { startDemo, DEMO_DATA_DIR } from './demo/start-demo.js';
export type { DemoOptions, DemoTokens, RunningDemo } from './demo/start-demo.js';
export { decisionLine, breachText, notificationLine } from './demo/decision-line.js';
export { startTrafficSimulator } from './demo/traffic-simulator.js';
export type { TrafficSimulator, TrafficSimulatorOptions } from './demo/traffic-simulator.js';
export {
  DEMO_PLAN_DIR,
  DEMO_PLAN_FILES,
  readDemoPlans,
  scaleDurations,
} from './demo/demo-plans.js';
export type { StartServerOptions, RunningServer } from './start-server.js';
export {
  RehearsalPool,
  RehearsalPoolFullError,
  rehearsalWorkerUrl,
} from './workers/rehearsal-pool.js';
export type {
  RehearsalPoolOptions,
  RehearsalJobOptions,
  RehearsalInput,
} from './workers/rehearsal-pool.js';
export type { PlanValidator } from './workers/plan-validator.js';
export { inlinePlanValidator } from './workers/inline-plan-validator.js';
export {
  ValidatorBusyError,
  planWorkerAvailable,
  threadPlanValidator,
} from './workers/thread-plan-validator.js';
export type { ThreadPlanValidatorOptions } from './workers/thread-plan-validator.js';
export { readPrometheusHistory, PrometheusHistoryError } from './sources/prometheus-history.js';
export type { PrometheusHistoryOptions } from './sources/prometheus-history.js';
export { haproxyRouter } from './routers/haproxy-router.js';
export { haproxyWeights, HAPROXY_MAX_WEIGHT } from './routers/haproxy-weights.js';
export {
  webhookRouter,
  routerWebhookBody,
  ROUTER_WEBHOOK_EVENT,
} from './routers/webhook-router.js';
export type { RouterWebhookBody } from './routers/webhook-router.js';
export { loadRouterConfigs, RouterConfigError } from './routers/router-config.js';
export { openRouters } from './routers/router-registry.js';
export type { RouterRegistry } from './routers/router-registry.js';
export type {
  TrafficRouter,
  RouterConfig,
  RouterKind,
  RouterTarget,
  WeightRequest,
  WeightResult,
  RouterHealth,
  RouterProblem,
} from './routers/traffic-router.js';
export {
  createRouterReconciler,
  ROUTER_EVENT,
  DEFAULT_ROUTER_INTERVAL_MS,
} from './controller/router-reconciler.js';
export type {
  RouterReconciler,
  RouterReconcilerOptions,
  RouterStatus,
  RouterEventData,
} from './controller/router-reconciler.js';
