/**
 * The rehearsal report: plain JSON (numbers rounded, keys in a fixed order), so
 * the same seed gives byte-identical output and the dashboard can show it as is.
 * Times are milliseconds since the simulated launch started; rates are fractions.
 */
import type { KpiCategory, KpiKind } from '../plan/index.js';
import type { TimeRules } from '../decide/index.js';

/** A Monte Carlo rate with its 95% Wilson score interval. */
export interface RateEstimate {
  /** Launches with the outcome. */
  count: number;
  /** Launches simulated. */
  runs: number;
  rate: number;
  low: number;
  high: number;
}

/** Median and 90th percentile of a duration over the launches it applies to. */
export interface DurationSummary {
  /** Launches the figures are over. */
  runs: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** Median and 90th percentile of a count (units) over the launches it applies to. */
export interface CountSummary {
  runs: number;
  median: number | null;
  p90: number | null;
}

/** What the plan looks like to the rehearsal. */
export interface ReportPlan {
  launch: string;
  control: 'rest' | 'holdout';
  falseAlarmBudget: number;
  method: 'confidence-sequence' | 'msprt';
  phases: {
    name: string;
    traffic: number;
    minDurationMs: number;
    minUnits: number;
    bakeMs: number | null;
    signoff: string[];
  }[];
  kpis: {
    name: string;
    kind: KpiKind;
    category: KpiCategory;
    /** The guard in the plan's words, e.g. "max_increase 10%". */
    guard: string;
    /** The state change a breach causes (its own on_breach or a watching risk's): rollback, pause, hold, ask, or notify only. */
    response: 'rollback' | 'pause' | 'hold' | 'ask' | 'notify';
    /**
     * What one sample is, as the KPI's source reads it (ADR 0015): per-unit
     * (events), per-interval or per-interval-limit (a Prometheus KPI, one sample
     * per `step`), request-counts (a Prometheus burn rate).
     */
    basis: 'per-unit' | 'per-interval' | 'per-interval-limit' | 'request-counts';
    /** The step (ms) of a per-interval KPI, else null. */
    stepMs: number | null;
  }[];
}

/** The traffic and KPI levels the launches were replayed through. */
export interface ReportHistory {
  source: string;
  kind: 'history' | 'synthetic';
  intervalMs: number;
  durationMs: number;
  unitsPerMinute: { mean: number; min: number; max: number };
  kpis: {
    kpi: string;
    /** The KPI's level over the whole history. */
    value: number;
    /** Standard deviation of the per-unit value (ratio: the delta method's); null where not defined. */
    sd: number | null;
    /** Standard deviation of ln(value), quantile KPIs only. */
    logSd: number | null;
  }[];
}

/** The settings the rehearsal ran with. */
export interface ReportSettings {
  runs: number;
  seed: number;
  lookIntervalMs: number;
  signoffDelayMs: number;
  maxDurationMs: number;
  /** Share of arriving units that match each phase's audience (1 when not given). */
  audience: { phase: string; share: number }[];
  /** The environment's time rules the simulated launches met (absent: none given). */
  timeRules?: TimeRules;
}

/** How simulated launches ended. */
export interface Outcomes {
  completed: RateEstimate;
  rolledBack: RateEstimate;
  paused: RateEstimate;
  /** Still running when the simulated time ran out. */
  unfinished: RateEstimate;
}

/**
 * How each launch of a scenario ended, in exactly one of four ways, so the
 * counts add up to the scenario's runs (100%).
 */
export interface Ends {
  /** Paused or rolled back by a breach of an injected KPI once its regression was live (clean: none). */
  caught: RateEstimate;
  /** Paused or rolled back for anything else: a false alarm, the split check, another KPI. */
  stoppedForNothing: RateEstimate;
  /** Completed: the change (and any regression in it) went fully live. */
  shipped: RateEstimate;
  /** Still running when the simulated time ran out. */
  stalled: RateEstimate;
  /** The four counts' sum: always the scenario's runs. */
  total: number;
}

/** One phase on clean history. */
export interface CleanPhase {
  phase: string;
  /** Launches that entered the phase. */
  entered: RateEstimate;
  /** Launches that left it by advancing (or, for the last phase, completing). */
  advanced: RateEstimate;
  /** Time spent in the phase, over launches that left it by advancing. */
  time: DurationSummary;
  /** The least time the phase can take: min_duration, or its bake when longer (the last phase). */
  minDurationMs: number;
  /**
   * After its minimum duration, the share of the phase's looks at which each
   * condition still blocked advancing (min-units, guards, signoff, no-holds, …),
   * most frequent first.
   */
  waits: { condition: string; share: number }[];
  /** After its minimum duration, the share of looks at which each KPI had no verdict yet, most frequent first. */
  undecided: { kpi: string; share: number }[];
}

/** The A/A replay: the plan on history where nothing is wrong. */
export interface CleanReport {
  runs: number;
  outcomes: Outcomes;
  ends: Ends;
  /** Any guard breach that drew a response (rollback, pause, hold, ask or notify). */
  falseAlarm: RateEstimate;
  /** A breach that paused or rolled back the launch. */
  falseStop: RateEstimate;
  falseRollback: RateEstimate;
  falsePause: RateEstimate;
  /** The split check held the launch (a sample-ratio mismatch on a healthy split). */
  srmHold: RateEstimate;
  /** The plan's launch-wide false alarm budget, for comparison. */
  budget: number;
  kpis: {
    kpi: string;
    falseAlarm: RateEstimate;
    byPhase: { phase: string; rate: RateEstimate }[];
  }[];
  /** Time from the start until traffic reached 100%, over launches that got there. */
  timeToFull: DurationSummary;
  reachedFull: RateEstimate;
  /** Time from the start until the launch completed (bake included). */
  timeToComplete: DurationSummary;
  phases: CleanPhase[];
}

/** One injected scenario. */
export interface InjectionReport {
  /** e.g. "conversion=-5%@early". */
  label: string;
  effects: { kpi: string; size: number; relative: boolean; fromPhase: string | null }[];
  runs: number;
  /** A breach of an injected KPI drew a response once the regression was live. */
  caught: RateEstimate;
  /** Where it was caught: the phase the launch was in. */
  byPhase: { phase: string; caught: RateEstimate }[];
  /** The first response to the injected KPI's breach. */
  responses: { response: string; rate: RateEstimate }[];
  /** The launch was paused or rolled back (for any reason) after the regression went live. */
  stopped: RateEstimate;
  /** The regression went fully live: the launch completed. */
  shipped: RateEstimate;
  outcomes: Outcomes;
  ends: Ends;
  /** Time from the regression going live to the first response. */
  timeToDetect: DurationSummary;
  /** Treatment units exposed to the regression before the first response. */
  unitsBeforeDetect: CountSummary;
  /** Treatment units exposed to the regression before the launch was paused or rolled back. */
  unitsBeforeStop: CountSummary;
  /** Launches where an injected KPI breached before its regression went live (false alarms). */
  earlyAlarm: RateEstimate;
}

/** Chance of catching regressions of one KPI, by size. */
export interface PowerCurve {
  kpi: string;
  relative: boolean;
  fromPhase: string | null;
  /** Size 0 is the clean replay (the KPI's false alarm rate). */
  points: { size: number; caught: RateEstimate }[];
}

/** The smallest regression each KPI's guard catches in one phase. */
export interface PhaseDetectableEffects {
  phase: string;
  traffic: number;
  minDurationMs: number;
  /** Treatment units the phase expects in its minimum duration at the history's mean traffic. */
  unitsPerArm: number;
  kpis: {
    kpi: string;
    /**
     * Harm the guard catches with 80% power by the end of the minimum duration, in the
     * guard's scale (relative: a fraction; absolute: the KPI's unit), signed in the bad
     * direction; null when it cannot be computed (see `note`).
     */
    mde: number | null;
    relative: boolean;
    note: string | null;
  }[];
}

/** One plain-language finding. */
export interface Finding {
  severity: 'problem' | 'warning' | 'info';
  kpi: string | null;
  phase: string | null;
  text: string;
}

/** The whole report. */
export interface RehearsalReport {
  version: 1;
  plan: ReportPlan;
  history: ReportHistory;
  settings: ReportSettings;
  /** What the simulation assumes, in sentences. */
  assumptions: string[];
  clean: CleanReport;
  injections: InjectionReport[];
  powerCurves: PowerCurve[];
  detectableEffects: PhaseDetectableEffects[];
  findings: Finding[];
}
