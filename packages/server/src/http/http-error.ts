import { apiError } from '@threshold/core';
import type { ApiErrorValue, ErrorCode } from '@threshold/core';

/** Thrown anywhere in a request; the app's error handler renders it as the one error body. */
export class HttpError extends Error {
  readonly value: ApiErrorValue;
  /** Extra response headers (Retry-After, Allow). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.value = apiError(code, message, details);
    this.headers = headers;
  }
}

/** 404 for a named thing, e.g. notFound('launch', 'x'). */
export function notFound(what: string, id: string): HttpError {
  return new HttpError('NOT_FOUND', `no ${what} '${id}'`, { [what]: id });
}
