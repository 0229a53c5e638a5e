/** What decide() (or an operator) decided at one look, with the evidence behind it. */
import type { Action, InsufficientEvidenceAction } from '../plan/index.js';
import type { GuardResult, SrmResult } from '../statistics/index.js';

/** Machine id of the rule that fired. */
export type DecisionRule =
  /** All conditions of the phase were met: advance, or complete a last phase without bake. */
  | 'phase-ready'
  /** The last phase's bake passed with every condition met. */
  | 'bake-complete'
  /** A KPI breached; the action came from its own on_breach. */
  | 'guard-breach'
  /** A KPI breached; the action came from the contingency of a risk that watches it. */
  | 'risk-contingency'
  /** A KPI lacked the evidence for a verdict; the action came from its on_insufficient. */
  | 'insufficient-evidence'
  /** Sample-ratio mismatch: the split is broken (or healthy again). */
  | 'srm'
  /** A phase's sign-off: requested, or reached quorum (releasing a deadline hold). */
  | 'signoff-quorum'
  /** A sign-off passed its deadline without quorum. */
  | 'signoff-deadline'
  /** A required role rejected a sign-off or an ask. */
  | 'signoff-rejected'
  /** A person's pause, resume, rollback, promote, skip or amendment. */
  | 'operator'
  /** The traffic router has not confirmed the launch's weight (or confirmed it again). */
  | 'router'
  /** A blocking automated readiness check (a probe) fails (or passes again). */
  | 'readiness-check';

/** Approvals of one role counted against its quorum. */
export interface RoleCount {
  role: string;
  quorum: number;
  /** Distinct actors whose latest answer approves (and counts: right version, not an author, in time). */
  approvers: string[];
  /** Actors whose latest answer rejects, when, and their comment. */
  rejections: { actor: string; at: number; comment?: string }[];
}

/** A sign-off or an ask, counted: met when every role reached its quorum and nobody rejected. */
export interface SignoffCount {
  /** The phase the answers must name. */
  phase: string;
  met: boolean;
  roles: RoleCount[];
}

/** A risk whose contingency applied. */
export interface AppliedRisk {
  id: string;
  title: string;
  owner: string;
  contingency: Action[];
}

/** The evidence behind a decision; fields appear when they bear on it. */
export interface DecisionEvidence {
  /** Guard results (verdict, estimate, interval, margin, units) of the KPIs involved; all KPIs for advance/complete. */
  guards?: GuardResult[];
  srm?: SrmResult;
  units?: { treatment: number; control: number };
  /** The KPI's own actions that applied (on_breach, or on_insufficient). */
  actions?: (Action | InsufficientEvidenceAction)[];
  /** Risks watching the KPI, with the contingencies that applied. */
  risks?: AppliedRisk[];
  /** Approvals counted per role against quorum. */
  signoff?: SignoffCount;
  /** Time in the phase at this look (ms). */
  elapsedMs?: number;
}

/** Fields every decision carries. */
export interface DecisionBase {
  /** The `now` of the look (ms). */
  at: number;
  /** One sentence a person can read. */
  reason: string;
  rule: DecisionRule;
  /** Phase the launch was in when deciding ({@link PRE_START_PHASE} before the first phase). */
  phase: string;
  /** Its index (-1 before the first phase). */
  phaseIndex: number;
  planVersion: number;
  evidence: DecisionEvidence;
}

