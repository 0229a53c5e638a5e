/** Public API of @threshold/sdk: local evaluation, config delivery, events, OpenFeature providers. */
export { createClient, SDK_VERSION } from './create-client.js';
export type {
  ClientErrorKind,
  ClientEvents,
  ClientOptions,
  ClientStats,
  ClientStatus,
  ConfigStorage,
  EventOptions,
  ThresholdClient,
} from './threshold-client.js';
export type { EvaluationDetail } from './flag-evaluator.js';
export type { ConfigSource } from './config-sync.js';
export { backoffDelay } from './backoff-delay.js';
export { SseParser } from './sse-parser.js';
export type { SseMessage } from './sse-parser.js';
export { ThresholdProvider } from './openfeature/threshold-provider.js';
export type { ThresholdProviderOptions } from './openfeature/threshold-provider.js';
export { ThresholdWebProvider } from './openfeature/threshold-web-provider.js';
export { ProviderEvents } from './openfeature/provider-event-emitter.js';
