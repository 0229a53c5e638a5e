import type { EvaluationContext, JsonValue, ResolutionDetails } from '@openfeature/core';
import type { Provider } from '@openfeature/server-sdk';
import { ProviderBase } from './provider-base.js';
import type { ThresholdProviderOptions } from './provider-base.js';
import { resolveBoolean, typeMismatch } from './resolve-boolean.js';

export type { ThresholdProviderOptions } from './provider-base.js';

/**
 * OpenFeature provider for servers (`@openfeature/server-sdk`). Evaluates locally
 * through a ThresholdClient; launches are boolean, so string/number/object flags
 * resolve to the default with TYPE_MISMATCH.
 */
export class ThresholdProvider extends ProviderBase implements Provider {
  /** Provider metadata. */
  readonly metadata = { name: 'threshold' } as const;
  /** Server paradigm. */
  readonly runsOn = 'server' as const;
  constructor(options: ThresholdProviderOptions) {
    super(options, '@threshold/sdk/openfeature-server');
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
}
