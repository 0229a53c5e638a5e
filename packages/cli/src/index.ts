/** Public API of @threshold/cli: the `threshold` command and the pure pieces behind its output. */
export { main, EXIT } from './main.js';
export type { Io, Writer } from './io.js';
export { summaryLine } from './commands/validate.js';
export type { ValidationTally } from './commands/validate.js';
export { planSchemaText } from './commands/plan-schema.js';
export {
  riskGrid,
  riskRegister,
  signoffSummary,
  summarizePlan,
  timeline,
} from './explain/summarize-plan.js';
export type {
  KpiSummary,
  PhaseSummary,
  PlanSummary,
  ReadinessSummary,
  RiskGrid,
  RiskGridCell,
  RiskGridRow,
  RiskSummary,
  SignoffRoleSummary,
  SignoffSummary,
  Timeline,
} from './explain/summarize-plan.js';
export { renderExplain, renderRiskGrid, wrap } from './explain/render-explain.js';
export {
  actionInWords,
  actionsInWords,
  guardInWords,
  insufficientInWords,
  kindInWords,
  quantileLabel,
  sourceInWords,
} from '@threshold/core';
export { renderTable } from './text-table.js';
