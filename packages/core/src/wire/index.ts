/** The SDK wire format: routes, documents, events, reasons. Prose: docs/wire-protocol.md. */
export * from './wire-routes.js';
export * from './parse-result.js';
export * from './config-document.js';
export * from './event-batch.js';
export * from './evaluation-reason.js';
