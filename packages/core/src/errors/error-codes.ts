/**
 * The one registry of API error codes. The server answers every failure with one
 * of these (`{ "error": { code, message, details, requestId } }`), docs/api.md's
 * table is checked against it, and clients may branch on `code` (never on text).
 */

/** HTTP status and meaning of one error code. */
export interface ErrorCodeInfo {
  /** HTTP status the server answers with. */
  status: number;
  /** One sentence: when this code is used. */
  description: string;
}

/** Every error code the API answers with, with its HTTP status. Codes never change meaning. */
export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    description:
      'A field of the body, query or path is missing or invalid; details.errors lists each field with its path.',
  },
  MALFORMED_BODY: {
    status: 400,
    description: 'The body is not valid JSON (or not valid UTF-8 text).',
  },
  BATCH_INVALID: {
    status: 400,
    description:
      'An event batch failed validation and was rejected whole; details.errors lists each bad event with index, path and reason.',
  },
  UNAUTHENTICATED: {
    status: 401,
    description: 'No bearer token, or the token is unknown or revoked.',
  },
  FORBIDDEN: {
    status: 403,
    description:
      'The token is valid but lacks the scope the route needs; details.required names it.',
  },
  CSRF_FAILED: {
    status: 403,
    description:
      'A state-changing request signed in with the session cookie lacks the X-CSRF-Token header of that session, or sends another.',
  },
  SELF_APPROVAL: {
    status: 403,
    description:
      'The plan forbids self-approval and the caller (the person, whichever token or session they use) created the launch or uploaded its plan version.',
  },
  SIGN_IN_FAILED: {
    status: 400,
    description:
      'An OpenID Connect sign-in could not be finished (unknown or expired attempt, or the provider refused); start it again.',
  },
  SIGN_IN_NOT_CONFIGURED: {
    status: 404,
    description:
      'This server has no OpenID Connect provider configured; sign in with an API token.',
  },
  NOT_FOUND: {
    status: 404,
    description: 'No such route, or no such plan, version, launch or token.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    description: 'The route exists but not with this method; the Allow header lists the methods.',
  },
  CONFLICT: {
    status: 409,
    description: 'A concurrent change won; read the resource again and retry.',
  },
  INVALID_TRANSITION: {
    status: 409,
    description:
      "The action is not possible in the launch's current status (e.g. resume a running launch).",
  },
  NOTHING_PENDING: {
    status: 409,
    description:
      "Nothing waits for this role's answer: no sign-off or ask of the launch names the role and phase now, so the answer would count for nothing; details.awaiting lists what does wait.",
  },
  LAUNCH_NOT_READY: {
    status: 409,
    description:
      'Blocking readiness checks are not attested, or their attestation expired; details.blocking lists each with the reason. The check owner attests it (POST /api/v1/plans/{name}/readiness); an automated check (probe, query, ci) names what it saw.',
  },
  LAUNCH_BLOCKED: {
    status: 409,
    description:
      'A promote, skip or advance is refused: a required sign-off, a blocking breach, a hold, an unanswered ask, a freeze window or the allowed hours stand in the way; details.blocking names each.',
  },
  PROMOTION_REQUIRED: {
    status: 409,
    description:
      "The environment's promotion policy is not met: the plan version has not completed (or baked long enough) in the environment before it; details.missing names what is missing. Nothing was stored.",
  },
  UNKNOWN_ENVIRONMENT: {
    status: 422,
    description: 'The environment is not one this server defines; details.environments lists them.',
  },
  GATE_CLOSED: {
    status: 409,
    description:
      "A tool's gate on a launch (a Flagger webhook) is closed: the launch is not where the gate needs it; the message says why.",
  },
  LAUNCH_ACTIVE: {
    status: 409,
    description:
      'Another launch of the same flag (or of the same service at the same router) is running or paused; finish or roll it back first.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    description:
      'The body is larger than the route accepts; details.limitBytes says how large it may be.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'The Content-Type is not one the route accepts; details.accepted lists them.',
  },
  PLAN_INVALID: {
    status: 422,
    description:
      'The plan does not parse or validate; details.errors lists the first 100 problems with path, line and column, details.omittedErrors counts the rest.',
  },
  UNKNOWN_ROLE: {
    status: 422,
    description: "The sign-off role is not in the plan's sign-off policy.",
  },
  UNKNOWN_PHASE: {
    status: 422,
    description: 'The phase is not one of the plan’s phases.',
  },
  RATE_LIMITED: {
    status: 429,
    description:
      'Too much at once: events for this token or plan validations waiting (retry after the Retry-After header’s seconds), or rehearsals (retry when one has ended).',
  },
  INTERNAL: {
    status: 500,
    description: 'An unexpected server error; the requestId identifies it in the server log.',
  },
  NOT_READY: {
    status: 503,
    description: 'The store is unreachable or its migrations are not all applied.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** One of the registered error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error as the API reports it, before the request id is attached. */
export interface ApiErrorValue {
  code: ErrorCode;
  /** HTTP status, from the registry. */
  status: number;
  /** One human-readable sentence naming the field or thing at fault. */
  message: string;
  /** Structured facts (field errors, limits, required scope); `{}` when there are none. */
  details: Record<string, unknown>;
}

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: Record<string, unknown>;
    /** Same as the `x-request-id` response header; quote it when reporting a problem. */
    requestId: string;
  };
}

/** True when `code` is a registered error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** Builds an error value with the registry's status for `code`. */
export function apiError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ApiErrorValue {
  return { code, status: ERROR_CODES[code].status, message, details };
}

/** The response body for an error value and the request's id. */
export function apiErrorBody(error: ApiErrorValue, requestId: string): ApiErrorBody {
  return {
    error: { code: error.code, message: error.message, details: error.details, requestId },
  };
}
