/**
 * Input the databases cannot hold is refused at the HTTP edge with the same 4xx
 * on SQLite and PostgreSQL (THRESHOLD_TEST_DATABASE_URL), naming the field:
 * NUL bytes (PostgreSQL text cannot store U+0000) and integers past the column.
 * Event timestamps outside the documented window are refused per event.
 */
import { EVENT_TIME_WINDOW, WIRE_VERSION } from '@threshold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { Caller, ErrorBody, TestServer } from './support/test-server.js';

const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '') backends.push('postgres');
else console.warn('edge validation on PostgreSQL SKIPPED: set THRESHOLD_TEST_DATABASE_URL');

interface Case {
  name: string;
  caller: Caller;
  method: string;
  path: string;
  body?: unknown;
  /** The field the error must name (details.errors[0].path). */
  field: string;
}

const BIG = 2147483648; // 2^31: one past the largest `integer`

const CASES: Case[] = [
  {
    name: 'NUL launch id',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/launches/%00',
    field: 'path.id',
  },
  {
    name: 'NUL launch id (events)',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/launches/a%00b/events',
    field: 'path.id',
  },
  {
    name: 'NUL plan name',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/plans/%00/versions',
    field: 'path.name',
  },
  {
    name: 'version past int4',
    caller: 'viewer',
    method: 'GET',
    path: `/api/v1/plans/checkout-v2/versions/${BIG}`,
    field: 'path.version',
  },
  {
    name: 'after past int4',
    caller: 'viewer',
    method: 'GET',
    path: `/api/v1/launches/x/events?after=${BIG}`,
    field: 'query.after',
  },
  {
    name: 'looks after past int4',
    caller: 'viewer',
    method: 'GET',
    path: `/api/v1/launches/x/looks?after=${BIG}`,
    field: 'query.after',
  },
  {
    name: 'audit after past a safe integer',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/audit?after=1e300',
    field: 'query.after',
  },
  {
    name: 'NUL audit subject',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/audit?subject=%00',
    field: 'query.subject',
  },
  {
    name: 'NUL audit action',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/audit?action=a%00',
    field: 'query.action',
  },
  {
    name: 'NUL status filter',
    caller: 'viewer',
    method: 'GET',
    path: '/api/v1/launches?status=running%00',
    field: 'query.status',
  },
  {
    name: 'NUL token name',
    caller: 'admin',
    method: 'POST',
    path: '/api/v1/tokens',
    body: { name: 'ci\u0000bot', scopes: ['viewer'] },
    field: 'body.name',
  },
  {
    name: 'NUL token id',
    caller: 'admin',
    method: 'DELETE',
    path: '/api/v1/tokens/%00',
    field: 'path.id',
  },
  {
    name: 'launch version past int4',
    caller: 'operator',
    method: 'POST',
    path: '/api/v1/launches',
    body: { plan: 'checkout-v2', version: BIG },
    field: 'body.version',
  },
  {
    name: 'NUL launch plan name',
    caller: 'operator',
    method: 'POST',
    path: '/api/v1/launches',
    body: { plan: 'checkout\u0000' },
    field: 'body.plan',
  },
  {
    name: 'NUL reason',
    caller: 'operator',
    method: 'POST',
    path: '/api/v1/launches/x/pause',
    body: { reason: 'why\u0000' },
    field: 'body.reason',
  },
  {
    name: 'NUL approval comment',
    caller: 'approver:product',
    method: 'POST',
    path: '/api/v1/launches/x/approvals',
    body: { role: 'product', decision: 'approve', comment: '\u0000' },
    field: 'body.comment',
  },
  {
    name: 'NUL approval phase',
    caller: 'approver:product',
    method: 'POST',
    path: '/api/v1/launches/x/approvals',
    body: { role: 'product', decision: 'approve', phase: 'a\u0000' },
    field: 'body.phase',
  },
  {
    name: 'rehearsal plan version past int4',
    caller: 'viewer',
    method: 'POST',
    path: '/api/v1/rehearsals',
    body: { plan: { name: 'checkout-v2', version: BIG } },
    field: 'body.plan.version',
  },
  {
    name: 'NUL rehearsal plan name',
    caller: 'viewer',
    method: 'POST',
    path: '/api/v1/rehearsals',
    body: { plan: { name: '\u0000' } },
    field: 'body.plan.name',
  },
];

