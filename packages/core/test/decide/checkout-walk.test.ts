/**
 * End to end: examples/checkout-web.yaml looked at every 10 minutes like the
 * controller does, from start to fully live, and into a rollback.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyDecision, decide, initialLaunchState, operatorAction } from '../../src/index.js';
import type { Approval, Decision, Evidence, LaunchState, Plan, Verdict } from '../../src/index.js';
import { H, M, T0, guard, plan } from './fixtures.js';

const CHECKOUT = plan(
  readFileSync(new URL('../../../../examples/checkout-web.yaml', import.meta.url), 'utf8'),
);
const NAMES = [
  ...CHECKOUT.kpis.efficiency,
  ...CHECKOUT.kpis['user-impact'],
  ...CHECKOUT.kpis['operational-health'],
].map((k) => k.name);

/** Evidence of a healthy launch: units grow with time in phase and traffic; no control at 100%. */
function healthy(
  state: LaunchState,
  now: number,
  approvals: Approval[],
  verdicts: Record<string, Verdict> = {},
): Evidence {
  const minutes = (now - state.phaseStartedAt) / M;
  const treatment = Math.round(minutes * 4000 * state.traffic);
  const control = Math.round(minutes * 4000 * (1 - state.traffic));
  const guards = NAMES.map((name) => {
    const v = verdicts[name];
    if (v !== undefined) return guard(name, v, treatment, control);
    // Thin data is insufficient; at 100% there is no control to compare with.
    if (treatment < 500 || control < 500)
      return guard(name, 'insufficient-evidence', treatment, control);
    return guard(name, 'pass', treatment, control);
  });
  const expected = { treatment: state.traffic, control: 1 - state.traffic };
  return {
    guards,
    srm: {
      healthy: true,
      pValue: 0.5,
      threshold: 0.001,
      observed: { treatment, control },
      expectedShare: expected,
      reason: 'the split matches the plan',
    },
    units: { treatment, control },
    approvals,
  };
}

interface Walk {
  state: LaunchState;
  log: Decision[];
  now: number;
}

/** Look every 10 minutes until `until` or a terminal state; product approves any requested sign-off. */
function drive(
  p: Plan,
  walk: Walk,
  until: number,
  verdicts: (now: number) => Record<string, Verdict> = () => ({}),
  approvals: Approval[] = [],
): Walk {
  let { state, now } = walk;
  const log = [...walk.log];
  while (now < until && state.status !== 'rolled-back' && state.status !== 'completed') {
    now += 10 * M;
    const { decisions } = decide(p, state, healthy(state, now, approvals, verdicts(now)), now);
    for (const d of decisions) {
      state = applyDecision(state, d);
      log.push(d);
      if (d.type === 'request-signoff')
        approvals.push({
          role: 'product',
          phase: d.forPhase,
          decision: 'approve',
          actor: 'pia',
          planVersion: 1,
          at: now + 30 * M,
        });
    }
  }
  return { state, log, now };
}

const start = (): Walk => ({
  state: initialLaunchState(CHECKOUT, { planVersion: 1, now: T0, startedBy: 'lena' }),
  log: [],
  now: T0,
});

