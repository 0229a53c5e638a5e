import { checkAudienceConstraint } from './audience-constraint.js';
import type { AudienceConstraint, AudienceValue } from './audience-constraint.js';
import type { EvaluationContext } from './matches-constraint.js';

type Predicate = (ctx: EvaluationContext) => boolean;

const everyone: Predicate = () => true;

// Each predicate is built once per constraint; evaluating allocates nothing. The attribute read
// is inlined (not a shared helper) so each closure's property access stays monomorphic.
function compileOne(c: AudienceConstraint): Predicate {
  const a = c.attribute;
  const v = c.values[0] as AudienceValue;
  switch (c.op) {
    case 'exists':
      return (ctx) => Object.hasOwn(ctx, a) && ctx[a] != null;
    case 'not_exists':
      return (ctx) => !Object.hasOwn(ctx, a) || ctx[a] == null;
    case 'eq':
      return (ctx) => Object.hasOwn(ctx, a) && ctx[a] === v;
    case 'ne':
      return (ctx) => {
        if (!Object.hasOwn(ctx, a)) return false;
        const x = ctx[a];
        return x != null && x !== v;
      };
    case 'in': {
      if (c.values.length === 1) return (ctx) => Object.hasOwn(ctx, a) && ctx[a] === v;
      // A Set's SameValueZero has no coercion and check rejects NaN, so it agrees with ===.
      const set = new Set<unknown>(c.values);
      return (ctx) => Object.hasOwn(ctx, a) && set.has(ctx[a]);
    }
    case 'not_in': {
      const set = new Set<unknown>(c.values);
      return (ctx) => {
        if (!Object.hasOwn(ctx, a)) return false;
        const x = ctx[a];
        return x != null && !set.has(x);
      };
    }
    case 'gt':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'number' && x > (v as number);
      };
    case 'gte':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'number' && x >= (v as number);
      };
    case 'lt':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'number' && x < (v as number);
      };
    case 'lte':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'number' && x <= (v as number);
      };
    case 'starts_with':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'string' && x.startsWith(v as string);
      };
    case 'ends_with':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'string' && x.endsWith(v as string);
      };
    case 'contains':
      return (ctx) => {
        const x = Object.hasOwn(ctx, a) ? ctx[a] : undefined;
        return typeof x === 'string' && x.includes(v as string);
      };
  }
}

/**
 * Compile once, call on the hot path: returns a predicate (all constraints AND-ed; empty list = everyone).
 * Agrees exactly with matchesConstraint. Throws on a constraint that checkAudienceConstraint rejects,
 * so a broken configuration is refused when loaded rather than mis-targeting users.
 */
export function compileAudience(
  constraints: readonly AudienceConstraint[],
): (ctx: EvaluationContext) => boolean {
  const predicates: Predicate[] = [];
  for (const c of constraints) {
    const problem = checkAudienceConstraint(c);
    if (problem !== undefined) throw new Error(`invalid audience constraint: ${problem}`);
    // Copy the values so later mutation of the plan object cannot change a compiled audience.
    predicates.push(compileOne({ attribute: c.attribute, op: c.op, values: [...c.values] }));
  }
  const [first, second, third] = predicates;
  if (first === undefined) return everyone;
  if (second === undefined) return first;
  if (third === undefined) return (ctx) => first(ctx) && second(ctx);
  if (predicates.length === 3) return (ctx) => first(ctx) && second(ctx) && third(ctx);
  return (ctx) => {
    for (let i = 0; i < predicates.length; i++) {
      if (!(predicates[i] as Predicate)(ctx)) return false;
    }
    return true;
  };
}
