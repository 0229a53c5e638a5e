/** The SDK wire format: routes, documents, events, reasons. Prose: docs/wire-protocol.md. */
export * from './wire-routes.js';
export type { WireIssue, WireParseResult } from './parse-result.js';
export * from './config-document.js';
export * from './event-batch.js';
export { parseEventBatchFast } from './event-batch-fast.js';
export * from './evaluation-reason.js';
export * from './event-time-window.js';
