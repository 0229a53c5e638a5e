import type { EvaluationContext, JsonValue, ResolutionDetails } from '@openfeature/core';
import type { Provider } from '@openfeature/web-sdk';
import { ProviderBase } from './provider-base.js';
import type { ThresholdProviderOptions } from './provider-base.js';
import { resolveBoolean, typeMismatch } from './resolve-boolean.js';

/**
 * OpenFeature provider for browsers (`@openfeature/web-sdk`): synchronous resolves
 * against the context set with `OpenFeature.setContext`. Evaluation is local, so a
 * context change needs no reconciliation (no `onContextChange`).
 */
export class ThresholdWebProvider extends ProviderBase implements Provider {
  /** Provider metadata. */
  readonly metadata = { name: 'threshold-web' } as const;
  /** Client (browser) paradigm. */
  readonly runsOn = 'client' as const;
  constructor(options: ThresholdProviderOptions) {
    super(options, '@threshold/sdk/openfeature-web');
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
}