describe('examples/checkout-web.yaml, end to end', () => {
  it('walks every phase to fully live with passing evidence', () => {
    const end = drive(CHECKOUT, start(), T0 + 10 * 24 * H);
    expect(end.state.status).toBe('completed');
    expect(end.state.traffic).toBe(1);
    const steps = end.log.map((d) =>
      d.type === 'advance' ? `${d.type} ${d.toPhase} ${d.traffic}` : `${d.type}`,
    );
    expect(steps).toEqual([
      'advance early 0.05',
      'advance quarter 0.25',
      'request-signoff',
      'notify',
      'advance half 0.5',
      'advance full 1',
      'complete',
    ]);
    const at = (type: string, to?: string) =>
      (end.log.find(
        (d) => d.type === type && (to === undefined || ('toPhase' in d && d.toPhase === to)),
      )?.at ?? 0) - T0;
    // Each phase lasts its minimum duration, rounded up to the next look.
    expect(at('advance', 'early')).toBe(2 * H);
    expect(at('advance', 'quarter')).toBe(8 * H);
    // half's sign-off is requested when quarter is otherwise ready, answered 30 minutes later.
    expect(at('request-signoff')).toBe(32 * H);
    expect(at('advance', 'half')).toBe(32 * H + 30 * M);
    expect(at('advance', 'full')).toBe(56 * H + 30 * M);
    const complete = end.log.at(-1);
    expect(complete).toMatchObject({ type: 'complete', rule: 'bake-complete' });
    expect(complete?.at).toBe(T0 + 104 * H + 30 * M);
    // At 100% the comparisons have no control arm; the completion says so.
    expect(complete?.reason).toMatch(/without a control arm at 100%/);
    const half = end.log.find((d) => d.type === 'advance' && d.toPhase === 'half');
    expect(half?.evidence.signoff?.roles).toEqual([
      { role: 'product', quorum: 1, approvers: ['pia'], rejections: [] },
    ]);
  });

  it('goes on to fully live while api_calls_per_checkout breaches all along: advisory, one notify per phase', () => {
    const clean = drive(CHECKOUT, start(), T0 + 10 * 24 * H);
    const end = drive(CHECKOUT, start(), T0 + 10 * 24 * H, () => ({
      api_calls_per_checkout: 'breach',
    }));
    expect(end.state.status).toBe('completed');
    // Not a minute later than without the breach: it blocks nothing.
    const times = (w: Walk) =>
      w.log.filter((d) => d.type !== 'notify').map((d) => `${d.type} ${d.at - T0}`);
    expect(times(end)).toEqual(times(clean));
    const notices = end.log.filter(
      (d) => d.type === 'notify' && d.kpi === 'api_calls_per_checkout',
    );
    expect(notices.map((d) => ('key' in d ? d.key : ''))).toEqual(
      ['canary', 'early', 'quarter', 'half', 'full'].map(
        (phase) => `${phase}:guard-breach:api_calls_per_checkout:web-checkout`,
      ),
    );
    expect(notices[0]?.reason).toMatch(/advisory: the plan only notifies/);
    const advances = end.log.filter((d) => d.type === 'advance' || d.type === 'complete');
    for (const d of advances)
      expect(d.reason).toMatch(
        /api_calls_per_checkout breaches its guard \(\+14% \[\+8%, \+20%\] > 10%\): advisory, the plan only notifies — (advancing|completing) anyway$/,
      );
  });

  it('rolls back at once when payment errors breach, notifying every target once', () => {
    const inEarly = drive(CHECKOUT, start(), T0 + 3 * H);
    expect(inEarly.state.phase).toBe('early');
    const end = drive(CHECKOUT, inEarly, T0 + 10 * 24 * H, (now): Record<string, Verdict> =>
      now >= T0 + 4 * H ? { payment_errors: 'breach' } : {},
    );
    expect(end.state.status).toBe('rolled-back');
    expect(end.state.traffic).toBe(0);
    const last = end.log.slice(-4);
    expect(last.map((d) => (d.type === 'notify' ? `notify ${d.to}` : d.type))).toEqual([
      'rollback',
      'notify web-checkout-oncall',
      'notify #checkout-launch',
      'notify payments-oncall',
    ]);
    expect(last[0]).toMatchObject({ at: T0 + 4 * H, rule: 'guard-breach', phase: 'early' });
    expect(last[0]?.evidence.risks?.map((r) => r.id)).toEqual(['R3']);
    expect(last.slice(1).map((d) => ('key' in d ? d.key : ''))).toEqual([
      'early:guard-breach:payment_errors:web-checkout-oncall',
      'early:guard-breach:payment_errors:#checkout-launch',
      'early:risk-contingency:payment_errors:payments-oncall',
    ]);
  });

  it('pauses on a conversion breach, waits for an operator, then carries on to fully live', () => {
    const inCanary = drive(CHECKOUT, start(), T0 + H);
    const breached = drive(CHECKOUT, inCanary, T0 + 3 * H, () => ({ conversion: 'breach' }));
    expect(breached.state.status).toBe('paused');
    expect(breached.log.map((d) => d.type)).toEqual(['pause', 'notify']);
    expect(breached.log[0]?.reason).toMatch(/^conversion breached its guard .*: pausing/);
    // Paused with everything met: no advance however long it waits.
    const waited = drive(CHECKOUT, breached, T0 + 12 * H);
    expect(waited.log).toHaveLength(2);
    expect(waited.state.phase).toBe('canary');
    const resume = operatorAction(waited.state, {
      type: 'resume',
      reason: 'the drop was a tracking outage, fixed',
      actor: 'ana',
      now: waited.now,
    });
    if ('error' in resume) throw new Error(resume.error);
    const resumed = {
      ...waited,
      state: applyDecision(waited.state, resume),
      log: [...waited.log, resume],
    };
    const end = drive(CHECKOUT, resumed, T0 + 12 * 24 * H);
    expect(end.state.status).toBe('completed');
  });
});
