export { AUDIENCE_OPERATORS, checkAudienceConstraint } from './audience-constraint.js';
export type { AudienceOperator, AudienceValue, AudienceConstraint } from './audience-constraint.js';
export { parseAudienceConstraint } from './parse-audience-constraint.js';
export type { ParseAudienceResult } from './parse-audience-constraint.js';
export { formatAudienceConstraint } from './format-audience-constraint.js';
export { matchesConstraint } from './matches-constraint.js';
export type { EvaluationContext } from './matches-constraint.js';
export { compileAudience } from './compile-audience.js';
