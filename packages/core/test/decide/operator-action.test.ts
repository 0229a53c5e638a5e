/** Operator actions: checked like any decision, and folded by the same reducer. */
import { describe, expect, it } from 'vitest';
import {
  applyDecision,
  applyPlanEdit,
  awaitedApprovals,
  decide,
  initialLaunchState,
  operatorAction,
} from '../../src/index.js';
import type { LaunchState } from '../../src/index.js';
import { H, RULES, T0, evidence, stateIn, variant } from './fixtures.js';

const running = stateIn(RULES, 0, T0);
const act = (
  state: LaunchState,
  type: 'pause' | 'resume' | 'rollback',
  extra: Record<string, unknown> = {},
) =>
  operatorAction(state, { type, reason: 'checking a ticket', actor: 'ana', now: T0 + H, ...extra });

describe('operatorAction', () => {
  it('pauses a running launch, recording who and why', () => {
    const d = act(running, 'pause');
    expect(d).toMatchObject({
      type: 'pause',
      rule: 'operator',
      actor: 'ana',
      at: T0 + H,
      phase: 'canary',
      reason: 'paused by ana: checking a ticket',
    });
    if ('error' in d) return;
    const paused = applyDecision(running, d);
    expect(paused.status).toBe('paused');
    expect(paused.pause).toEqual({
      rule: 'operator',
      reason: 'paused by ana: checking a ticket',
      since: T0 + H,
      actor: 'ana',
    });
    expect(paused.traffic).toBe(running.traffic);
  });

  it('resume ends only the pause: holds, asks and traffic stay', () => {
    const held: LaunchState = {
      ...running,
      status: 'paused',
      pause: { rule: 'operator', reason: 'x', since: T0 },
      holds: [{ id: 'srm', rule: 'srm', since: T0, reason: 'split is broken' }],
    };
    const d = act(held, 'resume');
    if ('error' in d) throw new Error(d.error);
    const resumed = applyDecision(held, d);
    expect(resumed).toEqual({ ...held, status: 'running', pause: null });
  });

  it('rolls back from any non-terminal state, to traffic 0', () => {
    for (const s of [running, { ...running, status: 'paused' as const }]) {
      const d = act(s, 'rollback');
      if ('error' in d) throw new Error(d.error);
      expect(applyDecision(s, d)).toMatchObject({ status: 'rolled-back', traffic: 0 });
    }
  });

  it('refuses transitions that do not apply, saying why', () => {
    expect(act({ ...running, status: 'paused' }, 'pause')).toEqual({
      error: 'the launch is paused already',
    });
    expect(act(running, 'resume')).toEqual({
      error: 'the launch is not paused; nothing to resume',
    });
    expect(act({ ...running, status: 'rolled-back' }, 'rollback')).toEqual({
      error: 'the launch has rolled back; nothing to roll back',
    });
    expect(act({ ...running, status: 'completed' }, 'pause')).toEqual({
      error: 'the launch has completed; nothing to pause',
    });
  });

  it('names the field of bad input', () => {
    expect(act(running, 'pause', { reason: '  ' })).toEqual({
      error: 'reason: say why, in a sentence (it goes into the launch record)',
    });
    expect(act(running, 'pause', { actor: '' })).toEqual({ error: 'actor: name who is acting' });
    expect(act(running, 'pause', { now: Number.NaN })).toEqual({
      error: 'now: must be a time in milliseconds',
    });
    expect(act(running, 'stop' as never)).toEqual({
      error: 'type: must be one of pause, resume, rollback (got "stop")',
    });
  });

  it('a resumed launch advances at the next ready look', () => {
    const d = act(running, 'pause');
    if ('error' in d) throw new Error(d.error);
    const paused = applyDecision(running, d);
    expect(decide(RULES, paused, evidence(RULES), T0 + 2 * H).decisions).toEqual([]);
    const r = act(paused, 'resume', { now: T0 + 2 * H });
    if ('error' in r) throw new Error(r.error);
    const { decisions } = decide(RULES, applyDecision(paused, r), evidence(RULES), T0 + 2 * H);
    expect(decisions.map((x) => x.type)).toEqual(['advance']);
  });
});

