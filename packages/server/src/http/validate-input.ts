import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** One invalid field: where (`body.reason`, `query.limit`) and what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Validates a body, query or path value with a zod schema; on failure a 400
 * VALIDATION_FAILED whose message names the first field and whose details list all.
 */
export function validateInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    // zod says "expected string, received undefined" for a missing field; say it plainly.
    message:
      issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? 'is required'
        : issue.message,
  }));
  const first = errors[0] ?? { path: where, message: 'invalid' };
  throw new HttpError('VALIDATION_FAILED', `${first.path}: ${first.message}`, { errors });
}
