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
    environment: z.string().meta({ description: 'The environment the launch runs in.' }),
    retryOf: z
      .string()
      .nullable()
      .meta({ description: 'The rolled-back launch this one is a new attempt of, or null.' }),
  })
  // The id makes it one component of the OpenAPI document, referenced wherever it is used.
  .meta({ id: 'LaunchSummary', title: 'LaunchSummary' });

/** The JSON Schema key naming the component an object extends (the OpenAPI document turns it into allOf). */
export const EXTENDS_KEY = 'x-extends';

/** Schemas other objects extend, by their id (so the OpenAPI document can define them before any use). */
export const BASE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  LaunchSummary: launchSummarySchema,
};

/** A launch summary with more fields: the OpenAPI document says allOf LaunchSummary and the new fields, never its fields again. */
export function extendLaunchSummary<S extends z.ZodRawShape>(shape: S) {
  return launchSummarySchema.extend(shape).meta({ [EXTENDS_KEY]: 'LaunchSummary' });
}

/**
 * Largest value of an `integer` column (PostgreSQL int4; SQLite would take more,
 * so the edge refuses it for both): plan versions, launch seqs, limits.
 */
export const MAX_INT32 = 2_147_483_647;

/** Largest `bigint` id the API takes (audit seqs): what a JSON number holds exactly. */
export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

/** No U+0000: PostgreSQL text cannot hold it, so neither database is given one. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
export const NUL_FREE = /^[^\u0000]*$/;
const NUL_MESSAGE = 'must not contain NUL (U+0000)';

/** Any string without NUL, at most `max` characters (empty allowed). */
export const safeText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(NUL_FREE, { error: NUL_MESSAGE });

/** A path parameter naming a record (launch id, plan name, token id). */
export const pathName = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' })
  .regex(NUL_FREE, { error: NUL_MESSAGE });

/** An environment's name: lowercase letters, digits and dashes, starting with a letter. */
export const environmentName = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z][a-z0-9-]{0,62}$/, {
    error: 'must be lowercase letters, digits and dashes, starting with a letter (at most 63)',
  });

/** A positive integer in a path or query string, within an `integer` column. */
export const positiveIntText = z.coerce
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' })
  .max(MAX_INT32, { error: `must be at most ${MAX_INT32}` });

/** A positive integer in a JSON body, within an `integer` column. */
export const positiveInt = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' })
  .max(MAX_INT32, { error: `must be at most ${MAX_INT32}` });

/** A required, non-blank text field (trimmed), without NUL. */
export const requiredText = (max: number) =>
  z
    .string({ error: 'is required (a non-empty string)' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(NUL_FREE, { error: NUL_MESSAGE });
