/** decide(): the one function that moves a launch, its state, evidence, decisions and reducer. */
export * from './launch-state.js';
export * from './evidence.js';
export * from './decision.js';
export * from './look.js';
export * from './apply-decision.js';
export * from './operator-action.js';
export * from './decide.js';
export * from './awaited-approvals.js';
export * from './planned-split.js';
export * from './baseline-phase.js';
export { countSignoff } from './count-signoff.js';
export * from './operator-advance.js';
export * from './amend-plan.js';
export * from './time-rules.js';
