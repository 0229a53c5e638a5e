/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document: values
 * the schema allows, and now and then a hostile one it does not (wrong type, NUL,
 * an integer past a column, a huge number), so the fuzz test reaches both the
 * handlers and their validation.
 */
import fc from 'fast-check';

type Json = Record<string, unknown>;

/** Resolves `#/components/schemas/X` (and plain `#/$defs/X` inside one root). */
export type Resolve = (ref: string, root: Json) => { schema: Json; root: Json };

/** Values no schema field should hold, for the hostile share of cases. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    ' ',
    '..',
    'x'.repeat(5000),
    -1,
    0,
    2 ** 31,
    2 ** 53,
    1e300,
    -1e300,
    1.5,
    null,
    true,
    [],
    {},
    '2147483648',
    '1e3',
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

interface Options {
  /** Probability of swapping a value for a hostile one (per value). */
  hostile: number;
  /** Largest array generated (arrays in this API allow up to 1000 items). */
  maxItems: number;
  /** Per-property overrides by name (e.g. event timestamps near now). */
  overrides: Record<string, fc.Arbitrary<unknown>>;
}

/** An arbitrary for values of `schema` (a JSON Schema 2020-12 subset, as zod emits it). */
export function arbitraryOf(
  schema: Json,
  root: Json,
  resolve: Resolve,
  options: Options,
  depth = 0,
): fc.Arbitrary<unknown> {
  const valid = validArbitrary(schema, root, resolve, options, depth);
  if (options.hostile <= 0) return valid;
  const weight = Math.round(options.hostile * 100);
  return fc.oneof({ arbitrary: valid, weight: 100 - weight }, { arbitrary: hostileValue, weight });
}

function validArbitrary(
  schema: Json,
  root: Json,
  resolve: Resolve,
  options: Options,
  depth: number,
): fc.Arbitrary<unknown> {
  const next = (s: Json, r = root) => arbitraryOf(s, r, resolve, options, depth + 1);
  if (typeof schema.$ref === 'string') {
    const target = resolve(schema.$ref, root);
    return validArbitrary(target.schema, target.root, resolve, options, depth);
  }
  // A schema with its own $id is a new root for the refs inside it.
  const here = typeof schema.$id === 'string' ? schema : root;
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives !== undefined && alternatives.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    return fc.oneof(
      ...alternatives.map((alt) =>
        validArbitrary({ ...rest, ...alt }, here, resolve, options, depth),
      ),
    );
  }
  const type = Array.isArray(schema.type)
    ? (schema.type as string[])
    : schema.type === undefined
      ? undefined
      : [schema.type as string];
  if (type !== undefined && type.length > 1)
    return fc.oneof(
      ...type.map((t) => validArbitrary({ ...schema, type: t }, here, resolve, options, depth)),
    );
  switch (type?.[0]) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer': {
      const lo = numberBound(schema.minimum, schema.exclusiveMinimum, 1);
      const hi = numberBound(schema.maximum, schema.exclusiveMaximum, -1);
      const min = Math.max(lo ?? Math.min(-1e6, hi ?? 0), -(2 ** 53) + 1);
      const max = Math.min(hi ?? Math.max(1e6, min), 2 ** 53 - 1);
      return fc.oneof(
        fc.integer({
          min: Math.max(min, -(2 ** 31)),
          max: Math.max(Math.min(max, 2 ** 31 - 1), Math.max(min, -(2 ** 31))),
        }),
        fc.constantFrom(min, max),
      );
    }
    case 'number': {
      const minExcluded = typeof schema.exclusiveMinimum === 'number';
      const maxExcluded = typeof schema.exclusiveMaximum === 'number';
      const lo = (schema.minimum ?? schema.exclusiveMinimum) as number | undefined;
      const hi = (schema.maximum ?? schema.exclusiveMaximum) as number | undefined;
      const min = lo ?? Math.min(-1e6, hi ?? 0);
      const max = hi ?? Math.max(1e6, min);
      return fc.double({
        min,
        max,
        minExcluded,
        maxExcluded,
        noNaN: true,
        noDefaultInfinity: true,
      });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const items = (schema.items as Json | undefined) ?? {};
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = Math.max(
        minLength,
        Math.min((schema.maxItems as number | undefined) ?? options.maxItems, options.maxItems),
      );
      return fc.array(next(items, here), { minLength, maxLength });
    }
    case 'object': {
      if (depth > 6) return fc.constant({});
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, prop] of Object.entries(properties))
        fields[name] = options.overrides[name] ?? next(prop, here);
      const requiredKeys = Object.keys(fields).filter((k) => required.has(k));
      return fc.record(fields, { requiredKeys });
    }
    default:
      // {} (any value): a small JSON value.
      return fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

function numberBound(inclusive: unknown, exclusive: unknown, step: number): number | undefined {
  if (typeof inclusive === 'number') return inclusive;
  if (typeof exclusive === 'number') return exclusive + step;
  return undefined;
}

function stringArbitrary(schema: Json): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 40, 40);
  if (typeof schema.pattern === 'string') {
    // stringMatching honours the pattern; the length limits are applied after.
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter(
        (s) => s.length >= minLength && s.length <= ((schema.maxLength as number) ?? Infinity),
      );
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
}
