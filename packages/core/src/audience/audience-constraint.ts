/** Every audience operator, in the order docs list them. */
export const AUDIENCE_OPERATORS = [
  'in',
  'not_in',
  'eq',
  'ne',
  'starts_with',
  'ends_with',
  'contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'not_exists',
] as const;

/** One audience operator. */
export type AudienceOperator = (typeof AUDIENCE_OPERATORS)[number];

/** A value a constraint compares against; context values are never coerced to it. */
export type AudienceValue = string | number | boolean;

/**
 * One audience rule over a flat context attribute.
 *
 * Semantics (shared by matchesConstraint and compileAudience):
 * - The value is the context's own property `ctx[attribute]` (inherited properties such as
 *   `toString` are never read). undefined or null counts as missing: every operator is then
 *   false except `not_exists`, so unknown users are never in an audience by accident.
 * - `exists` is true for any present value (of any type), `not_exists` for a missing one.
 * - No coercion: `eq`/`in` are true only for a value of the same type and equal (=== , so 0 and -0
 *   are equal); `ne`/`not_in` are true for any present value that `eq`/`in` would reject,
 *   including a value of another type (the number 18 is "not in" ["18"]).
 * - `gt`/`gte`/`lt`/`lte` compare a number value to a number context value; otherwise false.
 * - `starts_with`/`ends_with`/`contains` test a string context value, case-sensitively; an empty
 *   needle matches every string (including the empty string); a non-string is false.
 * - Arity: `in`/`not_in` take 1+ values, `exists`/`not_exists` none, every other operator one.
 */
export interface AudienceConstraint {
  attribute: string;
  op: AudienceOperator;
  values: AudienceValue[];
}

/** What an attribute name looks like, in the text form and in structured plans. */
export const ATTRIBUTE_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type Shape = 'list' | 'none' | 'number' | 'string' | 'any';

const SHAPES: Readonly<Record<AudienceOperator, Shape>> = {
  in: 'list',
  not_in: 'list',
  eq: 'any',
  ne: 'any',
  starts_with: 'string',
  ends_with: 'string',
  contains: 'string',
  gt: 'number',
  gte: 'number',
  lt: 'number',
  lte: 'number',
  exists: 'none',
  not_exists: 'none',
};

const EXAMPLES: Readonly<Record<Shape, string>> = {
  list: 'country in [NL, SE]',
  none: 'email exists',
  number: 'age gte 18',
  string: 'email ends_with @example.com',
  any: 'plan eq pro',
};

/** Whether `op` is one of AUDIENCE_OPERATORS (for input that has not been type-checked). */
export function isAudienceOperator(op: unknown): op is AudienceOperator {
  return typeof op === 'string' && Object.hasOwn(SHAPES, op);
}

/** How many values an operator takes and of which type. */
export function operatorShape(op: AudienceOperator): Shape {
  return SHAPES[op];
}

/** A one-line example constraint using an operator of this shape, for error messages. */
export function operatorExample(op: AudienceOperator): string {
  const example = EXAMPLES[SHAPES[op]];
  const [attribute, , ...rest] = example.split(' ');
  return [attribute, op, ...rest].join(' ');
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a value of type ${typeof value}`;
}

/** Check arity/type rules of an already-structured constraint (used by the plan validator): returns an error message or undefined. */
export function checkAudienceConstraint(c: AudienceConstraint): string | undefined {
  // Plans arrive as parsed YAML/JSON, so nothing below trusts the static types.
  const { attribute, op, values } = c as Partial<Record<keyof AudienceConstraint, unknown>>;
  if (typeof attribute !== 'string' || !ATTRIBUTE_PATTERN.test(attribute)) {
    return `invalid attribute name ${describeValue(attribute)}: use letters, digits, '_', '.' or '-', starting with a letter or '_'`;
  }
  if (!isAudienceOperator(op)) {
    return `unknown operator ${describeValue(op)} (expected one of: ${AUDIENCE_OPERATORS.join(', ')})`;
  }
  if (!Array.isArray(values)) {
    return `'${op}' needs a list of values, got ${describeValue(values)}`;
  }
  for (const value of values as unknown[]) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return `'${attribute} ${op}': ${String(value)} is not a usable number`;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return `'${attribute} ${op}': values must be text, numbers or true/false, not ${describeValue(value)}`;
    }
  }
  const shape = SHAPES[op];
  const example = operatorExample(op);
  switch (shape) {
    case 'none':
      return values.length === 0 ? undefined : `'${op}' takes no value, like \`${example}\``;
    case 'list':
      return values.length > 0
        ? undefined
        : `'${op}' needs at least one value, like \`${example}\``;
    default:
      break;
  }
  if (values.length !== 1) {
    return values.length === 0
      ? `'${op}' needs a value, like \`${example}\``
      : `'${op}' takes exactly one value, got ${values.length} (use 'in' for a list), like \`${example}\``;
  }
  const value: unknown = values[0];
  if (shape === 'number' && typeof value !== 'number') {
    return `'${op}' compares numbers, but ${describeValue(value)} is not a number, like \`${example}\``;
  }
  if (shape === 'string' && typeof value !== 'string') {
    return `'${op}' matches text, but ${describeValue(value)} is not text (quote it, like "${String(value)}")`;
  }
  return undefined;
}
