/** zod schemas shared by several routes (and their OpenAPI components). */
import { ERROR_CODES } from '@threshold/core';
import type { ErrorCode } from '@threshold/core';
import { z } from 'zod';

/** The one error body. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      requestId: z.string(),
    }),
  })
  .meta({ title: 'Error', description: 'Every error answer has this shape.' });

/** A launch as lists show it. */
export const launchSummarySchema = z
  .object({
    id: z.string(),
    plan: z.string(),
    planVersion: z.number().int(),
    flag: z.string(),
    status: z.enum(['running', 'paused', 'rolled-back', 'completed']),
    phase: z.string(),
    phaseIndex: z.number().int(),
    phases: z.number().int(),
    share: z.number().meta({ description: 'Treatment share, 0..1.' }),
    phaseStartedAt: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    seq: z.number().int(),
  })
  .meta({ title: 'LaunchSummary' });

/** A positive integer in a path or query string. */
export const positiveIntText = z.coerce
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' });

/** A required, non-blank text field (trimmed). */
export const requiredText = (max: number) =>
  z
    .string({ error: 'is required (a non-empty string)' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });
