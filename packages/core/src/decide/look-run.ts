/** The working state of one look: decisions so far and the state they lead to. */
import type { Plan } from '../plan/index.js';
import type { GuardResult } from '../statistics/index.js';
import { applyDecision } from './apply-decision.js';
import type { Decision, DecisionBase, DecisionEvidence, DecisionRule } from './decision.js';
import type { Evidence } from './evidence.js';
import type { Hold, LaunchState, LaunchStatus } from './launch-state.js';

/** One look in progress. */
export interface LookRun {
  plan: Plan;
  state: LaunchState;
  evidence: Evidence;
  guards: readonly GuardResult[];
  now: number;
  decisions: Decision[];
  /** Status after the decisions so far. */
  status: LaunchStatus;
  /** Holds after the decisions so far (copied on first change). */
  holds: Hold[];
  /** Keys taken in this look (with state.fired: never repeat). */
  keys: string[] | null;
  /** Whether the look carries its conditions (and summary, see `summarize`). */
  explain: boolean;
  /** Whether an explained look carries its summary too. */
  summarize: boolean;
}

/** Start a look. */
export function startRun(
  plan: Plan,
  state: LaunchState,
  evidence: Evidence,
  now: number,
  explain: boolean,
  summarize = explain,
): LookRun {
  const guards = Array.isArray(evidence?.guards) ? evidence.guards : [];
  return {
    plan,
    state,
    evidence,
    guards,
    now,
    decisions: [],
    status: state.status,
    holds: state.holds,
    keys: null,
    explain,
    summarize: explain && summarize,
  };
}

/** What a decision adds to the fields every decision of a look shares. */
export type DecisionFields = Decision extends infer D
  ? D extends Decision
    ? Omit<D, keyof DecisionBase>
    : never
  : never;

/**
 * A decision of this look. Built by adding fields to one object: spreading a
 * fresh object into a literal with new keys costs microseconds per call in V8 11.
 */
export function decision(
  run: LookRun,
  rule: DecisionRule,
  reason: string,
  evidence: DecisionEvidence,
  fields: DecisionFields,
): Decision {
  const d = {
    type: fields.type,
    at: run.now,
    reason,
    rule,
    phase: run.state.phase,
    phaseIndex: run.state.phaseIndex,
    planVersion: run.state.planVersion,
    evidence,
  };
  return Object.assign(d, fields) as Decision;
}

/** Whether a one-shot key was taken before or in this look. */
export function taken(run: LookRun, key: string): boolean {
  return run.state.fired.includes(key) || (run.keys !== null && run.keys.includes(key));
}

/** Record a decision and what it changes for the rest of the look. */
export function emit(run: LookRun, d: Decision): void {
  run.decisions.push(d);
  if ('key' in d && d.key !== undefined) (run.keys ??= []).push(d.key);
  switch (d.type) {
    case 'pause':
      run.status = 'paused';
      break;
    case 'rollback':
      run.status = 'rolled-back';
      break;
    case 'complete':
      run.status = 'completed';
      break;
    case 'hold':
    case 'release-hold':
      run.holds = applyDecision({ ...run.state, holds: run.holds }, d).holds;
      break;
    default:
      break;
  }
}

/** Whether a hold is in force (after the decisions so far). */
export function holding(run: LookRun, id: string): boolean {
  for (const h of run.holds) if (h.id === id) return true;
  return false;
}

/** "text." -> "text": reasons from elsewhere are embedded in sentences. */
export function clause(text: unknown): string {
  if (typeof text !== 'string') return '';
  return text.trim().replace(/\.$/, '');
}
