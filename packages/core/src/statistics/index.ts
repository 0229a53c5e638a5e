export * from './kpi-aggregate.js';
export * from './guard-result.js';
export {
  erfc,
  normalCdf,
  normalQuantile,
  normalSurvival,
  roughNormalQuantile,
  chiSquaredSurvival1,
} from './normal-distribution.js';
export {
  mixtureRho2,
  oneSidedMixtureMultiplier,
  twoSidedMixtureMultiplier,
  msprtLogStatistic,
} from './mixture-boundary.js';
export { MIN_UNITS_FOR_VERDICT, DEFAULT_MIN_UNITS } from './guard-verdict.js';
export {
  MIN_TAIL_UNITS,
  quantileBounds,
  quantileEstimate,
  sparsityBandwidth,
} from './quantile-guard.js';
export type { QuantileBounds, QuantileEstimate } from './quantile-guard.js';
export { MIN_BURN_BAD_EVENTS } from './burn-rate-guard.js';
export { burnRateLowerBound, DEFAULT_BURN_ALPHA } from './burn-rate-guard.js';
export type { BurnRowWithBounds } from './burn-rate-guard.js';
export {
  createSketch,
  addToSketch,
  mergeSketches,
  sketchOf,
  sketchQuantile,
  runningIndexAbove,
} from './quantile-sketch.js';
export { momentOf, occurrenceOf, ratioOf, aggregateEvents } from './aggregate-builders.js';
export type { UnitEvent } from './aggregate-builders.js';
export { evaluateGuard } from './evaluate-guard.js';
export type { GuardOptions } from './evaluate-guard.js';
export { evaluateGuards, splitFalseAlarmBudget } from './evaluate-guards.js';
export {
  falseAlarmSplit,
  statisticalKpiCount,
  takesFalseAlarmShare,
  windowIndex,
  windowShare,
  windowStartMs,
} from './false-alarm-budget.js';
export type { FalseAlarmSplit } from './false-alarm-budget.js';
export type { GuardsOptions } from './evaluate-guards.js';
export { checkSampleRatio, DEFAULT_SRM_THRESHOLD } from './check-sample-ratio.js';
export { srmLogBayesFactor, SRM_PRIOR_CONCENTRATION } from './check-sample-ratio.js';
export type { SequentialSrmResult } from './check-sample-ratio.js';
export {
  minimumDetectableEffect,
  requiredUnitsPerArm,
  requiredDuration,
} from './detectable-effect.js';
export { detectionPower, sequentialPower } from './detectable-effect.js';
export type {
  DetectableEffectInput,
  RequiredUnitsInput,
  RequiredDurationInput,
} from './detectable-effect.js';
export { formatValue, formatSigned, formatPercent, formatCount } from './format-number.js';
export {
  DEFAULT_INTERVAL_STEP_MS,
  MIN_INTERVAL_SAMPLES,
  evaluatePerInterval,
  kpiBasis,
  readsPerInterval,
} from './per-interval-guard.js';
