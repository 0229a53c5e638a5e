/** A person's pause, resume or rollback, checked against the launch's status like any other decision. */
import type { Decision } from './decision.js';
import type { LaunchState } from './launch-state.js';

/** What an operator asks for. */
export interface OperatorActionInput {
  type: 'pause' | 'resume' | 'rollback';
  /** Why, in the operator's words (required: it goes into the record). */
  reason: string;
  /** Who (required). */
  actor: string;
  /** When (ms). */
  now: number;
}

const TYPES = ['pause', 'resume', 'rollback'];

/**
 * Turn an operator's request into a decision for the launch's log, or explain
 * why it cannot apply (the error names the field or the status). Never throws.
 */
export function operatorAction(
  state: LaunchState,
  input: OperatorActionInput,
): Decision | { error: string } {
  const raw = input as unknown as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) return { error: 'the action must be an object' };
  const { type, reason, actor, now } = raw;
  if (typeof type !== 'string' || !TYPES.includes(type))
    return { error: `type: must be one of pause, resume, rollback (got ${JSON.stringify(type)})` };
  if (typeof reason !== 'string' || reason.trim() === '')
    return { error: 'reason: say why, in a sentence (it goes into the launch record)' };
  if (typeof actor !== 'string' || actor.trim() === '')
    return { error: 'actor: name who is acting' };
  if (typeof now !== 'number' || !Number.isFinite(now))
    return { error: 'now: must be a time in milliseconds' };

  const status = state.status;
  if (status === 'rolled-back' || status === 'completed')
    return {
      error: `the launch has ${status === 'completed' ? 'completed' : 'rolled back'}; nothing to ${type === 'rollback' ? 'roll back' : type}`,
    };
  const base = {
    at: now,
    rule: 'operator' as const,
    phase: state.phase,
    phaseIndex: state.phaseIndex,
    planVersion: state.planVersion,
    evidence: {},
    actor: actor.trim(),
  };
  const words = reason.trim();
  if (type === 'pause') {
    if (status === 'paused') return { error: 'the launch is paused already' };
    return { ...base, type: 'pause', reason: `paused by ${base.actor}: ${words}` };
  }
  if (type === 'resume') {
    if (status !== 'paused') return { error: 'the launch is not paused; nothing to resume' };
    return { ...base, type: 'resume', reason: `resumed by ${base.actor}: ${words}` };
  }
  return {
    ...base,
    type: 'rollback',
    traffic: 0,
    reason: `rolled back by ${base.actor}: ${words}`,
  };
}
