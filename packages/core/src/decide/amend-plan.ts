/**
 * A person moves a running launch onto a newer version of its plan. The launch
 * keeps its phase (by name) and its salt; the record carries what changed, and
 * the new version's sign-off policy says whether approvals start over.
 */
import type { Plan } from '../plan/index.js';
import type { AmendDecision, PlanChange } from './decision.js';
import type { LaunchState } from './launch-state.js';
import { PRE_START_PHASE } from './launch-state.js';

/** What an operator asks for. */
export interface AmendInput {
  /** The version the launch runs now, and the one it moves to. */
  toVersion: number;
  reason: string;
  actor: string;
  /** When (ms). */
  now: number;
}

const MAX_CHANGES = 200;

/**
 * The amend decision, or why the launch cannot move to `next` (the error names
 * the field). Pure; never throws on well-formed plans.
 */
export function amendPlan(
  current: Plan,
  next: Plan,
  state: LaunchState,
  input: AmendInput,
): AmendDecision | { error: string } {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  const actor = typeof input.actor === 'string' ? input.actor.trim() : '';
  if (reason === '')
    return { error: 'reason: say why, in a sentence (it goes into the launch record)' };
  if (actor === '') return { error: 'actor: name who is acting' };
  if (state.status !== 'running' && state.status !== 'paused')
    return {
      error: `the launch has ${state.status === 'completed' ? 'completed' : 'rolled back'}; only a running or paused launch can be amended`,
    };
  if (!(input.toVersion > state.planVersion))
    return {
      error: `version: must be newer than the running version ${state.planVersion} (got ${input.toVersion})`,
    };
  if (next.launch !== current.launch)
    return { error: `version: belongs to plan ${next.launch}, not ${current.launch}` };
  if (next.flag !== current.flag)
    return {
      error: `version: changes the flag from ${current.flag} to ${next.flag}; start a new launch instead`,
    };
  if (next.unit !== current.unit)
    return {
      error: `version: changes the unit from ${current.unit} to ${next.unit}; start a new launch instead`,
    };
  if (JSON.stringify(next.router ?? null) !== JSON.stringify(current.router ?? null))
    return { error: 'version: changes the router; start a new launch instead' };
  let toPhaseIndex = -1;
  if (state.phase !== PRE_START_PHASE) {
    toPhaseIndex = next.phases.findIndex((p) => p.name === state.phase);
    if (toPhaseIndex < 0)
      return {
        error: `version: has no phase ${state.phase}, the phase the launch is in; keep its name`,
      };
    const share = next.phases[toPhaseIndex]?.traffic;
    if (share !== state.traffic)
      return {
        error: `version: phase ${state.phase} has another share (${share}) than the launch holds (${state.traffic}); amend the phases after it instead`,
      };
  }
  const changes: PlanChange[] = [];
  diffValues(current, next, '', changes);
  if (changes.length === 0) return { error: 'version: changes nothing in the plan' };
  const resetsApprovals = next.signoff?.reset_on_edit ?? true;
  return {
    type: 'amend',
    at: input.now,
    rule: 'operator',
    phase: state.phase,
    phaseIndex: state.phaseIndex,
    planVersion: state.planVersion,
    evidence: {},
    actor,
    fromVersion: state.planVersion,
    toVersion: input.toVersion,
    toPhaseIndex,
    changes: changes.slice(0, MAX_CHANGES),
    truncated: changes.length > MAX_CHANGES,
    resetsApprovals,
    reason: `amended by ${actor} from version ${state.planVersion} to ${input.toVersion} (${changes.length} change${changes.length === 1 ? '' : 's'}${resetsApprovals ? '; approvals start over' : ''}): ${reason}`,
  };
}

/** The values that differ between two plans (JSON paths like `phases[1].min_duration`). */
export function diffPlans(a: Plan, b: Plan): PlanChange[] {
  const out: PlanChange[] = [];
  diffValues(a, b, '', out);
  return out;
}

function diffValues(a: unknown, b: unknown, path: string, out: PlanChange[]): void {
  if (out.length > MAX_CHANGES) return;
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      diffValues(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValues(a[k], b[k], path === '' ? k : `${path}.${k}`, out);
    return;
  }
  out.push({
    path: path === '' ? '(plan)' : path,
    ...(a === undefined ? {} : { from: a }),
    ...(b === undefined ? {} : { to: b }),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
