/** Public API of @threshold/core: plan schema and parser, audience, bucketing, wire format. */
export * from './plan/index.js';
export * from './audience/index.js';
export * from './bucketing/index.js';
export * from './wire/index.js';
