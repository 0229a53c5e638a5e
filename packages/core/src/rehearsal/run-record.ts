/** What one simulated launch did, in numbers: the raw material of the report. */

/** How a simulated launch ended. */
export type RunOutcome = 'completed' | 'rolled-back' | 'paused' | 'unfinished';

/** Responses to a breach, least to most severe. */
export const RESPONSES = ['notify', 'ask', 'hold', 'pause', 'rollback'] as const;
/** A response to a breach. */
export type Response = (typeof RESPONSES)[number];

/** Conditions of advancing that decide() reports per look (Look.conditions ids). */
export const WAIT_CONDITIONS = [
  'running',
  'no-holds',
  'no-asks',
  'min-duration',
  'min-units',
  'guards',
  'srm',
  'signoff',
  'bake',
  'time-rules',
] as const;

/** One simulated launch. Times are ms since its start; -1 means never. */
export interface RunRecord {
  outcome: RunOutcome;
  endMs: number;
  /** Phase index at the end (-1 before the first phase). */
  endPhase: number;
  /** When each phase was entered. */
  phaseEnteredMs: Float64Array;
  /** When traffic reached 100%. */
  fullMs: number;
  /**
   * Per KPI (plan order): the first breach that drew a response — for an
   * injected KPI, the first once its regression was live.
   */
  alarmMs: Float64Array;
  alarmPhase: Int32Array;
  /** Index into RESPONSES of the most severe response at that look. */
  alarmResponse: Int8Array;
  /** Per KPI: it breached before its regression went live. */
  earlyAlarm: Uint8Array;
  /** When the split check first held the launch. */
  srmMs: number;
  /** KPIs whose breach paused or rolled back the launch (plan order indexes). */
  stoppedBy: number[];
  /** When the injected regression went live (the first effect's onset). */
  onsetMs: number;
  /** Treatment units exposed while a regression was live, in total and up to the first response. */
  exposedUnits: number;
  exposedAtAlarm: number;
  /** Per phase × WAIT_CONDITIONS: looks after the minimum duration at which the condition blocked. */
  waits: Float64Array;
  /** Per phase: looks after the minimum duration. */
  looksPastMinimum: Float64Array;
  /** Per phase × KPI: looks after the minimum duration at which the KPI had no verdict. */
  undecided: Float64Array;
}
