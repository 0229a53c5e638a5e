/**
 * Approvals by person: self-approval is decided on the verified subject behind
 * a token or a session, so a person's differently named tokens (and their
 * sign-in) are one person; each approval records who answered. Sign-in goes
 * through a real OpenID provider; SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_ROLES,
  browserFetch,
  freePort,
  openTestProvider,
  signInOverHttp,
} from './support/oidc-test-provider.js';
import type { CookieJar, TestProvider } from './support/oidc-test-provider.js';
import { SIGNOFF_PLAN } from './support/plans.js';
import { countSignoff, initialLaunchState } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { approvalOf } from '@threshold/server';
import type { ApprovalRecord } from '@threshold/server';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const databases = [
  { name: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL === undefined ? [] : [{ name: 'PostgreSQL', postgres: true }]),
];

interface Approved {
  approval: { actor: string; subject: string | null; role: string; phase: string };
  signoffs: { role: string; approvedBy: string[]; missing: number }[];
}

describe.each(databases)('approvals by person on $name', ({ postgres }) => {
  let idp: TestProvider;
  let t: TestServer;
  let launch = '';
  const tokens: Record<string, { token: string }> = {};

  /** A token made through the API for `subject`. */
  async function tokenFor(name: string, scopes: string[], ownerSubject?: string) {
    const res = await t.json<{ token: string; record: { ownerSubject: string | null } }>(
      'admin',
      'POST',
      '/api/v1/tokens',
      { name, scopes, ...(ownerSubject === undefined ? {} : { ownerSubject }) },
    );
    expect(res.status).toBe(201);
    expect(res.body.record.ownerSubject).toBe(ownerSubject ?? null);
    return { token: res.body.token };
  }

  const approveAs = (who: { token: string }, role: string, phase?: string) =>
    t.json<Approved & ErrorBody>(who, 'POST', `/api/v1/launches/${launch}/approvals`, {
      role,
      decision: 'approve',
      ...(phase === undefined ? {} : { phase }),
    });

  async function approveInSession(jar: CookieJar, role: string) {
    const who = await browserFetch(jar, `${t.url}/api/v1/whoami`);
    const { csrf } = (await who.json()) as { csrf: string };
    const res = await fetch(`${t.url}/api/v1/launches/${launch}/approvals`, {
      method: 'POST',
      headers: {
        cookie: jar.header(t.url),
        'x-csrf-token': csrf,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ role, decision: 'approve' }),
    });
    return { status: res.status, body: (await res.json()) as Approved & ErrorBody };
  }

  beforeAll(async () => {
    idp = await openTestProvider();
    const port = await freePort();
    t = await startTestServer({
      postgres,
      port,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        publicUrl: `http://127.0.0.1:${port}`,
        roles: TEST_ROLES,
        allowHttpIssuer: true,
      },
    });
    idp.register(`${t.url}/auth/callback`);
    // Sam holds two tokens with unrelated names; both act for the subject "sam".
    tokens.samLaptop = await tokenFor('sam-laptop', ['operator'], 'sam');
    tokens.releaseBot = await tokenFor(
      'release-bot-7',
      ['approver:product', 'approver:sre'],
      'sam',
    );
    tokens.aliceA = await tokenFor('alice-a', ['approver:sre'], 'alice');
    tokens.aliceB = await tokenFor('alice-b', ['approver:sre'], 'alice');
    tokens.bob = await tokenFor('bob-sre', ['approver:sre']);
    expect(
      (
        await t.call('operator', 'POST', '/api/v1/plans', SIGNOFF_PLAN, {
          'content-type': 'application/yaml',
        })
      ).status,
    ).toBe(201);
    const started = await t.json<{ launch: { id: string; createdBy: string } }>(
      tokens.samLaptop,
      'POST',
      '/api/v1/launches',
      { plan: 'search-ranking' },
    );
    expect(started.status).toBe(201);
    launch = started.body.launch.id;
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it("refuses the starter's other, differently named token (self-approval is the person's)", async () => {
    const res = await approveAs(tokens.releaseBot!, 'product');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('SELF_APPROVAL');
    expect(res.body.error.message).toBe(
      'release-bot-7 (sam) started this launch and the plan does not allow self-approval',
    );
    expect(res.body.error.details).toEqual({ actor: 'release-bot-7', subject: 'sam' });
  });

  it('refuses the starter signed in through the provider too', async () => {
    const { jar } = await signInOverHttp(t.url, 'sam');
    const res = await approveInSession(jar, 'product');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('SELF_APPROVAL');
    expect(res.body.error.message).toMatch(/^Sam Starter \(sam\) started this launch/);
  });

  it('records the verified subject and name of a person who approves in the dashboard session', async () => {
    const { jar } = await signInOverHttp(t.url, 'alice');
    const res = await approveInSession(jar, 'product');
    expect(res.status).toBe(201);
    expect(res.body.approval).toMatchObject({
      actor: 'Alice Approver',
      subject: 'alice',
      role: 'product',
    });
    const events = await t.json<{
      events: { type: string; actor: string; data: { subject?: string } }[];
    }>('viewer', 'GET', `/api/v1/launches/${launch}/events`);
    const approval = events.body.events.find((e) => e.type === 'approval');
    expect(approval).toMatchObject({ actor: 'Alice Approver', data: { subject: 'alice' } });
  });

  it("counts one person's two tokens once toward a quorum", async () => {
    // sre needs two people for phase half: alice's two tokens are one of them.
    expect((await approveAs(tokens.aliceA!, 'sre', 'half')).status).toBe(201);
    expect((await approveAs(tokens.aliceB!, 'sre', 'half')).status).toBe(201);
    const view = async () =>
      (
        await t.json<{
          approvals: ApprovalRecord[];
          plan: { plan: Plan };
          launch: { phase: string };
        }>('viewer', 'GET', `/api/v1/launches/${launch}`)
      ).body;
    const count = async () => {
      const v = await view();
      const state = {
        ...initialLaunchState(v.plan.plan, { planVersion: 1, now: 0 }),
        authors: ['person:sam'],
      };
      return countSignoff(
        v.plan.plan,
        state,
        v.approvals.map(approvalOf),
        'half',
        ['sre'],
        0,
        Date.now() + 60_000,
      );
    };
    const before = await count();
    expect(before.roles[0]?.approvers).toEqual(['alice-b']);
    expect(before.met).toBe(false);
    expect((await approveAs(tokens.bob!, 'sre', 'half')).status).toBe(201);
    const after = await count();
    expect(after.roles[0]?.approvers.sort()).toEqual(['alice-b', 'bob-sre']);
    expect(after.met).toBe(true);
    const sre = (await view()).approvals.filter((x) => x.role === 'sre');
    expect(sre.map((x) => x.subject)).toEqual(['alice', 'alice', null]);
  });

  it('lists tokens with the person they act for', async () => {
    const list = await t.json<{ tokens: { name: string; ownerSubject: string | null }[] }>(
      'admin',
      'GET',
      '/api/v1/tokens',
    );
    expect(list.body.tokens.find((x) => x.name === 'release-bot-7')?.ownerSubject).toBe('sam');
    expect(list.body.tokens.find((x) => x.name === 'bob-sre')?.ownerSubject).toBeNull();
  });
});
