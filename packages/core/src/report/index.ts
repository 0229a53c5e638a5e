/** The launch report: its model, its sections and its Markdown and HTML renderings. */
export * from './launch-report.js';
export * from './report-sections.js';
export * from './report-svg.js';
export * from './render-report.js';
export * from './trend-svg.js';
