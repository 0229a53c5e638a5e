/**
 * Errors a store raises on purpose. Each carries a stable `code` so the HTTP layer
 * can map it to a status (conflict 409, not-found 404, invalid-input 400) without
 * parsing messages; anything else escaping a store is a bug or an outage (500/503).
 */

/** Base class of every deliberate store error. */
export class StoreError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/**
 * Optimistic concurrency lost, or a unique key is taken: the caller's view is
 * stale. Retry after re-reading (HTTP 409).
 */
export class StoreConflictError extends StoreError {
  /** For launch appends: the seq the caller expected and the seq actually found. */
  readonly expectedSeq: number | undefined;
  readonly actualSeq: number | undefined;
  constructor(message: string, detail: { expectedSeq?: number; actualSeq?: number } = {}) {
    super('conflict', message);
    this.name = 'StoreConflictError';
    this.expectedSeq = detail.expectedSeq;
    this.actualSeq = detail.actualSeq;
  }
}

/**
 * A launch of this flag is already running or paused (the database's partial
 * unique index on live launches refused a second one). HTTP 409 LAUNCH_ACTIVE.
 */
export class StoreActiveLaunchError extends StoreConflictError {
  readonly flag: string;
  constructor(flag: string) {
    super(`a launch of flag ${flag} is already running or paused`);
    this.name = 'StoreActiveLaunchError';
    this.flag = flag;
  }
}

/**
 * A running or paused launch already moves this service at this router (the
 * partial unique index on live launches' router claims refused a second one).
 * HTTP 409 LAUNCH_ACTIVE.
 */
export class StoreRouterInUseError extends StoreConflictError {
  readonly router: string;
  readonly service: string;
  constructor(router: string, service: string) {
    super(`a running or paused launch already moves ${service} at router ${router}`);
    this.name = 'StoreRouterInUseError';
    this.router = router;
    this.service = service;
  }
}

/** A referenced row does not exist (HTTP 404, or 400 when it was named in a body). */
export class StoreNotFoundError extends StoreError {
  /** The input field that named the missing thing, e.g. 'launchId'. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('not-found', message);
    this.name = 'StoreNotFoundError';
    this.field = field;
  }
}

/** Input a store cannot accept; `field` names the offending field (HTTP 400). */
export class StoreInputError extends StoreError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('invalid-input', `${field}: ${message}`);
    this.name = 'StoreInputError';
    this.field = field;
  }
}