/** Move to the next phase (never more than one per look). */
export interface AdvanceDecision extends DecisionBase {
  type: 'advance';
  from: number;
  to: number;
  fromPhase: string;
  toPhase: string;
  /** The new treatment share. */
  traffic: number;
  /** True when the new phase is the last one and has a bake: the bake starts now. */
  startsBake: boolean;
  /** Set when a person promoted or skipped (rule 'operator'). */
  actor?: string;
  /** The operator action that advanced: 'promote' (advance now) or 'skip' (over `skipped`). */
  operator?: 'promote' | 'skip';
  /** Phases a skip passed over without exposing anyone at their share. */
  skipped?: string[];
}
/** The launch is fully live: terminal. */
export interface CompleteDecision extends DecisionBase {
  type: 'complete';
  /** Set when a person promoted the last phase to complete. */
  actor?: string;
  operator?: 'promote';
}
/** Traffic to 0: terminal. */
export interface RollbackDecision extends DecisionBase {
  type: 'rollback';
  traffic: 0;
  /** Set when a person rolled back. */
  actor?: string;
}
/** Stop until an operator resumes. */
export interface PauseDecision extends DecisionBase {
  type: 'pause';
  /** Once-only key of an automatic pause (absent for an operator's pause). */
  key?: string;
  kpi?: string;
  actor?: string;
}
/** An operator ends a pause; nothing else changes. */
export interface ResumeDecision extends DecisionBase {
  type: 'resume';
  actor: string;
}
/** Stay in the phase until the condition clears. */
export interface HoldDecision extends DecisionBase {
  type: 'hold';
  /** Hold id (see Hold.id). */
  hold: string;
  kpi?: string;
  forPhase?: string;
}
/** The condition behind a hold cleared. */
export interface ReleaseHoldDecision extends DecisionBase {
  type: 'release-hold';
  hold: string;
}
/** Ask roles for the sign-off gating the next phase; starts the deadlines. */
export interface RequestSignoffDecision extends DecisionBase {
  type: 'request-signoff';
  key: string;
  /** The phase to be entered. */
  forPhase: string;
  roles: { role: string; quorum: number; deadlineAt: number | null }[];
}
/** A role's sign-off passed its deadline without quorum; `then` is the policy's on_deadline. */
export interface SignoffExpiredDecision extends DecisionBase {
  type: 'signoff-expired';
  key: string;
  forPhase: string;
  role: string;
  then: 'hold' | 'rollback';
}
/** Stop advancing until the roles approve (approvals given after this decision, naming this phase). */
export interface AskDecision extends DecisionBase {
  type: 'ask';
  key: string;
  /** Ask id (see PendingAsk.id). */
  ask: string;
  kpi: string;
  roles: string[];
}
/** Tell people or channels (names resolved by the server). `key` is the outbox idempotency key. */
export interface NotifyDecision extends DecisionBase {
  type: 'notify';
  key: string;
  /** The recipient: a person, team, role or channel (a bare `notify` names the plan's owner). */
  to: string;
  kpi?: string;
}
/** POST a signed event to a URL. `key` is the outbox idempotency key. */
export interface WebhookDecision extends DecisionBase {
  type: 'webhook';
  key: string;
  url: string;
  kpi?: string;
}
/** The phase stays open past its minimum duration because a KPI has no verdict yet (on_insufficient: extend). */
export interface ExtendDecision extends DecisionBase {
  type: 'extend';
  key: string;
  kpi: string;
}

/** One changed value of a plan amendment: where (a JSON path), before and after. */
export interface PlanChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/** A person moved a running launch onto a newer version of its plan. */
export interface AmendDecision extends DecisionBase {
  type: 'amend';
  actor: string;
  fromVersion: number;
  toVersion: number;
  /** Index of the launch's phase in the new version (same phase name). */
  toPhaseIndex: number;
  /** What changed, path by path (at most 200 entries; `truncated` says when more). */
  changes: PlanChange[];
  truncated: boolean;
  /** Whether approvals of the old version stop counting (the new version's signoff.reset_on_edit). */
  resetsApprovals: boolean;
}

/** A person scheduled the launch's start: it waits at 0% before its first phase until `startAt`. */
export interface ScheduleDecision extends DecisionBase {
  type: 'schedule';
  actor: string;
  /** When the first phase may open (ms). */
  startAt: number;
}

/** One decision: a change of the launch or a side effect to carry out. */
export type Decision =
  | AdvanceDecision
  | CompleteDecision
  | RollbackDecision
  | PauseDecision
  | ResumeDecision
  | HoldDecision
  | ReleaseHoldDecision
  | RequestSignoffDecision
  | SignoffExpiredDecision
  | AskDecision
  | NotifyDecision
  | WebhookDecision
  | ExtendDecision
  | AmendDecision
  | ScheduleDecision;

/** The decision types. */
export type DecisionType = Decision['type'];
