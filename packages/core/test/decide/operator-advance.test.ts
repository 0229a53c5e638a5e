/** Promote, skip and amend: what a person may waive (time, sample, missing evidence) and what never. */
import { describe, expect, it } from 'vitest';
import { amendPlan, applyDecision, operatorAdvance } from '../../src/index.js';
import type { Evidence, LaunchState } from '../../src/index.js';
import { H, RULES, T0, approval, evidence, stateIn, variant } from './fixtures.js';

const input = (type: 'promote' | 'skip') => ({
  type,
  reason: 'judged by hand',
  actor: 'ana',
  now: T0 + H / 2,
});

describe('operatorAdvance', () => {
  it('promotes before the duration, the sample and the evidence are there', () => {
    const state = stateIn(RULES, 0, T0);
    const thin = evidence(RULES, {
      verdicts: { jank: 'insufficient-evidence', revenue: 'insufficient-evidence' },
      units: [10, 10],
    });
    const d = operatorAdvance(RULES, state, thin, input('promote'));
    expect(d).toMatchObject({
      type: 'advance',
      rule: 'operator',
      operator: 'promote',
      from: 0,
      to: 1,
      toPhase: 'early',
      traffic: 0.1,
      actor: 'ana',
      reason: 'promoted by ana to early at 10%: judged by hand',
    });
    if ('error' in d) return;
    expect(applyDecision(state, d)).toMatchObject({ phase: 'early', phaseIndex: 1 });
  });

  it('never past a blocking breach, a fault hold, an unanswered ask or a pause; advisory breaches do not block', () => {
    const state = stateIn(RULES, 0, T0);
    const breach = operatorAdvance(
      RULES,
      state,
      evidence(RULES, { verdicts: { cpu: 'breach' } }),
      input('promote'),
    );
    expect(breach).toEqual({
      error: 'cannot promote: blocked by a breach of cpu',
      blocking: ['a breach of cpu'],
    });
    const advisory = operatorAdvance(
      RULES,
      state,
      evidence(RULES, { verdicts: { revenue: 'breach' } }),
      input('promote'),
    );
    expect(advisory).toMatchObject({ type: 'advance' });
    const srm: LaunchState = {
      ...state,
      holds: [{ id: 'srm', rule: 'srm', since: T0, reason: 'broken' }],
    };
    expect(operatorAdvance(RULES, srm, evidence(RULES), input('promote'))).toMatchObject({
      blocking: ['the hold on a broken split (sample-ratio mismatch)'],
    });
    const missing: LaunchState = {
      ...state,
      holds: [
        {
          id: 'insufficient:jank',
          rule: 'insufficient-evidence',
          kpi: 'jank',
          since: T0,
          reason: 'x',
        },
      ],
    };
    expect(operatorAdvance(RULES, missing, evidence(RULES), input('promote'))).toMatchObject({
      type: 'advance',
    });
    const asked: LaunchState = {
      ...state,
      asks: [
        {
          id: 'insufficient:revenue',
          rule: 'insufficient-evidence',
          kpi: 'revenue',
          roles: ['sre'],
          phase: 'canary',
          since: T0,
          reason: 'x',
        },
      ],
    };
    expect(operatorAdvance(RULES, asked, evidence(RULES), input('promote'))).toMatchObject({
      blocking: ['the unanswered ask about revenue (sign-off of sre)'],
    });
    // Answered (quorum 2 of sre after the ask): the promote is the way through missing evidence.
    const answered: Evidence = evidence(RULES, {
      verdicts: { revenue: 'insufficient-evidence' },
      approvals: [
        approval('sre', 'canary', 'sam', T0 + 1),
        approval('sre', 'canary', 'sue', T0 + 2),
      ],
    });
    expect(operatorAdvance(RULES, asked, answered, input('promote'))).toMatchObject({
      type: 'advance',
    });
    const paused: LaunchState = { ...state, status: 'paused' };
    expect(operatorAdvance(RULES, paused, evidence(RULES), input('promote'))).toMatchObject({
      error: 'the launch is paused; resume it before you promote',
    });
  });

  it('skips over a phase, never past its sign-off or the target’s', () => {
    const early = stateIn(RULES, 1, T0);
    expect(operatorAdvance(RULES, early, evidence(RULES), input('skip'))).toEqual({
      error: 'cannot skip: blocked by the sign-off for half (product 0/1)',
      blocking: ['the sign-off for half (product 0/1)'],
    });
    const canary = stateIn(RULES, 0, T0);
    expect(operatorAdvance(RULES, canary, evidence(RULES), input('skip'))).toMatchObject({
      blocking: ['the sign-off for half (product 0/1)'],
    });
    const approved = evidence(RULES, { approvals: [approval('product', 'half', 'pat', T0)] });
    expect(operatorAdvance(RULES, canary, approved, input('skip'))).toMatchObject({
      type: 'advance',
      to: 2,
      toPhase: 'half',
      skipped: ['early'],
      reason: 'skipped early by ana, advancing to half at 50%: judged by hand',
    });
    const half = stateIn(RULES, 2, T0);
    expect(operatorAdvance(RULES, half, evidence(RULES), input('skip'))).toMatchObject({
      error: 'full is the last phase: a launch cannot skip to completion; promote instead',
    });
  });

  it('promotes the last phase to completion, skipping its bake', () => {
    const full = stateIn(RULES, 3, T0);
    expect(operatorAdvance(RULES, full, evidence(RULES), input('promote'))).toMatchObject({
      type: 'complete',
      operator: 'promote',
    });
  });
});

