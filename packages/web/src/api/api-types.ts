/**
 * Shapes of the API answers the dashboard reads. Domain types (plans, decisions,
 * looks, guard results) come from core; these are the envelopes the server adds.
 */
import type {
  Condition,
  Decision,
  GuardResult,
  LaunchStanding,
  LaunchStatus,
  Look,
  LookState,
  Plan,
  SrmResult,
  Verdict,
} from '@threshold/core';

/** A launch as lists and the stream show it. */
export interface LaunchSummary {
  id: string;
  plan: string;
  planVersion: number;
  flag: string;
  status: LaunchStatus;
  phase: string;
  phaseIndex: number;
  phases: number;
  /** Treatment share, 0..1. */
  share: number;
  phaseStartedAt: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  seq: number;
}

/** Sign-off progress of one role for the gated phase. */
export interface SignoffProgress {
  phase: string;
  role: string;
  quorum: number;
  approvedBy: string[];
  rejectedBy: string[];
  missing: number;
}

export interface ApprovalView {
  phase: string;
  role: string;
  decision: 'approve' | 'reject';
  actor: string;
  comment: string;
  planVersion: number;
  at: string;
}

export interface LaunchDetail {
  launch: LaunchSummary & { salt: string };
  plan: { name: string; version: number; plan: Plan };
  approvals: ApprovalView[];
  signoffs: SignoffProgress[];
  pendingSignoffs: SignoffProgress[];
  lastDecision: unknown;
  /** Where the launch stands and why: the same derivation the CLI and the list show. */
  standing: LaunchStanding;
  /** What became of each notification the launch asked for. */
  notifications: NotificationView[];
  /** External metric sources the plan reads (older servers send none). */
  sources?: SourceHealthView[];
}

/** One notification a launch asked for, and what became of it. */
export interface NotificationView {
  /** The outbox idempotency key. */
  key: string;
  kind: 'notify' | 'webhook' | 'warning';
  /** The notify target (the plan's owner for warnings), or the webhook's origin. */
  target: string;
  /** Seq of the decision or warning in the launch log that asked for it. */
  seq: number;
  at: string;
  kpi: string | null;
  state: 'queued' | 'delivered' | 'failed' | 'not-configured' | 'unknown';
  /** Why it was not delivered, or (queued) why the last attempt failed. */
  error: string | null;
  attempts: number;
  settledAt: string | null;
}

/** One metric source's health (GET /api/v1/launches/:id). */
export interface SourceHealthView {
  name: string;
  kind: string;
  target: string;
  state: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  lastQueryAt?: string;
}

export interface LaunchEvent {
  launchId: string;
  seq: number;
  type: string;
  actor: string;
  data: unknown;
  at: string;
}

/** One KPI at one look (the controller's compact form of a guard result). */
export interface LookKpi {
  kpi: string;
  category: GuardResult['category'];
  verdict: Verdict;
  /** The guard's own sentence. */
  reason: string;
  estimate: { treatment: number | null; control: number | null };
  /** Comparisons: treatment − control (absolute) or treatment / control − 1 (relative). */
  difference: number | null;
  /** Anytime-valid interval of the difference (or, for hard limits, of treatment). */
  interval: [number | null, number | null] | null;
  /** The margin as a difference in the bad direction (comparisons), or the hard limit. */
  threshold: number | null;
  relative: boolean | null;
  bad: 'increase' | 'decrease' | null;
  units: { treatment: number; control: number };
}

/** A recorded look (event type `look` in the launch log). */
export interface LookRecord {
  seq: number;
  /** ms since the epoch. */
  at: number;
  status: LaunchStatus;
  state: LookState;
  summary: string;
  phase: string;
  phaseIndex: number;
  traffic: number;
  next: Look['next'];
  conditions: Condition[];
  units: { treatment: number; control: number };
  srm: Pick<SrmResult, 'healthy' | 'pValue' | 'threshold' | 'observed' | 'expectedShare'>;
  kpis: LookKpi[];
}

/** A decision event of the launch log. */
export interface DecisionEvent {
  seq: number;
  actor: string;
  at: string;
  decision: Decision;
}

/** One row of the dashboard's launch list: the summary plus where it stands and sign-offs. */
export interface LaunchOverview extends LaunchSummary {
  /** The plan's owner. */
  owner: string;
  /** Where the launch stands and why. */
  standing: LaunchStanding;
  /** Worst verdict of the latest look; null before the first look. */
  health: Verdict | null;
  verdicts: { pass: number; breach: number; insufficient: number };
  /** KPIs left out of health: no control arm at 100% traffic. */
  notComparable: number;
  pendingSignoffs: { phase: string; role: string; missing: number }[];
  /** standing.sentence. */
  summary: string;
}

export interface PlanListEntry {
  name: string;
  latestVersion: number;
  versions: number;
  updatedAt: string;
}

export interface PlanVersionMeta {
  name: string;
  version: number;
  sourceHash: string;
  format: 'yaml' | 'json';
  createdBy: string;
  createdAt: string;
}

export interface PlanVersionView extends PlanVersionMeta {
  source: string;
  plan: Plan;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
}

/** Who the token belongs to. */
export interface WhoAmI {
  name: string;
  scopes: string[];
}
