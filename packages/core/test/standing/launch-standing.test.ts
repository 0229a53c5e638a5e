/**
 * launchStanding(): where a launch stands, from a log written the way the
 * controller writes it (each look's decisions, then the look itself) by the
 * real decide() and operatorAction(). Every screen shows this, so each case is
 * one of the contradictions issue 17 found.
 */
import { describe, expect, it } from 'vitest';
import { applyDecision, decide, launchStanding, operatorAction } from '../../src/index.js';
import type {
  Decision,
  Evidence,
  LaunchState,
  LoggedDecision,
  Plan,
  StandingLook,
} from '../../src/index.js';
import { H, M, T0, evidence, plan, stateIn } from '../decide/fixtures.js';

const YAML = `launch: search-v3
owner: search-team
flag: search-v3
phases:
  - { name: canary, traffic: 20%, min_duration: 1h, min_units: 100 }
  - { name: half, traffic: 50%, min_duration: 1h, min_units: 100, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h, bake: 2h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 10% }, on_breach: notify }
    - { name: latency, kind: mean, event: l, guard: { max_increase: 5% }, on_breach: pause }
risks:
  - { id: R7, title: Ranking errors under load, likelihood: 4, impact: 4, owner: oncall, watch: [errors], contingency: [rollback, { notify: oncall }] }
signoff:
  roles: { product: 1 }
`;
const P: Plan = plan(YAML);

/** A launch log as the controller writes it. */
class Log {
  seq = 1;
  state: LaunchState;
  look: StandingLook | null = null;
  decision: LoggedDecision | null = null;
  pause: LoggedDecision | null = null;
  constructor(state: LaunchState) {
    this.state = state;
  }
  private append(d: Decision, actor: string): void {
    this.seq++;
    this.state = applyDecision(this.state, d);
    if (d.type === 'notify' || d.type === 'webhook') return;
    this.decision = { seq: this.seq, actor, decision: d };
    if (d.type === 'pause') this.pause = this.decision;
  }
  /** One look: decide(), its decisions, then the look recorded. */
  at(now: number, e: Evidence): Decision[] {
    const { decisions, look } = decide(P, this.state, e, now);
    for (const d of decisions) this.append(d, 'controller');
    this.seq++;
    this.look = {
      ...look,
      seq: this.seq,
      units: e.units,
      kpis: e.guards.map((g) => ({
        kpi: g.kpi,
        verdict: g.verdict,
        bad: g.comparison?.bad ?? null,
        units: g.units,
      })),
    };
    return decisions;
  }
  /** A person's pause, resume or rollback (no look). */
  act(type: 'pause' | 'resume' | 'rollback', actor: string, reason: string, now: number): void {
    const d = operatorAction(this.state, { type, actor, reason, now });
    if ('error' in d) throw new Error(d.error);
    this.append(d, actor);
  }
  standing(noExposureWarningMs: number | null = null) {
    return launchStanding({
      plan: P,
      state: this.state,
      look: this.look,
      decision: this.decision,
      pause: this.pause,
      noExposureWarningMs,
    });
  }
}

const ready = T0 + 2 * H;

