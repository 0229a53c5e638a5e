/**
 * Plans in words, one phrasing for the CLI, the server and the dashboard. Every
 * module here is zod-free (value imports only from zod-free modules), so the
 * dashboard can import these through @threshold/core without shipping the schema.
 */
export { guardInWords } from './guard-in-words.js';
export { actionInWords, actionsInWords, insufficientInWords } from './action-in-words.js';
export { basisInWords, kindInWords, quantileLabel, sourceInWords } from './kpi-in-words.js';
