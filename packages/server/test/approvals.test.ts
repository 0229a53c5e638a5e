/** Sign-offs: only as the role the token holds, never by the launch's author when the plan forbids it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELF_APPROVAL_PLAN, SIGNOFF_PLAN, SIMPLE_PLAN } from './support/plans.js';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const yaml = { 'content-type': 'application/yaml' };
interface Signoff {
  phase: string;
  role: string;
  approvedBy: string[];
  rejectedBy: string[];
  missing: number;
}

describe('approvals API', () => {
  let t: TestServer;
  let launch: string;
  let lead: { token: string };
  let uploader: { token: string };
  let legal: { token: string };

  const approve = (
    who: Parameters<TestServer['json']>[0],
    id: string,
    body: Record<string, unknown>,
  ) =>
    t.json<ErrorBody & { signoffs: Signoff[] }>(who, 'POST', `/api/v1/launches/${id}/approvals`, {
      decision: 'approve',
      comment: 'looks good',
      ...body,
    });

  beforeAll(async () => {
    t = await startTestServer();
    lead = await t.token('lead', ['operator', 'approver:product']);
    uploader = await t.token('uploader', ['operator', 'approver:sre']);
    legal = await t.token('legal-bot', ['approver:legal']);
    // `uploader` uploads the plan; `operator` starts the launch.
    expect((await t.call(uploader, 'POST', '/api/v1/plans', SIGNOFF_PLAN, yaml)).status).toBe(201);
    const res = await t.json<{ launch: { id: string } }>('operator', 'POST', '/api/v1/launches', {
      plan: 'search-ranking',
    });
    launch = res.body.launch.id;
  });
  afterAll(async () => t?.close());

  it('approves as exactly the role the token holds and counts toward the quorum', async () => {
    const res = await approve('approver:product', launch, { role: 'product' });
    expect(res.status).toBe(201);
    expect(res.body.signoffs).toEqual([
      {
        phase: 'canary',
        role: 'product',
        quorum: 1,
        approvedBy: ['approver:product'],
        rejectedBy: [],
        missing: 0,
      },
    ]);
    const detail = await t.json<{
      pendingSignoffs: Signoff[];
      approvals: { actor: string; phase: string }[];
    }>('viewer', 'GET', `/api/v1/launches/${launch}`);
    expect(detail.body.pendingSignoffs).toEqual([]);
    expect(detail.body.approvals).toEqual([
      expect.objectContaining({
        actor: 'approver:product',
        phase: 'canary',
        role: 'product',
        planVersion: 1,
      }),
    ]);
    const audit = await t.json<{ entries: { action: string; actor: string; data: unknown }[] }>(
      'viewer',
      'GET',
      `/api/v1/audit?action=approval.recorded&subject=launch:${launch}`,
    );
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        actor: 'approver:product',
        data: { role: 'product', decision: 'approve', phase: 'canary', comment: 'looks good' },
      }),
    ]);
    const events = await t.json<{ events: { type: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch}/events`,
    );
    expect(events.body.events.map((e) => e.type)).toEqual([
      'created',
      'signoff-requested',
      'approval',
    ]);
  });

  it('refuses a role the token does not hold (403 naming the scope)', async () => {
    const other = await approve('approver:other', launch, { role: 'product' });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: { required: 'approver:product', granted: ['approver:other'] },
    });
    const wrong = await approve('approver:product', launch, { role: 'sre', phase: 'half' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.details.required).toBe('approver:sre');
    // Neither admin nor operator implies an approver role.
    expect((await approve('admin', launch, { role: 'product' })).status).toBe(403);
  });

  it('refuses self-approval by the launch creator and by the plan version uploader', async () => {
    const byUploader = await approve(uploader, launch, { role: 'sre', phase: 'half' });
    expect(byUploader.status).toBe(403);
    expect(byUploader.body.error).toMatchObject({
      code: 'SELF_APPROVAL',
      message: 'uploader uploaded plan version 1 and the plan does not allow self-approval',
    });
    // `lead` starts a launch of its own and tries to approve it.
    expect(
      (
        await t.call(
          'operator',
          'POST',
          '/api/v1/plans',
          SIMPLE_PLAN.replace(/checkout-v2/g, 'lead-plan').concat(
            'signoff:\n  roles: { product: 1 }\n',
          ),
          yaml,
        )
      ).status,
    ).toBe(201);
    const own = await t.json<{ launch: { id: string } }>(lead, 'POST', '/api/v1/launches', {
      plan: 'lead-plan',
    });
    expect(own.status).toBe(201);
    const self = await approve(lead, own.body.launch.id, { role: 'product' });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toBe(
      'lead started this launch and the plan does not allow self-approval',
    );
    // The refusal wrote nothing.
    const detail = await t.json<{ approvals: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${own.body.launch.id}`,
    );
    expect(detail.body.approvals).toEqual([]);
  });

  it('allows self-approval when the plan says so', async () => {
    expect((await t.call(lead, 'POST', '/api/v1/plans', SELF_APPROVAL_PLAN, yaml)).status).toBe(
      201,
    );
    const own = await t.json<{ launch: { id: string } }>(lead, 'POST', '/api/v1/launches', {
      plan: 'self-ok',
    });
    const res = await approve(lead, own.body.launch.id, { role: 'product' });
    expect(res.status).toBe(201);
  });

  it('a role outside the plan policy is 422 UNKNOWN_ROLE; an unknown phase 422 UNKNOWN_PHASE', async () => {
    const role = await approve(legal, launch, { role: 'legal' });
    expect(role.status).toBe(422);
    expect(role.body.error).toMatchObject({
      code: 'UNKNOWN_ROLE',
      details: { role: 'legal', roles: ['product', 'sre'] },
    });
    const phase = await approve('approver:product', launch, { role: 'product', phase: 'nope' });
    expect(phase.status).toBe(422);
    expect(phase.body.error.code).toBe('UNKNOWN_PHASE');
  });

  it('validates the body, naming each field', async () => {
    const res = await t.json<ErrorBody>(
      'approver:product',
      'POST',
      `/api/v1/launches/${launch}/approvals`,
      {
        role: 'Product!',
        decision: 'maybe',
      },
    );
    expect(res.status).toBe(400);
    expect((res.body.error.details.errors as { path: string }[]).map((e) => e.path)).toEqual([
      'body.role',
      'body.decision',
    ]);
  });

  it('a reject for a later phase is recorded and listed', async () => {
    const sre1 = await t.token('sre-1', ['approver:sre']);
    const rejected = await approve(sre1, launch, {
      role: 'sre',
      phase: 'half',
      decision: 'reject',
    });
    expect(rejected.status).toBe(201);
    // Phase 0 was approved but the launch has not opened it yet, so the gate is still canary.
    const detail = await t.json<{ approvals: { decision: string }[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${launch}`,
    );
    expect(detail.body.approvals.map((a) => a.decision)).toEqual(['approve', 'reject']);
  });

  it('an answer nothing waits for is refused (NOTHING_PENDING) and writes nothing', async () => {
    // A plan whose only sign-off gates canary, already started: nothing waits for product.
    const plan = SIMPLE_PLAN.replace(/checkout-v2/g, 'no-gate').concat(
      'signoff:\n  roles: { product: 1 }\n',
    );
    expect((await t.call('operator', 'POST', '/api/v1/plans', plan, yaml)).status).toBe(201);
    const started = await t.json<{ launch: { id: string } }>(
      'operator',
      'POST',
      '/api/v1/launches',
      {
        plan: 'no-gate',
      },
    );
    const id = started.body.launch.id;
    const res = await approve('approver:product', id, { role: 'product' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'NOTHING_PENDING',
      message: `nothing on launch ${id} waits for product's answer, so it would count for nothing (no sign-off or ask is pending)`,
      details: { role: 'product', awaiting: [] },
    });
    // Naming a phase does not make it count either.
    const named = await approve('approver:product', id, { role: 'product', phase: 'full' });
    expect(named.status).toBe(409);
    expect(named.body.error.code).toBe('NOTHING_PENDING');
    const detail = await t.json<{ approvals: unknown[] }>(
      'viewer',
      'GET',
      `/api/v1/launches/${id}`,
    );
    expect(detail.body.approvals).toEqual([]);
    await t.call('operator', 'POST', `/api/v1/launches/${id}/rollback`, { reason: 'test done' });
  });

  it('sign-offs close when the launch is rolled back', async () => {
    await t.call('operator', 'POST', `/api/v1/launches/${launch}/rollback`, { reason: 'stop' });
    const res = await approve('approver:product', launch, { role: 'product' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_TRANSITION');
    expect((await approve('approver:product', 'nope', { role: 'product' })).status).toBe(404);
  });
});
