import type { EvaluationContext, TrackingEventDetails } from '@openfeature/core';
import { createClient } from '../create-client.js';
import type { ClientOptions, ThresholdClient } from '../threshold-client.js';
import { bindClientEvents } from './bind-client-events.js';
import { ProviderEvents } from './provider-event-emitter.js';
import { trackingUnit } from './resolve-boolean.js';

/** Options of the OpenFeature providers: client options, or an existing client. */
export type ThresholdProviderOptions = (ClientOptions | { client: ThresholdClient }) & {
  /** Attribute used as the unit by `track` when the context has no `targetingKey` (default `userId`). */
  trackUnitAttribute?: string;
};

/**
 * What the server and web providers share: the client they wrap (created or
 * adopted), its events mapped to provider events, readiness, close and track.
 * Subclasses add the paradigm and the (sync or async) resolvers.
 */
export abstract class ProviderBase {
  /** Provider events (READY, STALE, ERROR, CONFIGURATION_CHANGED). */
  readonly events = new ProviderEvents();
  /** The underlying client (for diagnostics: status, counters). */
  readonly client: ThresholdClient;
  readonly #owned: boolean;
  readonly #unbind: () => void;
  readonly #trackUnit: string;
  #initialized = false;

  protected constructor(options: ThresholdProviderOptions, sdkName: string) {
    if ('client' in options) {
      this.client = options.client;
      this.#owned = false;
    } else {
      this.client = createClient({ sdkName, ...options });
      this.#owned = true;
    }
    this.#trackUnit = options.trackUnitAttribute ?? 'userId';
    this.#unbind = bindClientEvents(this.client, this.events, () => this.#initialized);
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
