/** The pure rules behind the launch routes: operator transitions, sign-off progress, config documents, rate buckets. */
import { parsePlan } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import {
  OPERATOR_ACTIONS,
  TokenBuckets,
  buildConfigDocument,
  gatePhase,
  operatorTransition,
  signoffStatus,
} from '@threshold/server';
import type { ApprovalRecord, LaunchRecord, LaunchStatus } from '@threshold/server';
import { SIGNOFF_PLAN, SIMPLE_PLAN } from './support/plans.js';

function plan(source: string): Plan {
  const r = parsePlan(source);
  if (!r.valid) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

function launch(patch: Partial<LaunchRecord> = {}): LaunchRecord {
  return {
    id: 'l1',
    planName: 'search-ranking',
    planVersion: 1,
    salt: 's',
    status: 'running',
    phaseIndex: 0,
    phaseStartedAt: '2026-01-01T00:00:00.000Z',
    traffic: 0,
    createdBy: 'op',
    createdBySubject: null,
    environment: 'production',
    retryOf: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    seq: 1,
    lastDecision: null,
    ...patch,
  };
}

const approval = (
  actor: string,
  decision: 'approve' | 'reject',
  extra: Partial<ApprovalRecord> = {},
): ApprovalRecord => ({
  launchId: 'l1',
  phase: 'half',
  role: 'sre',
  decision,
  actor,
  subject: null,
  comment: '',
  planVersion: 1,
  at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('operatorTransition', () => {
  const table: Record<LaunchStatus, Record<string, string | null>> = {
    running: { pause: 'paused', resume: null, rollback: 'rolled-back' },
    paused: { pause: null, resume: 'running', rollback: 'rolled-back' },
    'rolled-back': { pause: null, resume: null, rollback: null },
    completed: { pause: null, resume: null, rollback: null },
  };
  for (const [status, row] of Object.entries(table) as [
    LaunchStatus,
    Record<string, string | null>,
  ][]) {
    for (const action of OPERATOR_ACTIONS) {
      it(`${action} on ${status} → ${row[action] ?? 'refused'}`, () => {
        const r = operatorTransition(status, action);
        if (row[action] === null) {
          expect(r.ok).toBe(false);
          if (!r.ok)
            expect(r.message).toMatch(new RegExp(`^cannot ${action} a ${status} launch: `));
        } else {
          expect(r.ok && r.patch.status).toBe(row[action]);
          if (r.ok && action === 'rollback') expect(r.patch.traffic).toBe(0);
        }
      });
    }
  }
});

describe('signoffStatus', () => {
  const p = plan(SIGNOFF_PLAN);

  it('gates phase 0 while it holds 0%, then the next phase with a sign-off', () => {
    expect(gatePhase(p, launch())?.name).toBe('canary');
    expect(gatePhase(p, launch({ traffic: 0.05 }))?.name).toBe('half');
    expect(gatePhase(p, launch({ phaseIndex: 1, traffic: 0.5 }))).toBeUndefined();
    expect(gatePhase(p, launch({ status: 'rolled-back' }))).toBeUndefined();
  });

  it('counts distinct approvers; the latest decision per person wins; other versions void when reset_on_edit', () => {
    const l = launch({ traffic: 0.05 });
    const status = signoffStatus(p, l, [
      approval('a', 'approve'),
      approval('a', 'approve'),
      approval('b', 'approve'),
      approval('b', 'reject'),
      approval('c', 'approve', { planVersion: 0 }),
      approval('d', 'approve', { phase: 'canary' }),
    ]);
    expect(status.find((s) => s.role === 'sre')).toEqual({
      phase: 'half',
      role: 'sre',
      quorum: 2,
      approvedBy: ['a'],
      rejectedBy: ['b'],
      missing: 1,
    });
    expect(status.find((s) => s.role === 'product')?.missing).toBe(1);
  });
});

describe('buildConfigDocument', () => {
  const p = plan(SIMPLE_PLAN);
  it('one flag per key (newest launch wins), traffic in buckets, version a hash of the flags', () => {
    const old = launch({
      id: 'old',
      status: 'rolled-back',
      traffic: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const cur = launch({ id: 'new', traffic: 0.0123, createdAt: '2026-01-02T00:00:00.000Z' });
    const a = buildConfigDocument(
      [
        { launch: cur, plan: p },
        { launch: old, plan: p },
      ],
      'A',
    );
    const b = buildConfigDocument(
      [
        { launch: old, plan: p },
        { launch: cur, plan: p },
      ],
      'B',
    );
    expect(a.flags).toEqual([
      expect.objectContaining({ launch: 'new', traffic: 123, phase: 'canary' }),
    ]);
    expect(a.version).toBe(b.version);
    expect(a.version).toMatch(/^[0-9a-f]{24}$/);
    const paused = buildConfigDocument([{ launch: { ...cur, status: 'paused' }, plan: p }], 'C');
    expect(paused.version).not.toBe(a.version);
  });
});

describe('TokenBuckets', () => {
  it('allows the burst, then refills at the rate and says when to retry', () => {
    let now = 0;
    const buckets = new TokenBuckets({ rate: 100, burst: 200, now: () => now });
    expect(buckets.take('t', 150)).toEqual({ ok: true });
    expect(buckets.take('t', 100)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(buckets.take('other', 200)).toEqual({ ok: true });
    now = 500;
    expect(buckets.take('t', 100)).toEqual({ ok: true });
    // A batch larger than the burst passes with a full bucket instead of never.
    now = 10_000;
    expect(buckets.take('t', 5000)).toEqual({ ok: true });
  });
});
