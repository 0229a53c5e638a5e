import { EVALUATION_REASONS } from '@threshold/core';
import type { ErrorCode, EvaluationContext, ResolutionDetails } from '@openfeature/core';
import type { ThresholdClient } from '../threshold-client.js';
import type { EvaluationDetail } from '../flag-evaluator.js';

/** OpenFeature event names (string values of its enums; no runtime import needed). */
export const OF_EVENTS = {
  ready: 'PROVIDER_READY',
  error: 'PROVIDER_ERROR',
  stale: 'PROVIDER_STALE',
  changed: 'PROVIDER_CONFIGURATION_CHANGED',
} as const;

const code = (c: `${ErrorCode}`): ErrorCode => c as ErrorCode;

/**
 * The evaluation context for Threshold: OpenFeature's `targetingKey` fills in the
 * launch's unit attribute (e.g. `userId`) when the context lacks it.
 */
export function toThresholdContext(
  client: ThresholdClient,
  flagKey: string,
  context: EvaluationContext | undefined,
): Readonly<Record<string, unknown>> {
  const ctx = context ?? {};
  const unit = client.unitAttribute(flagKey);
  if (unit !== undefined && ctx[unit] === undefined && typeof ctx.targetingKey === 'string') {
    return { ...ctx, [unit]: ctx.targetingKey };
  }
  return ctx;
}

/** Maps a Threshold evaluation to OpenFeature resolution details. */
export function toResolution(detail: EvaluationDetail): ResolutionDetails<boolean> {
  const flagMetadata: Record<string, string | number | boolean> = { reason: detail.reason };
  if (detail.launch !== undefined) flagMetadata.launch = detail.launch;
  if (detail.phase !== undefined) flagMetadata.phase = detail.phase;
  if (detail.bucket !== undefined) flagMetadata.bucket = detail.bucket;
  const value = detail.value;
  switch (detail.reason) {
    case EVALUATION_REASONS.SPLIT:
      return { value, variant: detail.arm, reason: 'SPLIT', flagMetadata };
    case EVALUATION_REASONS.AUDIENCE_MISS:
      return { value, variant: 'off', reason: 'TARGETING_MATCH', flagMetadata };
    case EVALUATION_REASONS.COMPLETED:
      return { value, variant: 'on', reason: 'TARGETING_MATCH', flagMetadata };
    case EVALUATION_REASONS.ROLLED_BACK:
      return { value, variant: 'off', reason: 'DISABLED', flagMetadata };
    case EVALUATION_REASONS.FLAG_NOT_FOUND:
      return error(value, 'FLAG_NOT_FOUND', `flag ${detail.flag} not found`, flagMetadata);
    case EVALUATION_REASONS.MISSING_UNIT:
      return error(
        value,
        'TARGETING_KEY_MISSING',
        `the context has neither the unit attribute nor a targetingKey`,
        flagMetadata,
      );
    case EVALUATION_REASONS.NOT_READY:
      return error(value, 'PROVIDER_NOT_READY', 'no Threshold config loaded yet', flagMetadata);
    default:
      return error(value, 'GENERAL', detail.errorMessage ?? 'evaluation failed', flagMetadata);
  }
}

function error(
  value: boolean,
  c: `${ErrorCode}`,
  errorMessage: string,
  flagMetadata: Record<string, string | number | boolean>,
): ResolutionDetails<boolean> {
  return { value, reason: 'ERROR', errorCode: code(c), errorMessage, flagMetadata };
}

/** Threshold launches are boolean: any other type resolves to the default with TYPE_MISMATCH. */
export function typeMismatch<T>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: 'ERROR',
    errorCode: code('TYPE_MISMATCH'),
    errorMessage: `Threshold flag ${flagKey} is boolean`,
  };
}

/** Resolves a boolean flag through the client (never throws). */
export function resolveBoolean(
  client: ThresholdClient,
  flagKey: string,
  defaultValue: boolean,
  context: EvaluationContext | undefined,
): ResolutionDetails<boolean> {
  try {
    return toResolution(
      client.evaluate(flagKey, toThresholdContext(client, flagKey, context), defaultValue),
    );
  } catch (err) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: code('GENERAL'),
      errorMessage: String(err),
    };
  }
}

/** The unit for `track`: `targetingKey`, else the named attribute (default `userId`). */
export function trackingUnit(
  context: EvaluationContext | undefined,
  unitAttribute: string,
): string | undefined {
  if (!context) return undefined;
  if (typeof context.targetingKey === 'string' && context.targetingKey !== '') {
    return context.targetingKey;
  }
  const raw = context[unitAttribute];
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
}
