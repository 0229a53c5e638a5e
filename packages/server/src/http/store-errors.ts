/** Maps the store's deliberate errors to API errors; anything else stays a 500. */
import { StoreConflictError, StoreInputError, StoreNotFoundError } from '../store/index.js';
import { HttpError } from './http-error.js';

/** The API error for a store error, or undefined when `err` is not one. */
export function storeErrorToHttp(err: unknown): HttpError | undefined {
  if (err instanceof StoreConflictError) {
    return new HttpError(
      'CONFLICT',
      'a concurrent change won; read the resource again and retry',
      err.actualSeq === undefined ? {} : { expectedSeq: err.expectedSeq, actualSeq: err.actualSeq },
    );
  }
  if (err instanceof StoreNotFoundError) {
    return new HttpError('NOT_FOUND', err.message, { field: err.field });
  }
  if (err instanceof StoreInputError) {
    return new HttpError('VALIDATION_FAILED', err.message, {
      errors: [{ path: err.field, message: err.message }],
    });
  }
  return undefined;
}