describe('initialLaunchState and applyDecision', () => {
  it('starts in the first phase at its traffic, or before it at 0% when it needs a sign-off', () => {
    expect(initialLaunchState(RULES, { planVersion: 3, now: T0, startedBy: 'lena' })).toEqual({
      status: 'running',
      planVersion: 3,
      startedAt: T0,
      authors: ['lena'],
      phaseIndex: 0,
      phase: 'canary',
      phaseStartedAt: T0,
      traffic: 0.01,
      bakeStartedAt: null,
      pause: null,
      holds: [],
      asks: [],
      signoffRequests: [],
      fired: [],
    });
    const gated = variant([
      '- { name: canary, traffic: 1%,',
      '- { name: canary, traffic: 1%, signoff: [product],',
    ]);
    expect(initialLaunchState(gated, { planVersion: 1, now: T0 })).toMatchObject({
      phaseIndex: -1,
      phase: '(start)',
      traffic: 0,
    });
  });

  it('starts the bake when the launch enters a last phase that has one', () => {
    const s = stateIn(RULES, 2, T0);
    const { decisions } = decide(
      RULES,
      s,
      evidence(RULES, {
        approvals: [
          {
            role: 'product',
            phase: 'full',
            decision: 'approve',
            actor: 'x',
            planVersion: 1,
            at: T0,
          },
        ],
      }),
      T0 + 2 * H,
    );
    expect(decisions.map((d) => d.type)).toEqual(['advance']);
    const next = decisions.reduce(applyDecision, s);
    expect(next).toMatchObject({ phase: 'full', traffic: 1, bakeStartedAt: T0 + 2 * H });
  });

  it('does not modify the state it is given', () => {
    const s = stateIn(RULES, 0, T0);
    const before = structuredClone(s);
    const d = act(s, 'pause');
    if ('error' in d) throw new Error(d.error);
    applyDecision(s, d);
    expect(s).toEqual(before);
  });
});

describe('awaitedApprovals and applyPlanEdit', () => {
  it('lists the asks of the phase, then the sign-off gating the next one', () => {
    const s = stateIn(RULES, 1, T0, {
      asks: [
        {
          id: 'breach:conversion',
          rule: 'guard-breach',
          kpi: 'conversion',
          roles: ['product'],
          phase: 'early',
          since: T0 + H,
          reason: 'x',
        },
      ],
    });
    expect(awaitedApprovals(RULES, s)).toEqual([
      { kind: 'ask', phase: 'early', roles: ['product'], since: T0 + H, ask: 'breach:conversion' },
      { kind: 'signoff', phase: 'half', roles: ['product'], since: -Infinity },
    ]);
    expect(awaitedApprovals(RULES, stateIn(RULES, 0, T0))).toEqual([]);
    expect(awaitedApprovals(RULES, { ...s, status: 'rolled-back' })).toEqual([]);
  });

  it('an edit withdraws older approvals and bars the editor from approving', () => {
    const s = stateIn(RULES, 1, T0);
    const edited = applyPlanEdit(s, { planVersion: 2, editor: 'eve' });
    expect(edited).toEqual({ ...s, planVersion: 2, authors: ['starter', 'eve'] });
    const approvals = [
      {
        role: 'product',
        phase: 'half',
        decision: 'approve' as const,
        actor: 'pia',
        planVersion: 1,
        at: T0,
      },
      {
        role: 'product',
        phase: 'half',
        decision: 'approve' as const,
        actor: 'eve',
        planVersion: 2,
        at: T0,
      },
    ];
    expect(decide(RULES, s, evidence(RULES, { approvals }), T0 + 2 * H).decisions[0]?.type).toBe(
      'advance',
    );
    expect(
      decide(RULES, edited, evidence(RULES, { approvals }), T0 + 2 * H).decisions.map(
        (d) => d.type,
      ),
    ).toEqual(['request-signoff', 'notify']);
  });
});
