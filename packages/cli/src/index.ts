/** Public API of @threshold/cli: the `threshold` command and the pure pieces behind its output. */
export { main, EXIT } from './main.js';
export type { Io, Writer } from './io.js';
export { summaryLine } from './commands/validate.js';
export type { ValidationTally } from './commands/validate.js';
export { planSchemaText } from './commands/plan-schema.js';
