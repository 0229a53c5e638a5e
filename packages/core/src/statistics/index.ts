export * from './kpi-aggregate.js';
export * from './guard-result.js';
