export * from './quantities.js';
export * from './action-schema.js';
export * from './kpi-schema.js';
export * from './plan-schema.js';
export * from './plan-error.js';
export * from './plan-json-schema.js';
export * from './parse-plan.js';
export * from './plan-reference.js';
