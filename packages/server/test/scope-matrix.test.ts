/**
 * Every route × every caller: allowed callers never get 401/403, denied ones
 * always do (401 without a token, 403 naming the scope otherwise). The table must
 * list exactly the routes the app registers, so a new route cannot skip it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLERS, TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { Caller, ErrorBody, TestServer } from './support/test-server.js';
import { SIGNOFF_PLAN, SIMPLE_PLAN } from './support/plans.js';

const ALL: Caller[] = Object.keys(CALLERS) as Caller[];
const VIEWERS: Caller[] = ['viewer', 'operator', 'approver:product', 'approver:other', 'admin'];
const OPERATORS: Caller[] = ['operator', 'admin'];
const ADMIN: Caller[] = ['admin'];
const SDK: Caller[] = ['sdk', 'admin'];

interface Case {
  allowed: Caller[];
  /** Request body (JSON unless a string with contentType). */
  body?: (ids: Ids) => unknown;
  contentType?: string;
  /** Concrete path for parameterized routes. */
  path?: (ids: Ids) => string;
}

interface Ids {
  launch: string;
  signoffLaunch: string;
}

const batch = {
  wireVersion: 1,
  sdk: { name: 'matrix', version: '1' },
  sentAt: 1,
  events: [{ type: 'track', unit: 'u1', event: 'purchase', ts: 1 }],
};

