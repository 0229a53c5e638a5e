/**
 * Everything decide() needs that is not in the plan or the evidence. It is
 * rebuilt from the launch's log of decisions (applyDecision folds them), so it
 * holds plain JSON only: the server stores it as it is.
 */
import type { Plan } from '../plan/index.js';

/** Where a launch stands: only running launches advance; the last two are terminal. */
export type LaunchStatus = 'running' | 'paused' | 'rolled-back' | 'completed';

/**
 * Phase name used while a launch waits for the first phase's own sign-off
 * (phaseIndex -1, traffic 0). Parentheses never occur in plan phase names.
 */
export const PRE_START_PHASE = '(start)';

/** Why a hold exists; it is released by the rule that set it. */
export type HoldRule =
  | 'guard-breach'
  | 'risk-contingency'
  | 'insufficient-evidence'
  | 'srm'
  | 'signoff-deadline'
  | 'router'
  | 'readiness-check';

/** A hold: the launch stays in its phase until the condition clears (then a release-hold). */
export interface Hold {
  /** Stable id: `srm`, `router`, `breach:<kpi>`, `insufficient:<kpi>` or `signoff-deadline:<phase>`. */
  id: string;
  rule: HoldRule;
  /** The KPI whose verdict holds the launch, if any. */
  kpi?: string;
  /** The phase whose sign-off missed its deadline (signoff-deadline holds). */
  forPhase?: string;
  /** When the hold started (ms). */
  since: number;
  reason: string;
}

/** An `ask` in force: advancing stops until each role reaches its quorum with approvals given after `since`. */
export interface PendingAsk {
  /** Stable id: `breach:<kpi>` or `insufficient:<kpi>`. */
  id: string;
  rule: 'guard-breach' | 'risk-contingency' | 'insufficient-evidence';
  kpi: string;
  roles: string[];
  /** The phase the approvals must name (the phase the launch is in). */
  phase: string;
  since: number;
  reason: string;
}

/** A sign-off requested from one role for entering one phase; the deadline runs from the request. */
export interface SignoffRequest {
  /** The phase this sign-off gates (the phase to be entered). */
  phase: string;
  role: string;
  requestedAt: number;
  /** Absolute deadline (ms), or null when neither phase, role nor policy sets one. */
  deadlineAt: number | null;
  /** Set once the deadline passed without quorum (a signoff-expired decision). */
  expired: boolean;
}

/** Why a launch is paused, and by whom. */
export interface PauseInfo {
  /** 'operator' for a person; otherwise the rule that paused it. */
  rule: string;
  reason: string;
  since: number;
  /** The person who paused it (operator pauses only). */
  actor?: string;
}

/** The launch state decide() reads: plain JSON, rebuilt by folding decisions with applyDecision. */
export interface LaunchState {
  status: LaunchStatus;
  /** Plan version the launch runs; approvals count for this version only when reset_on_edit. */
  planVersion: number;
  /** When the launch was started (ms). */
  startedAt: number;
  /** People who started or edited the launch: their approvals do not count unless allow_self_approval. */
  authors: string[];
  /** Index into plan.phases; -1 while waiting for the first phase's own sign-off. */
  phaseIndex: number;
  /** Name of that phase ({@link PRE_START_PHASE} before the first phase). */
  phase: string;
  /** When the current phase was entered (ms). */
  phaseStartedAt: number;
  /** Share of units in treatment now, 0 to 1 (0 before start and after rollback). */
  traffic: number;
  /** When the bake of the last phase started (ms), or null when not baking. */
  bakeStartedAt: number | null;
  /** Set while paused. */
  pause: PauseInfo | null;
  /** Holds in force. */
  holds: Hold[];
  /** Asks raised in the current phase (answered ones stay until the phase changes; answers come from approvals). */
  asks: PendingAsk[];
  /** Sign-off requests made, per phase and role. */
  signoffRequests: SignoffRequest[];
  /** Keys of one-shot decisions already taken (notify, webhook, extend, automatic pause, ask, rejection): never repeated. */
  fired: string[];
  /** A scheduled start: the first phase opens no earlier than this (ms); absent or null when not scheduled. */
  notBefore?: number | null;
}

/** Options for {@link initialLaunchState}. */
export interface InitialLaunchStateOptions {
  planVersion: number;
  /** Start time (ms). */
  now: number;
  /** Who started the launch (cannot approve it unless allow_self_approval). */
  startedBy?: string;
}

/**
 * The state of a launch at its start: in the first phase at its traffic, or,
 * when the first phase has its own sign-off, before it with traffic 0.
 */
export function initialLaunchState(plan: Plan, options: InitialLaunchStateOptions): LaunchState {
  const first = plan.phases[0];
  const gated = first === undefined || first.signoff !== undefined;
  const single = plan.phases.length === 1;
  return {
    status: 'running',
    planVersion: options.planVersion,
    startedAt: options.now,
    authors: options.startedBy === undefined ? [] : [options.startedBy],
    phaseIndex: gated ? -1 : 0,
    phase: gated || first === undefined ? PRE_START_PHASE : first.name,
    phaseStartedAt: options.now,
    traffic: gated || first === undefined ? 0 : first.traffic,
    bakeStartedAt: !gated && single && first?.bake !== undefined ? options.now : null,
    pause: null,
    holds: [],
    asks: [],
    signoffRequests: [],
    fired: [],
  };
}
