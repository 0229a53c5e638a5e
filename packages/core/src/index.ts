/** Public API of @threshold/core: text helpers, plan schema and parser, audience, bucketing, wire format, statistics. */
export * from './text/index.js';
export * from './plan/index.js';
export * from './audience/index.js';
export * from './bucketing/index.js';
export * from './wire/index.js';
export * from './statistics/index.js';
