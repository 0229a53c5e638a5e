/**
 * Why an evaluation returned what it did. The SDK's `evaluate()` reports one of
 * these; the OpenFeature providers map them to OpenFeature's standard reasons.
 */
export const EVALUATION_REASONS = {
  /** The unit was bucketed: `arm` says treatment, control or excluded (holdout). */
  SPLIT: 'SPLIT',
  /** The context does not match the launch's audience: off. */
  AUDIENCE_MISS: 'AUDIENCE_MISS',
  /** The launch was rolled back: everyone off. */
  ROLLED_BACK: 'ROLLED_BACK',
  /** The launch completed: everyone in the audience on. */
  COMPLETED: 'COMPLETED',
  /** No flag with this key in the loaded config: the caller's default. */
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  /** The context lacks the launch's unit attribute (or it is not a string/number): the caller's default. */
  MISSING_UNIT: 'MISSING_UNIT',
  /** No config has been loaded yet: the caller's default. */
  NOT_READY: 'NOT_READY',
  /** Evaluation failed unexpectedly (never thrown): the caller's default. */
  ERROR: 'ERROR',
} as const;

/** One of {@link EVALUATION_REASONS}. */
export type EvaluationReason = (typeof EVALUATION_REASONS)[keyof typeof EVALUATION_REASONS];
