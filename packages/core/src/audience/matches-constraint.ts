import { checkAudienceConstraint } from './audience-constraint.js';
import type { AudienceConstraint } from './audience-constraint.js';

/** The flat attributes of the unit being evaluated, e.g. `{ country: 'NL', age: 31 }`. */
export type EvaluationContext = Readonly<Record<string, unknown>>;

/** The attribute's value, or undefined when missing; only own properties count. */
export function readAttribute(ctx: EvaluationContext, attribute: string): unknown {
  return Object.hasOwn(ctx, attribute) ? ctx[attribute] : undefined;
}

/**
 * Whether the context satisfies one constraint (semantics on AudienceConstraint).
 * This is the plain reference version; use compileAudience on hot paths.
 * Throws on a constraint that checkAudienceConstraint rejects.
 */
export function matchesConstraint(c: AudienceConstraint, ctx: EvaluationContext): boolean {
  const problem = checkAudienceConstraint(c);
  if (problem !== undefined) throw new Error(`invalid audience constraint: ${problem}`);
  const value = readAttribute(ctx, c.attribute);
  const missing = value === undefined || value === null;
  if (c.op === 'not_exists') return missing;
  if (missing) return false;
  const wanted = c.values[0];
  switch (c.op) {
    case 'exists':
      return true;
    case 'eq':
      return value === wanted;
    case 'ne':
      return value !== wanted;
    case 'in':
      return c.values.some((v) => v === value);
    case 'not_in':
      return !c.values.some((v) => v === value);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value !== 'number' || typeof wanted !== 'number') return false;
      if (c.op === 'gt') return value > wanted;
      if (c.op === 'gte') return value >= wanted;
      if (c.op === 'lt') return value < wanted;
      return value <= wanted;
    }
    case 'starts_with':
    case 'ends_with':
    case 'contains': {
      if (typeof value !== 'string' || typeof wanted !== 'string') return false;
      if (c.op === 'starts_with') return value.startsWith(wanted);
      if (c.op === 'ends_with') return value.endsWith(wanted);
      return value.includes(wanted);
    }
  }
}
