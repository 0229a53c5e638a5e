import type { EvaluationContext, JsonValue, ResolutionDetails } from '@openfeature/core';
import type { Provider, TrackingEventDetails } from '@openfeature/server-sdk';
import { createClient } from '../create-client.js';
import type { ClientOptions, ThresholdClient } from '../threshold-client.js';
import { bindClientEvents } from './bind-client-events.js';
import { ProviderEvents } from './provider-event-emitter.js';
import { resolveBoolean, trackingUnit, typeMismatch } from './resolve-boolean.js';

/** Options of the OpenFeature providers: client options, or an existing client. */
export type ThresholdProviderOptions = (ClientOptions | { client: ThresholdClient }) & {
  /** Attribute used as the unit by `track` when the context has no `targetingKey` (default `userId`). */
  trackUnitAttribute?: string;
};

/** Creates or adopts the client behind a provider; `owned` when the provider must close it. */
export function providerClient(
  options: ThresholdProviderOptions,
  sdkName: string,
): { client: ThresholdClient; owned: boolean } {
  if ('client' in options) return { client: options.client, owned: false };
  return { client: createClient({ sdkName, ...options }), owned: true };
}

/**
 * OpenFeature provider for servers (`@openfeature/server-sdk`). Evaluates locally
 * through a ThresholdClient; launches are boolean, so string/number/object flags
 * resolve to the default with TYPE_MISMATCH.
 */
export class ThresholdProvider implements Provider {
  /** Provider metadata. */
  readonly metadata = { name: 'threshold' } as const;
  /** Server paradigm. */
  readonly runsOn = 'server' as const;
  /** Provider events (READY, STALE, ERROR, CONFIGURATION_CHANGED). */
  readonly events = new ProviderEvents();
  /** The underlying client (for diagnostics: status, counters). */
  readonly client: ThresholdClient;
  readonly #owned: boolean;
  readonly #unbind: () => void;
  readonly #trackUnit: string;
  #initialized = false;

  constructor(options: ThresholdProviderOptions) {
    const { client, owned } = providerClient(options, '@threshold/sdk/openfeature-server');
    this.client = client;
    this.#owned = owned;
    this.#trackUnit = options.trackUnitAttribute ?? 'userId';
    this.#unbind = bindClientEvents(client, this.events, () => this.#initialized);
  }

  /** Resolves when the first config is loaded (the SDK then emits READY). */
  async initialize(): Promise<void> {
    try {
      await this.client.ready();
    } finally {
      this.#initialized = true;
    }
  }

  /** Closes the client if this provider created it. */
  async onClose(): Promise<void> {
    this.#unbind();
    if (this.#owned) await this.client.close();
  }

  /** Boolean flags: the launch decides. */
  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return resolveBoolean(this.client, flagKey, defaultValue, context);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  async resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
  ): Promise<ResolutionDetails<string>> {
    return typeMismatch(flagKey, defaultValue);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  async resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
  ): Promise<ResolutionDetails<number>> {
    return typeMismatch(flagKey, defaultValue);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return typeMismatch(flagKey, defaultValue);
  }

  /** `track(name, context, { value })` → client.track(targetingKey, name, value). */
  track(
    trackingEventName: string,
    context: EvaluationContext,
    trackingEventDetails: TrackingEventDetails,
  ): void {
    const unit = trackingUnit(context, this.#trackUnit);
    if (unit === undefined) return;
    this.client.track(unit, trackingEventName, trackingEventDetails?.value);
  }
}
