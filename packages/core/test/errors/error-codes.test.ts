import { describe, expect, it } from 'vitest';
import { ERROR_CODES, apiError, apiErrorBody, isErrorCode } from '@threshold/core';
import type { ErrorCode } from '@threshold/core';

describe('error registry', () => {
  it('every code is SCREAMING_SNAKE_CASE with a 4xx/5xx status and a sentence', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(info.description.length).toBeGreaterThan(20);
    }
  });

  it('pins the statuses clients rely on', () => {
    const pinned: Partial<Record<ErrorCode, number>> = {
      VALIDATION_FAILED: 400,
      BATCH_INVALID: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      SELF_APPROVAL: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      INVALID_TRANSITION: 409,
      LAUNCH_NOT_READY: 409,
      PAYLOAD_TOO_LARGE: 413,
      PLAN_INVALID: 422,
      RATE_LIMITED: 429,
      INTERNAL: 500,
    };
    for (const [code, status] of Object.entries(pinned)) {
      expect(ERROR_CODES[code as ErrorCode].status, code).toBe(status);
    }
  });

  it('apiError takes the status from the registry and defaults details to {}', () => {
    expect(apiError('PLAN_INVALID', 'bad plan')).toEqual({
      code: 'PLAN_INVALID',
      status: 422,
      message: 'bad plan',
      details: {},
    });
    expect(apiError('FORBIDDEN', 'needs operator', { required: 'operator' }).details).toEqual({
      required: 'operator',
    });
  });

  it('apiErrorBody is the one wire shape', () => {
    const body = apiErrorBody(apiError('NOT_FOUND', 'no launch x'), 'req-1');
    expect(body).toEqual({
      error: { code: 'NOT_FOUND', message: 'no launch x', details: {}, requestId: 'req-1' },
    });
    expect(Object.keys(body.error)).toEqual(['code', 'message', 'details', 'requestId']);
  });

  it('isErrorCode accepts registered codes only (not inherited keys)', () => {
    expect(isErrorCode('NOT_FOUND')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('nope')).toBe(false);
    expect(isErrorCode(404)).toBe(false);
  });
});
