/** Store contract: who is behind records (subjects), sign-in sessions and attestations. */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { ContractContext } from './store-contract.js';
import { PLAN_YAML, contractPlan } from './fixtures.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function peopleContract(ctx: ContractContext): void {
  it('records the subject behind tokens, plan versions, launches and approvals (null when none)', async () => {
    const s = ctx.store;
    const owned = await s.createToken({
      id: 't1',
      name: 'laptop',
      scopes: ['operator'],
      hash: sha('a'),
      ownerSubject: 'sam',
    });
    const plain = await s.createToken({
      id: 't2',
      name: 'bot',
      scopes: ['viewer'],
      hash: sha('b'),
    });
    expect([owned.ownerSubject, plain.ownerSubject]).toEqual(['sam', null]);
    expect((await s.findTokenByHash(sha('a')))?.ownerSubject).toBe('sam');
    const v = await s.putPlan({
      name: 'people',
      source: PLAN_YAML,
      format: 'yaml',
      plan: { ...contractPlan(), launch: 'people', flag: 'people' },
      createdBy: 'Sam',
      createdBySubject: 'sam',
    });
    expect(v.createdBySubject).toBe('sam');
    const l = await s.createLaunch({
      id: 'P1',
      planName: 'people',
      planVersion: v.version,
      salt: 'x',
      createdBy: 'Sam',
      createdBySubject: 'sam',
      traffic: 0.01,
    });
    expect(l.createdBySubject).toBe('sam');
    expect((await s.getLaunch('P1'))?.createdBySubject).toBe('sam');
    await s.addApproval({
      launchId: 'P1',
      phase: 'canary',
      role: 'sre',
      decision: 'approve',
      actor: 'Alice',
      subject: 'alice',
      comment: '',
      planVersion: 1,
    });
    await s.addApproval({
      launchId: 'P1',
      phase: 'canary',
      role: 'sre',
      decision: 'approve',
      actor: 'bot',
      comment: '',
      planVersion: 1,
    });
    expect((await s.listApprovals('P1')).map((a) => a.subject)).toEqual(['alice', null]);
    const again = await ctx.reopen();
    expect((await again.getPlanVersion('people'))?.createdBySubject).toBe('sam');
  });

  it('keeps sessions by hash: found until ended, ended once', async () => {
    const s = ctx.store;
    const made = await s.createSession({
      id: sha('ths_1'),
      kind: 'browser',
      subject: 'alice',
      name: 'Alice',
      scopes: ['viewer', 'approver:product'],
      csrf: 'c1',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(made.endedAt).toBeNull();
    expect(await s.findSession(sha('ths_1'))).toEqual(made);
    expect(await s.endSession(sha('ths_1'))).toBe(true);
    expect(await s.endSession(sha('ths_1'))).toBe(false);
    expect((await s.findSession(sha('ths_1')))?.endedAt).not.toBeNull();
    expect(await s.findSession(sha('nope'))).toBeUndefined();
    await expect(
      s.createSession({
        id: 'not-a-hash',
        kind: 'cli',
        subject: 'a',
        name: 'A',
        scopes: [],
        csrf: 'c',
        expiresAt: '2099-01-01T00:00:00.000Z',
      }),
    ).rejects.toThrow(/id/);
  });

  it('hands a login attempt out once and drops expired ones', async () => {
    const s = ctx.store;
    await s.putLoginAttempt({
      state: 'st1',
      verifier: 'v',
      nonce: 'n',
      returnTo: '/',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await s.putLoginAttempt({
      state: 'old',
      verifier: 'v',
      nonce: 'n',
      returnTo: '/',
      expiresAt: '2000-01-01T00:00:00.000Z',
    });
    // A later put sweeps attempts past their expiry.
    await s.putLoginAttempt({
      state: 'st2',
      verifier: 'v',
      nonce: 'n',
      returnTo: '/x',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(await s.takeLoginAttempt('old')).toBeUndefined();
    expect((await s.takeLoginAttempt('st1'))?.verifier).toBe('v');
    expect(await s.takeLoginAttempt('st1')).toBeUndefined();
    expect((await s.takeLoginAttempt('st2'))?.returnTo).toBe('/x');
  });

  it('lists a plan’s attestations oldest first', async () => {
    const s = ctx.store;
    const a = await s.addAttestation({
      planName: 'p',
      check: 'Load test',
      role: 'sre',
      subject: 'sam',
      actor: 'Sam',
      note: 'run 1',
      link: null,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await s.addAttestation({
      planName: 'p',
      check: 'Load test',
      role: 'sre',
      subject: null,
      actor: 'bot',
      note: 'run 2',
      link: 'https://ci.example.com/2',
      expiresAt: '2099-02-01T00:00:00.000Z',
    });
    await s.addAttestation({
      planName: 'q',
      check: 'Other',
      role: 'sre',
      subject: null,
      actor: 'bot',
      note: 'x',
      link: null,
      expiresAt: '2099-02-01T00:00:00.000Z',
    });
    const list = await s.listAttestations('p');
    expect(list.map((x) => [x.note, x.subject, x.link])).toEqual([
      ['run 1', 'sam', null],
      ['run 2', null, 'https://ci.example.com/2'],
    ]);
    expect(list[0]).toEqual(a);
    await expect(
      s.addAttestation({
        planName: 'p',
        check: 'Load test',
        role: 'sre',
        subject: null,
        actor: 'bot',
        note: 'x\u0000',
        link: null,
        expiresAt: '2099-01-01T00:00:00.000Z',
      }),
    ).rejects.toThrow(/note/);
  });
}
