/**
 * A person's promote (advance now) or skip (over the next phase), checked like
 * any other decision: never past a sign-off the plan requires, a blocking
 * breach, a hold that is not about missing evidence, or an unanswered ask.
 * What it waives is only time, sample size and missing evidence — the
 * conditions a person can judge and the record names.
 */
import { formatShare } from '../plan/index.js';
import type { Phase, Plan } from '../plan/index.js';
import { answerAsks } from './answer-asks.js';
import { classify } from './classify-verdicts.js';
import { countSignoff, formatCounts } from './count-signoff.js';
import type { Decision } from './decision.js';
import type { Evidence } from './evidence.js';
import type { LaunchState } from './launch-state.js';
import { startRun } from './look-run.js';
import { timeRuleAt } from './time-rules.js';
import { planIndex } from './plan-index.js';
import { plannedSplit } from './planned-split.js';

/** What an operator asks for. */
export interface OperatorAdvanceInput {
  type: 'promote' | 'skip';
  reason: string;
  actor: string;
  /** When (ms). */
  now: number;
}

/** Why a promote or skip is refused: one sentence, and each thing that blocks it. */
export interface OperatorAdvanceRefusal {
  error: string;
  blocking: string[];
}

/**
 * Turn a promote or skip into an advance (or complete) decision against the
 * launch's state and the evidence of a look taken now, or say what blocks it.
 * Pure; never throws.
 */
export function operatorAdvance(
  plan: Plan,
  state: LaunchState,
  evidence: Evidence,
  input: OperatorAdvanceInput,
): Decision | OperatorAdvanceRefusal {
  const { type, now } = input;
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  const actor = typeof input.actor === 'string' ? input.actor.trim() : '';
  if (type !== 'promote' && type !== 'skip')
    return refusal(`type: must be promote or skip (got ${JSON.stringify(type)})`);
  if (reason === '')
    return refusal('reason: say why, in a sentence (it goes into the launch record)');
  if (actor === '') return refusal('actor: name who is acting');
  if (typeof now !== 'number' || !Number.isFinite(now))
    return refusal('now: must be a time in milliseconds');
  if (state.status === 'rolled-back' || state.status === 'completed')
    return refusal(
      `the launch has ${state.status === 'completed' ? 'completed' : 'rolled back'}; nothing to ${type}`,
    );
  if (state.status === 'paused')
    return refusal(`the launch is paused; resume it before you ${type}`, ['paused']);

  const from = state.phaseIndex;
  const next = from + 1;
  const to = type === 'promote' ? next : from + 2;
  const last = plan.phases.length - 1;
  if (type === 'skip' && to > last)
    return refusal(
      from >= last
        ? 'the launch is in its last phase: there is no phase to skip'
        : `${plan.phases[next]?.name ?? 'the next phase'} is the last phase: a launch cannot skip to completion; promote instead`,
    );

  const blocking: string[] = [];
  const run = startRun(plan, state, evidence, now, false);
  if (from >= 0) {
    const index = planIndex(plan);
    const v = classify(run, index.kpis, plannedSplit(plan, state.traffic).control > 0);
    for (const i of v.breach)
      if (!v.advisory.includes(i)) blocking.push(`a breach of ${index.kpis[i]?.name ?? 'a KPI'}`);
    const unanswered = answerAsks(run).unanswered;
    for (const id of unanswered) {
      const ask = state.asks.find((a) => a.id === id);
      blocking.push(
        ask === undefined
          ? `the unanswered ask ${id}`
          : `the unanswered ask about ${ask.kpi} (sign-off of ${ask.roles.join(', ')})`,
      );
    }
  }
  for (const h of state.holds) {
    // Missing evidence is what a person may judge; every other hold names a fault.
    if (h.rule === 'insufficient-evidence') continue;
    if (h.rule === 'guard-breach' || h.rule === 'risk-contingency') {
      if (h.kpi !== undefined && blocking.includes(`a breach of ${h.kpi}`)) continue;
      blocking.push(`the hold on ${h.kpi ?? h.id} (a breach)`);
    } else if (h.rule === 'srm')
      blocking.push('the hold on a broken split (sample-ratio mismatch)');
    else if (h.rule === 'router') blocking.push('the router has not confirmed the current share');
    else blocking.push(`the hold ${h.id}`);
  }
  const approvals = Array.isArray(evidence?.approvals) ? evidence.approvals : [];
  const entered: Phase[] = [];
  for (let i = next; i <= Math.min(to, last); i++) {
    const phase = plan.phases[i];
    if (phase === undefined) continue;
    entered.push(phase);
    if (phase.signoff === undefined) continue;
    const count = countSignoff(
      plan,
      state,
      approvals,
      phase.name,
      phase.signoff.roles,
      -Infinity,
      now,
    );
    if (!count.met) blocking.push(`the sign-off for ${phase.name} (${formatCounts(count)})`);
  }
  const window = timeRuleAt(evidence?.timeRules, now);
  if (!window.open) blocking.push(window.reason);
  if (blocking.length > 0)
    return refusal(`cannot ${type}: blocked by ${blocking.join('; ')}`, blocking);

  const base = {
    at: now,
    rule: 'operator' as const,
    phase: state.phase,
    phaseIndex: from,
    planVersion: state.planVersion,
    evidence: { units: unitsOf(evidence) },
    actor,
  };
  if (to > last)
    return {
      ...base,
      type: 'complete',
      operator: 'promote',
      reason: `promoted by ${actor} to completion: ${reason}`,
    };
  const target = plan.phases[to] as Phase;
  const skipped = type === 'skip' ? [entered[0]?.name ?? ''] : [];
  const words =
    type === 'skip'
      ? `skipped ${skipped.join(', ')} by ${actor}, advancing to ${target.name} at ${formatShare(target.traffic)}`
      : `promoted by ${actor} to ${target.name} at ${formatShare(target.traffic)}`;
  return {
    ...base,
    type: 'advance',
    from,
    to,
    fromPhase: state.phase,
    toPhase: target.name,
    traffic: target.traffic,
    startsBake: to === last && target.bake !== undefined,
    operator: type,
    ...(type === 'skip' ? { skipped } : {}),
    reason: `${words}: ${reason}`,
  };
}

function refusal(error: string, blocking: string[] = []): OperatorAdvanceRefusal {
  return { error, blocking };
}

function unitsOf(evidence: Evidence): { treatment: number; control: number } {
  const u = evidence?.units;
  return {
    treatment: typeof u?.treatment === 'number' ? u.treatment : 0,
    control: typeof u?.control === 'number' ? u.control : 0,
  };
}
