/**
 * Plan text from a request checked through the app's PlanValidator (a worker
 * thread in a server), with one answer for every route that takes one: the plan
 * routes' body and the rehearsal route's inline `planSource`.
 */
import { MAX_REPORTED_ERRORS } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import { ValidatorBusyError } from '../workers/thread-plan-validator.js';

const planErrorSchema = z.object({
  path: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});

/** The documented 422 of a route that validates plan text. */
export const PLAN_INVALID_RESPONSE = {
  description: `PLAN_INVALID: details.errors lists the first ${MAX_REPORTED_ERRORS} problems in source order as { path, line, column, message }; details.omittedErrors counts the rest.`,
  schema: z.object({
    error: z.object({
      code: z.literal('PLAN_INVALID'),
      message: z.string(),
      details: z.object({
        errors: z.array(planErrorSchema).max(MAX_REPORTED_ERRORS),
        omittedErrors: z.number().int().min(0),
      }),
      requestId: z.string(),
    }),
  }),
};

/**
 * The plan `source` holds, parsed off the event loop: 422 PLAN_INVALID with the
 * first problems and a count of the rest, 429 RATE_LIMITED when the validator's
 * queue is full.
 */
export async function validatePlanSource(
  ctx: RouteContext,
  source: string,
  file: string,
): Promise<Plan> {
  let result;
  try {
    result = await ctx.planValidator.validate(source, file);
  } catch (e) {
    if (e instanceof ValidatorBusyError) {
      throw new HttpError(
        'RATE_LIMITED',
        `${e.pending} plan validations are in progress; retry in a second`,
        { pending: e.pending },
        { 'retry-after': '1' },
      );
    }
    // The worker died on this input (its heap cap): the plan is too heavy to check.
    const message = `the plan could not be validated: ${e instanceof Error ? e.message : String(e)}`;
    throw new HttpError('PLAN_INVALID', message, {
      errors: [{ path: '', line: 1, column: 1, message }],
      omittedErrors: 0,
    });
  }
  if (result.valid) return result.plan;
  const errors = result.errors.map((e) => ({
    path: e.path,
    line: e.line,
    column: e.col,
    message: e.message,
  }));
  const first = errors[0];
  const where =
    first === undefined
      ? ''
      : `line ${first.line}, column ${first.column}: ${first.path === '' ? '' : `${first.path}: `}`;
  const total = errors.length + result.omittedErrors;
  throw new HttpError(
    'PLAN_INVALID',
    `the plan has ${total} problem${total === 1 ? '' : 's'}; first: ${where}${first?.message ?? ''}`,
    { errors, omittedErrors: result.omittedErrors },
  );
}
