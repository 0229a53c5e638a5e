/** What decide() is shown at one look: guard verdicts, the split check, sample sizes and approvals. */
import type { GuardResult, SrmResult } from '../statistics/index.js';
import type { TimeRules } from './time-rules.js';

/** One person's answer to a sign-off or an ask. The latest answer of an actor for a role and phase counts. */
export interface Approval {
  role: string;
  /**
   * The phase the answer is for: for a phase sign-off, the phase to be entered;
   * for an ask, the phase the launch is in.
   */
  phase: string;
  decision: 'approve' | 'reject';
  actor: string;
  /**
   * Who answered as a person (the server's verified subject); answers are counted
   * and self-approval decided on it. Defaults to `actor`.
   */
  person?: string;
  /** Plan version the approver saw; with reset_on_edit only the running version counts. */
  planVersion: number;
  /** When it was given (ms). */
  at: number;
  /** The approver's words; a rejection's comment is quoted in the pause reason. */
  comment?: string;
}

/**
 * What the launch's traffic router says at this look (launches with a `router:`
 * only; the SDKs need no confirmation and the rehearsal assumes every weight
 * lands at once).
 */
export interface RouterEvidence {
  /** The router confirmed it holds the launch's traffic share. */
  applied: boolean;
  /** Why not, in words naming the router, while not applied. */
  reason?: string;
  /**
   * When the router last started holding this share (ms): set at a change or at
   * a correction after it drifted. Time in the phase counts from then.
   */
  since?: number;
}

/** The evidence of one look. */
export interface Evidence {
  /** One result per KPI of the plan; a KPI without a result counts as insufficient evidence. */
  guards: GuardResult[];
  srm: SrmResult;
  /** Units per arm in the current phase. */
  units: { treatment: number; control: number };
  /** Every answer given for this launch (decide() picks the ones that count). */
  approvals: Approval[];
  /** The traffic router's confirmation, for a plan with a router; absent otherwise. */
  router?: RouterEvidence;
  /**
   * The time rules of the launch's environment (freeze windows, allowed hours):
   * outside them nothing advances. Absent: no rules.
   */
  timeRules?: TimeRules;
  /** Results of the plan's automated readiness checks (probes, queries) at this look; absent: not checked. */
  checks?: CheckEvidence[];
}

/** One automated readiness check's result at a look. */
export interface CheckEvidence {
  /** The check's text, as in the plan. */
  check: string;
  passed: boolean;
  /** What was seen, e.g. "GET https://… answered 503, expected 200". */
  reason: string;
}