describe('amendPlan', () => {
  const v2 = variant([
    '{ name: full, traffic: 100%, min_duration: 1h',
    '{ name: full, traffic: 100%, min_duration: 2h',
  ]);
  it('moves the launch to the new version at the same phase, listing what changed', () => {
    const state = stateIn(RULES, 1, T0);
    const d = amendPlan(RULES, v2, state, {
      toVersion: 2,
      reason: 'longer full',
      actor: 'ana',
      now: T0 + H,
    });
    expect(d).toMatchObject({
      type: 'amend',
      fromVersion: 1,
      toVersion: 2,
      toPhaseIndex: 1,
      resetsApprovals: true,
      changes: [{ path: 'phases[3].min_duration', from: H, to: 2 * H }],
    });
    if ('error' in d) return;
    const after = applyDecision(
      {
        ...state,
        signoffRequests: [
          { phase: 'half', role: 'product', requestedAt: T0, deadlineAt: null, expired: false },
        ],
        fired: ['early:signoff-quorum:half:request', 'early:notify:x'],
      },
      d,
    );
    expect(after).toMatchObject({ planVersion: 2, signoffRequests: [], fired: ['early:notify:x'] });
    expect(after.authors).toContain('ana');
  });

  it('refuses a version that changes the flag, drops the current phase or changes nothing', () => {
    const state = stateIn(RULES, 1, T0);
    const args = { toVersion: 2, reason: 'x', actor: 'ana', now: T0 };
    expect(amendPlan(RULES, { ...RULES, flag: 'other' }, state, args)).toEqual({
      error: 'version: changes the flag from rules to other; start a new launch instead',
    });
    const renamed = variant(['{ name: early,', '{ name: early2,']);
    expect(amendPlan(RULES, renamed, state, args)).toEqual({
      error: 'version: has no phase early, the phase the launch is in; keep its name',
    });
    expect(amendPlan(RULES, RULES, state, args)).toEqual({
      error: 'version: changes nothing in the plan',
    });
    expect(amendPlan(RULES, v2, state, { ...args, toVersion: 1 })).toMatchObject({
      error: 'version: must be newer than the running version 1 (got 1)',
    });
  });
});