/** The expected access of every route, keyed "METHOD /path". */
const MATRIX: Record<string, Case> = {
  'GET /healthz': { allowed: ALL },
  'GET /readyz': { allowed: ALL },
  'GET /api/v1/openapi.json': { allowed: ALL },
  'GET /metrics': { allowed: VIEWERS },
  'POST /api/v1/plans/validate': {
    allowed: VIEWERS,
    body: () => SIMPLE_PLAN,
    contentType: 'application/yaml',
  },
  'POST /api/v1/plans': {
    allowed: OPERATORS,
    body: () => SIMPLE_PLAN,
    contentType: 'application/yaml',
  },
  'GET /api/v1/plans': { allowed: VIEWERS },
  'GET /api/v1/plans/:name/versions': {
    allowed: VIEWERS,
    path: () => '/api/v1/plans/checkout-v2/versions',
  },
  'GET /api/v1/plans/:name/versions/:version': {
    allowed: VIEWERS,
    path: () => '/api/v1/plans/checkout-v2/versions/1',
  },
  'POST /api/v1/launches': { allowed: OPERATORS, body: () => ({ plan: 'nope' }) },
  'GET /api/v1/launches': { allowed: VIEWERS },
  'GET /api/v1/launches/:id': { allowed: VIEWERS, path: (ids) => `/api/v1/launches/${ids.launch}` },
  'GET /api/v1/launches/:id/events': {
    allowed: VIEWERS,
    path: (ids) => `/api/v1/launches/${ids.launch}/events`,
  },
  'GET /api/v1/launches/:id/looks': {
    allowed: VIEWERS,
    path: (ids) => `/api/v1/launches/${ids.launch}/looks`,
  },
  'GET /api/v1/launches/:id/report': {
    allowed: VIEWERS,
    path: (ids) => `/api/v1/launches/${ids.launch}/report`,
  },
  'GET /api/v1/launches/:id/report/markdown': {
    allowed: VIEWERS,
    path: (ids) => `/api/v1/launches/${ids.launch}/report/markdown`,
  },
  'GET /api/v1/launches/:id/report/html': {
    allowed: VIEWERS,
    path: (ids) => `/api/v1/launches/${ids.launch}/report/html`,
  },
  'POST /api/v1/launches/:id/review': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/review`,
    body: () => ({ outcome: 'matrix' }),
  },
  'GET /api/v1/portfolio': { allowed: VIEWERS },
  'GET /api/v1/plans/:name/rehearsals': {
    allowed: VIEWERS,
    path: () => '/api/v1/plans/checkout-v2/rehearsals',
  },
  'GET /api/v1/plans/:name/history': {
    allowed: VIEWERS,
    path: () => '/api/v1/plans/checkout-v2/history',
  },
  'POST /api/v1/launches/:id/pause': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/pause`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/resume': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/resume`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/rollback': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/rollback`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/promote': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/promote`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/skip': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/skip`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/amend': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/amend`,
    body: () => ({ version: 99, reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/retry': {
    allowed: OPERATORS,
    path: (ids) => `/api/v1/launches/${ids.launch}/retry`,
    body: () => ({ reason: 'matrix' }),
  },
  'POST /api/v1/launches/:id/approvals': {
    allowed: ['approver:product'],
    path: (ids) => `/api/v1/launches/${ids.signoffLaunch}/approvals`,
    body: () => ({ role: 'product', decision: 'approve', comment: 'ok' }),
  },
  'GET /api/v1/environments': { allowed: VIEWERS },
  'GET /api/v1/audit': { allowed: VIEWERS },
  'GET /api/v1/audit/verify': { allowed: VIEWERS },
  'POST /api/v1/tokens': { allowed: ADMIN, body: () => ({ name: 'made', scopes: ['viewer'] }) },
  'GET /api/v1/tokens': { allowed: ADMIN },
  'DELETE /api/v1/tokens/:id': { allowed: ADMIN, path: () => '/api/v1/tokens/no-such-token' },
  'GET /api/v1/plans/:name/readiness': {
    allowed: VIEWERS,
    path: () => '/api/v1/plans/checkout-v2/readiness',
  },
  'POST /api/v1/plans/:name/readiness': {
    allowed: ['approver:product', 'approver:other'],
    path: () => '/api/v1/plans/checkout-v2/readiness',
    body: () => ({ check: 'No such check', note: 'matrix' }),
  },
  'POST /api/v1/plans/:name/readiness/results': {
    allowed: ['approver:product', 'approver:other'],
    path: () => '/api/v1/plans/checkout-v2/readiness/results',
    body: () => ({ check: 'No such check', passed: true }),
  },
  // Sign-in routes are public (a server without a provider answers SIGN_IN_NOT_CONFIGURED);
  // logout needs a caller, which it finds itself.
  'GET /api/v1/auth': { allowed: ALL },
  'GET /auth/login': { allowed: ALL },
  'GET /auth/callback': { allowed: ALL },
  'POST /auth/logout': { allowed: ALL.filter((c) => c !== 'none') },
  'POST /auth/device': { allowed: ALL },
  'POST /auth/device/token': { allowed: ALL, body: () => ({ deviceCode: 'matrix' }) },
  'GET /api/v1/stream': { allowed: VIEWERS },
  'GET /api/v1/whoami': { allowed: VIEWERS },
  'GET /api/v1/dashboard/launches': { allowed: VIEWERS },
  'POST /api/v1/rehearsals': {
    allowed: VIEWERS,
    body: () => ({ plan: { name: 'checkout-v2' }, profile: { unitsPerMinute: 100 }, runs: 5 }),
  },
  'GET /v1/config': { allowed: SDK },
  'GET /v1/stream': { allowed: SDK },
  'POST /v1/events': { allowed: SDK, body: () => batch },
  'GET /api/v1/integrations/argo-rollouts/verdict': {
    allowed: VIEWERS,
    path: () => '/api/v1/integrations/argo-rollouts/verdict?plan=checkout-v2',
  },
  // Flagger cannot send headers: its token may come in the body, but the header works too.
  'POST /api/v1/integrations/flagger/:gate': {
    allowed: VIEWERS,
    path: () => '/api/v1/integrations/flagger/confirm-rollout',
    body: () => ({ name: 'checkout-v2', namespace: 'shop', phase: 'Progressing' }),
  },
};

async function setUp(t: TestServer): Promise<Ids> {
  for (const plan of [SIMPLE_PLAN, SIGNOFF_PLAN]) {
    const r = await t.call('operator', 'POST', '/api/v1/plans', plan, {
      'content-type': 'application/yaml',
    });
    expect(r.status).toBe(201);
  }
  const a = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
    plan: 'checkout-v2',
  });
  const b = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
    plan: 'search-ranking',
  });
  expect([a.status, b.status]).toEqual([201, 201]);
  return { launch: a.body.launch.id, signoffLaunch: b.body.launch.id };
}

function matrixSuite(name: string, postgres: boolean) {
  describe(name, () => {
    let t: TestServer;
    let ids: Ids;
    beforeAll(async () => {
      t = await startTestServer({ postgres });
      ids = await setUp(t);
    });
    afterAll(async () => t?.close());

    it('the table lists exactly the routes the app registers', () => {
      const registered = t.server.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`);
      expect([...new Set(registered)].sort()).toEqual(Object.keys(MATRIX).sort());
    });

    for (const [route, spec] of Object.entries(MATRIX)) {
      it(`${route}: ${spec.allowed.length === ALL.length ? 'everyone' : spec.allowed.join(', ')}`, async () => {
        const [method = 'GET', pattern = '/'] = route.split(' ');
        const path = spec.path?.(ids) ?? pattern;
        for (const caller of ALL) {
          const body = spec.body?.(ids);
          const headers: Record<string, string> =
            spec.contentType === undefined ? {} : { 'content-type': spec.contentType };
          const res = await t.call(caller, method, path, body, headers);
          const allowed = spec.allowed.includes(caller);
          const label = `${caller} ${route} → ${res.status}`;
          if (allowed) {
            expect([401, 403], label).not.toContain(res.status);
            expect(res.status, label).toBeLessThan(500);
            await res.body?.cancel();
          } else {
            const err = (await res.json()) as ErrorBody;
            if (caller === 'none') {
              expect(res.status, label).toBe(401);
              expect(err.error.code).toBe('UNAUTHENTICATED');
              expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
            } else {
              expect(res.status, label).toBe(403);
              expect(err.error.code).toBe('FORBIDDEN');
              expect(String(err.error.details.required), label).toMatch(
                /^(sdk|viewer|operator|admin|approver:.+)$/,
              );
            }
          }
        }
      });
    }
  });
}

matrixSuite('scope matrix (SQLite)', false);

if (TEST_DATABASE_URL === undefined) {
  console.warn('THRESHOLD_TEST_DATABASE_URL is not set: skipping the scope matrix on PostgreSQL');
}
describe.skipIf(TEST_DATABASE_URL === undefined)('on PostgreSQL', () => {
  matrixSuite('scope matrix (PostgreSQL)', true);
});
