import type { EvaluationContext, JsonValue, ResolutionDetails } from '@openfeature/core';
import type { Provider, TrackingEventDetails } from '@openfeature/web-sdk';
import type { ThresholdClient } from '../threshold-client.js';
import { bindClientEvents } from './bind-client-events.js';
import { ProviderEvents } from './provider-event-emitter.js';
import { resolveBoolean, trackingUnit, typeMismatch } from './resolve-boolean.js';
import { providerClient } from './threshold-provider.js';
import type { ThresholdProviderOptions } from './threshold-provider.js';

/**
 * OpenFeature provider for browsers (`@openfeature/web-sdk`): synchronous resolves
 * against the context set with `OpenFeature.setContext`. Evaluation is local, so a
 * context change needs no reconciliation (no `onContextChange`).
 */
export class ThresholdWebProvider implements Provider {
  /** Provider metadata. */
  readonly metadata = { name: 'threshold-web' } as const;
  /** Client (browser) paradigm. */
  readonly runsOn = 'client' as const;
  /** Provider events (READY, STALE, ERROR, CONFIGURATION_CHANGED). */
  readonly events = new ProviderEvents();
  /** The underlying client (for diagnostics: status, counters). */
  readonly client: ThresholdClient;
  readonly #owned: boolean;
  readonly #unbind: () => void;
  readonly #trackUnit: string;
  #initialized = false;

  constructor(options: ThresholdProviderOptions) {
    const { client, owned } = providerClient(options, '@threshold/sdk/openfeature-web');
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

  /** Boolean flags: the launch decides, synchronously. */
  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): ResolutionDetails<boolean> {
    return resolveBoolean(this.client, flagKey, defaultValue, context);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return typeMismatch(flagKey, defaultValue);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return typeMismatch(flagKey, defaultValue);
  }

  /** Not a Threshold type: default with TYPE_MISMATCH. */
  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
  ): ResolutionDetails<T> {
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
