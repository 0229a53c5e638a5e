/** Public API of @threshold/core: text helpers, plan schema and parser, audience, bucketing, wire format, statistics, error registry, decide(), where a launch stands, rehearsal, plans in words, the launch report. */
export * from './text/index.js';
export * from './plan/index.js';
export * from './audience/index.js';
export * from './bucketing/index.js';
export * from './wire/index.js';
export * from './statistics/index.js';
export * from './errors/index.js';
export * from './decide/index.js';
export * from './standing/index.js';
export * from './rehearsal/index.js';
export * from './words/index.js';
export * from './report/index.js';
