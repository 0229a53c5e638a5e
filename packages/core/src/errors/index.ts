/** The API error registry: codes, statuses, and the one error body shape. */
export * from './error-codes.js';