describe.each(backends)('edge validation on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ postgres: backend === 'postgres' });
    expect(
      (
        await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
          'content-type': 'application/yaml',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(CASES)('$name: 400 naming $field', async (c) => {
    const { status, body } = await t.json<ErrorBody>(c.caller, c.method, c.path, c.body);
    expect({ status, code: body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    const errors = body.error.details.errors as { path: string }[];
    expect(errors[0]?.path).toBe(c.field);
    expect(body.error.message.startsWith(`${c.field}: `)).toBe(true);
  });

  it('refuses a plan whose source holds a NUL byte, with its line and column', async () => {
    const source = SIMPLE_PLAN.replace('owner: web-checkout', 'owner: web\u0000checkout');
    const { status, body } = await t.json<ErrorBody>('operator', 'POST', '/api/v1/plans', source, {
      'content-type': 'application/yaml',
    });
    expect({ status, code: body.error.code }).toEqual({ status: 422, code: 'PLAN_INVALID' });
    expect(body.error.details.errors).toEqual([
      { path: '', line: 2, column: 11, message: expect.stringContaining('NUL') },
    ]);
  });

  const batch = (events: unknown[]) => ({
    wireVersion: WIRE_VERSION,
    sdk: { name: 'test', version: '1' },
    sentAt: Date.now(),
    events,
  });

  it('refuses events whose strings hold NUL, naming each', async () => {
    const now = Date.now();
    const { status, body } = await t.json<ErrorBody>(
      'sdk',
      'POST',
      '/v1/events',
      batch([
        { type: 'track', unit: 'u1', event: 'ok', ts: now },
        { type: 'track', unit: 'u\u0000', event: 'click', ts: now },
        { type: 'exposure', flag: 'f', launch: 'l\u0000', unit: 'u', arm: 'control', ts: now },
      ]),
    );
    expect({ status, code: body.error.code }).toEqual({ status: 400, code: 'BATCH_INVALID' });
    const errors = body.error.details.errors as { index: number; path: string }[];
    expect(errors.map((e) => [e.index, e.path])).toEqual([
      [1, 'events.1.unit'],
      [2, 'events.2.launch'],
    ]);
  });

  it('refuses event timestamps outside the window, with a reason per event', async () => {
    const now = Date.now();
    const { status, body } = await t.json<ErrorBody>(
      'sdk',
      'POST',
      '/v1/events',
      batch([
        { type: 'track', unit: 'u', event: 'click', ts: 0 },
        { type: 'track', unit: 'u', event: 'click', ts: now },
        { type: 'track', unit: 'u', event: 'click', ts: Date.UTC(3000, 0, 1) },
        { type: 'track', unit: 'u', event: 'click', ts: now - EVENT_TIME_WINDOW.maxAgeMs + 60_000 },
        {
          type: 'track',
          unit: 'u',
          event: 'click',
          ts: now + EVENT_TIME_WINDOW.maxAheadMs - 60_000,
        },
      ]),
    );
    expect({ status, code: body.error.code }).toEqual({ status: 400, code: 'BATCH_INVALID' });
    const errors = body.error.details.errors as { index: number; path: string; reason: string }[];
    expect(errors.map((e) => [e.index, e.path])).toEqual([
      [0, 'events.0.ts'],
      [2, 'events.2.ts'],
    ]);
    expect(errors[0]?.reason).toMatch(/older than/);
    expect(errors[1]?.reason).toMatch(/ahead of/);
    // Inside the window (both edges, a minute in): stored.
    const ok = await t.json(
      'sdk',
      'POST',
      '/v1/events',
      batch([
        { type: 'track', unit: 'u', event: 'click', ts: now - EVENT_TIME_WINDOW.maxAgeMs + 60_000 },
        {
          type: 'track',
          unit: 'u',
          event: 'click',
          ts: now + EVENT_TIME_WINDOW.maxAheadMs - 60_000,
        },
      ]),
    );
    expect(ok.status).toBe(202);
  });
});
