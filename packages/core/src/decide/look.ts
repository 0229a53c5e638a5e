/** Where a launch stands at one look and why: what the dashboard and CLI show. */
import type { Hold, LaunchStatus } from './launch-state.js';
import type { Decision, RoleCount } from './decision.js';

/** One condition of advancing (or completing), with the numbers behind it. */
export type Condition =
  | { id: 'running'; met: boolean; status: LaunchStatus }
  | { id: 'no-holds'; met: boolean; holds: Hold[] }
  /** Ids of asks not answered yet. */
  | { id: 'no-asks'; met: boolean; asks: string[] }
  /** The environment's time rules allow advancing now (present only when it has rules). */
  | { id: 'time-rules'; met: boolean; reason: string }
  | { id: 'min-duration'; met: boolean; elapsedMs: number; requiredMs: number }
  | {
      id: 'min-units';
      met: boolean;
      treatment: number;
      control: number;
      required: number;
      /** False at 100% with control 'rest': there is no control arm to count. */
      controlCounted: boolean;
    }
  | {
      id: 'guards';
      met: boolean;
      total: number;
      /** KPIs in breach that block (their response changes the launch, or there is none). */
      breach: string[];
      /** KPIs in breach whose plan only notifies (notify/webhook): advisory, they do not block. */
      advisory: string[];
      /** KPIs without a verdict. */
      insufficient: string[];
      /** Comparison KPIs with no control arm at 100% traffic (control 'rest'): judged in earlier phases, accepted for completion. */
      notComparable: string[];
    }
  | { id: 'srm'; met: boolean; pValue: number; threshold: number }
  | { id: 'signoff'; met: boolean; phase: string; roles: RoleCount[] }
  | { id: 'bake'; met: boolean; elapsedMs: number; requiredMs: number };

/** The condition ids, in the order they are checked. */
export type ConditionId = Condition['id'];

/** A one-word summary of where the launch stands. */
export type LookState =
  | 'waiting'
  | 'waiting-for-signoff'
  | 'holding'
  | 'asking'
  | 'paused'
  | 'baking'
  | 'advancing'
  | 'rolled-back'
  | 'completed';

/** The result of one look, whether or not anything changed. */
export interface Look {
  at: number;
  /** Status after this look's decisions. */
  status: LaunchStatus;
  state: LookState;
  /** One line for people, e.g. "waiting: 1,204 of 2,000 units in control". */
  summary: string;
  /** Phase the launch was in at this look, and its index (-1 before the first phase). */
  phase: string;
  phaseIndex: number;
  /** Treatment share after this look's decisions. */
  traffic: number;
  /** Where it goes when ready: the next phase, or null on the last phase (complete) and in terminal states. */
  next: { phaseIndex: number; phase: string; traffic: number } | null;
  /** The conditions of advancing (or completing), met or not; empty in terminal states. */
  conditions: Condition[];
}

/** What one call of decide() returns: only the changes and side effects of this look, and the look itself. */
export interface DecideResult {
  decisions: Decision[];
  look: Look;
}