describe('launchStanding', () => {
  it('a rollback: breach badge, the cause once in figures, no next step, the deciding look', () => {
    const log = new Log(stateIn(P, 0, T0));
    log.at(T0 + 10 * M, evidence(P));
    const decided = log.at(T0 + 20 * M, evidence(P, { verdicts: { errors: 'breach' } }));
    expect(decided.map((d) => d.type)).toEqual(['rollback', 'notify', 'notify']);
    const s = log.standing();
    expect(s).toMatchObject({
      status: 'rolled-back',
      state: 'rolled-back',
      label: 'rolled back',
      health: 'breach',
      next: null,
      nextStep: null,
      look: { seq: log.seq, at: T0 + 20 * M },
      decision: { type: 'rollback', rule: 'risk-contingency', actor: 'controller' },
    });
    expect(s.sentence).toBe(
      'Rolled back to 0% in canary by the contingency of risk R7 (Ranking errors under load): errors +14% [+8%, +20%] > 10%.',
    );
    expect(s.kpis).toEqual([
      { kpi: 'errors', verdict: 'breach' },
      { kpi: 'latency', verdict: 'pass' },
    ]);
    // The look's own line does not say it twice either.
    expect(log.look?.summary).not.toMatch(/rolled back.*rolling back/);
  });

  it('an older log without the deciding look still shows the breach the decision carried', () => {
    const log = new Log(stateIn(P, 0, T0));
    log.at(T0 + 10 * M, evidence(P));
    const before = log.look;
    log.at(T0 + 20 * M, evidence(P, { verdicts: { errors: 'breach' } }));
    log.look = before;
    const s = log.standing();
    expect(s.health).toBe('breach');
    expect(s.kpis).toContainEqual({ kpi: 'errors', verdict: 'breach' });
  });

  it("a person's rollback: their words, once", () => {
    const log = new Log(stateIn(P, 0, T0));
    log.at(T0 + 10 * M, evidence(P));
    log.act('rollback', 'alice', 'support is flooded.', T0 + 11 * M);
    const s = log.standing();
    expect(s.sentence).toBe('Rolled back to 0% in canary by alice: support is flooded.');
    expect(s.health).toBe('pass');
  });

  it('paused: why it paused, not a later hold nor the older look; the next step is a resume', () => {
    const log = new Log(stateIn(P, 0, T0));
    log.at(T0 + 10 * M, evidence(P));
    log.at(T0 + 20 * M, evidence(P, { verdicts: { latency: 'breach' } }));
    expect(log.decision?.decision.type).toBe('pause');
    // A later look while paused may hold on the split: the pause still says why.
    log.at(T0 + 30 * M, {
      ...evidence(P),
      srm: { ...evidence(P).srm, healthy: false, pValue: 1e-9 },
    });
    expect(log.decision?.decision.type).toBe('hold');
    const s = log.standing();
    expect(s.state).toBe('paused');
    expect(s.sentence).toBe(
      'Paused in canary by the on_breach of latency: latency +14% [+8%, +20%] > 10%.',
    );
    expect(s.nextStep).toBe('stays paused until an operator resumes it');
    expect(s.decision?.type).toBe('pause');

    const byPerson = new Log(stateIn(P, 0, T0));
    byPerson.at(T0 + 10 * M, evidence(P));
    byPerson.act('pause', 'olivia', 'support queue is spiking', T0 + 12 * M);
    const p = byPerson.standing();
    expect(p.sentence).toBe('Paused in canary by olivia: support queue is spiking.');
    // The look before the pause said "waiting": never shown as where it stands now.
    expect(p.sentence).not.toMatch(/waiting/i);
    expect(p.health).toBe('pass');
  });

  it('after a resume, the look from before the pause is not current', () => {
    const log = new Log(stateIn(P, 0, T0));
    log.at(T0 + 10 * M, evidence(P));
    log.act('pause', 'olivia', 'support queue is spiking', T0 + 12 * M);
    log.at(T0 + 14 * M, evidence(P));
    log.act('resume', 'olivia', 'queue back to normal', T0 + 16 * M);
    const s = log.standing();
    expect(s.state).toBe('waiting');
    expect(s.sentence).toBe('Resumed in canary by olivia: queue back to normal; no look since.');
    log.at(T0 + 18 * M, evidence(P));
    expect(log.standing().sentence).toMatch(/^Waiting: /);
  });

  it('after an advance, the look that advanced is not shown as the new phase', () => {
    const log = new Log(stateIn(P, 0, T0));
    const moved = log.at(ready, evidence(P));
    expect(moved.map((d) => d.type)).toContain('request-signoff');
    expect(log.standing()).toMatchObject({
      state: 'waiting-for-signoff',
      sentence: 'Waiting for sign-off to enter half: product 0/1.',
      nextStep: 'advances to half at 50% once product signs off',
    });
    const approvals = [
      {
        role: 'product',
        phase: 'half',
        decision: 'approve' as const,
        actor: 'pia',
        planVersion: 1,
        at: ready + M,
      },
    ];
    const advanced = log.at(ready + 2 * M, { ...evidence(P), approvals });
    expect(advanced.map((d) => d.type)).toEqual(['advance']);
    expect(log.look?.state).toBe('advancing');
    const s = log.standing();
    expect(s.state).toBe('waiting');
    expect(s.phase).toBe('half');
    expect(s.sentence).toBe('Advanced to half at 50%; no look in half yet.');
    expect(s.sentence).not.toMatch(/ready|advancing/);
    expect(s.health).toBe('none');
    expect(s.healthText).toBe('no look yet');
    expect(s.next).toEqual({ phase: 'full', phaseIndex: 2, traffic: 1 });
  });

  it('completed at 100% without a control arm: not comparable, and says so', () => {
    const log = new Log(stateIn(P, 2, T0));
    const done = log.at(T0 + 3 * H, evidence(P, { units: [5000, 0], guardUnits: [5000, 0] }));
    expect(done.map((d) => d.type)).toEqual(['complete']);
    const s = log.standing();
    expect(s.state).toBe('completed');
    expect(s.sentence).toBe(
      'Completed: fully live at 100% after a 2h bake in full; no guard checked (no control arm at 100%).',
    );
    expect(s.health).toBe('not-comparable');
    expect(s.kpis.every((k) => k.verdict === 'not-comparable')).toBe(true);
    expect(s.sentence).not.toMatch(/baking|not enough evidence/);
  });

  it('warns when nobody is exposed for the setting, as of the look, and only then', () => {
    const quiet = (at: number, setting: number | null) => {
      const log = new Log(stateIn(P, 0, T0));
      log.at(at, evidence(P, { units: [0, 0], verdicts: { errors: 'insufficient-evidence' } }));
      return log.standing(setting);
    };
    const s = quiet(T0 + 10 * M, 5 * M);
    expect(s.state).toBe('no-exposures');
    expect(s.label).toBe('no exposures');
    expect(s.sentence).toBe(
      'No exposures: no unit has seen flag search-v3 in canary at 20% for 10m; check that the SDK evaluates the flag and that the audience matches someone.',
    );
    expect(s.warnings).toMatchObject([{ id: 'no-exposures', phase: 'canary', since: T0 }]);
    expect(quiet(T0 + 4 * M, 5 * M).state).toBe('waiting');
    expect(quiet(T0 + 10 * M, null).warnings).toEqual([]);
  });
});
