/** Rehearsal: replay a plan through history and injected regressions with the real guards and decide(). */
export {
  rehearse,
  prepareRehearsal,
  simulateRuns,
  reportRehearsal,
  REHEARSAL_DEFAULTS,
  isHistory,
} from './rehearse.js';
export type { RehearsalOptions, PreparedRehearsal } from './rehearse.js';
export type { RunRecord, RunOutcome } from './run-record.js';
export type * from './rehearsal-report.js';
export { HISTORY_FIELDS, OPTIONAL_HISTORY_FIELDS, historyColumnsOf } from './history.js';
export type { History } from './history.js';
export { parseHistory, formatHistoryError } from './parse-history.js';
export type { HistoryError, HistoryParseResult, ParseHistoryOptions } from './parse-history.js';
export { parseInjection, formatEffect, impossibleEffect } from './injection.js';
export type { Effect, Injection, InjectionParseResult } from './injection.js';
export {
  syntheticHistory,
  defaultBaseline,
  checkBaseline,
  parseTrafficRate,
  parseBaseline,
  SYNTHETIC_START,
} from './traffic-profile.js';
export type { TrafficProfile, KpiBaseline, SpecResult } from './traffic-profile.js';
export { SeededRandom } from './random.js';
export { percentWords, rateWords, spanWords, countWords, changeWords } from './report-words.js';
export { CAUGHT_TARGET } from './findings.js';
export { measuredBaseline, profileDetection, sameKpi } from './launch-history.js';
export type { KpiHistory, MeasuredKpi } from './launch-history.js';
