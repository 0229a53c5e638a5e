/** Where a launch stands and why: the one derivation the API, the CLI and the dashboard show. */
export * from './launch-standing.js';
export * from './decision-cause.js';
export * from './router-standing.js';
export * from './integrity-sentence.js';
