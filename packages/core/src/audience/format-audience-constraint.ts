import { operatorShape } from './audience-constraint.js';
import type { AudienceConstraint, AudienceValue } from './audience-constraint.js';
import { canWriteBare } from './value-syntax.js';

function formatValue(value: AudienceValue): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'boolean') return String(value);
  // JSON escapes quotes, backslashes, control characters and lone surrogates, and parse reads JSON.
  return canWriteBare(value) ? value : JSON.stringify(value);
}

/** Write a constraint in the plan's text form; parseAudienceConstraint reads it back unchanged. */
export function formatAudienceConstraint(c: AudienceConstraint): string {
  const head = `${c.attribute} ${c.op}`;
  const shape = operatorShape(c.op);
  if (shape === 'none' && c.values.length === 0) return head;
  if (shape !== 'list' && c.values.length === 1)
    return `${head} ${formatValue(c.values[0] as AudienceValue)}`;
  return `${head} [${c.values.map(formatValue).join(', ')}]`;
}
