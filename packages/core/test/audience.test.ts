import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIENCE_OPERATORS,
  checkAudienceConstraint,
  compileAudience,
  formatAudienceConstraint,
  matchesConstraint,
  parseAudienceConstraint,
} from '../src/audience/index.js';
import type {
  AudienceConstraint,
  AudienceOperator,
  AudienceValue,
  EvaluationContext,
} from '../src/audience/index.js';

function parse(text: string): AudienceConstraint {
  const result = parseAudienceConstraint(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.constraint;
}

function parseError(text: string): string {
  const result = parseAudienceConstraint(text);
  if (result.ok) throw new Error(`${text} parsed, expected an error`);
  return result.message;
}

interface VectorFile {
  cases: { constraint: string; context: Record<string, unknown>; expected: boolean }[];
  audiences: { constraints: string[]; context: Record<string, unknown>; expected: boolean }[];
  invalid: { text: string; messageIncludes: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('./vectors/audience.json', import.meta.url), 'utf8'),
) as VectorFile;

describe('audience vectors (test/vectors/audience.json)', () => {
  it('cover every operator', () => {
    const used = new Set(vectors.cases.map((c) => parse(c.constraint).op));
    expect([...used].sort()).toEqual([...AUDIENCE_OPERATORS].sort());
  });

  it.each(vectors.cases)(
    '$constraint on $context → $expected',
    ({ constraint, context, expected }) => {
      const c = parse(constraint);
      expect(matchesConstraint(c, context)).toBe(expected);
      expect(compileAudience([c])(context)).toBe(expected);
      expect(parse(formatAudienceConstraint(c))).toEqual(c);
    },
  );

  it.each(vectors.audiences)(
    '$constraints on $context → $expected',
    ({ constraints, context, expected }) => {
      const parsed = constraints.map(parse);
      expect(compileAudience(parsed)(context)).toBe(expected);
      expect(parsed.every((c) => matchesConstraint(c, context))).toBe(expected);
    },
  );

  it.each(vectors.invalid)('rejects $text', ({ text, messageIncludes }) => {
    expect(parseError(text)).toContain(messageIncludes);
  });
});

describe('parseAudienceConstraint', () => {
  it('reads the documented examples', () => {
    expect(parse('country in [NL, SE]')).toEqual({
      attribute: 'country',
      op: 'in',
      values: ['NL', 'SE'],
    });
    expect(parse('email ends_with @example.com')).toEqual({
      attribute: 'email',
      op: 'ends_with',
      values: ['@example.com'],
    });
    expect(parse('age gte 18')).toEqual({ attribute: 'age', op: 'gte', values: [18] });
    expect(parse('beta eq true')).toEqual({ attribute: 'beta', op: 'eq', values: [true] });
    expect(parse('email exists')).toEqual({ attribute: 'email', op: 'exists', values: [] });
  });

  it('types values: numbers, booleans, quoted text verbatim, bare text', () => {
    const value = (text: string): AudienceValue | undefined => parse(`x eq ${text}`).values[0];
    expect(value('18')).toBe(18);
    expect(value('-1.5')).toBe(-1.5);
    expect(value('1e3')).toBe(1000);
    expect(Object.is(value('-0'), -0)).toBe(true);
    expect(value('007')).toBe('007');
    expect(value('1.')).toBe('1.');
    expect(value('.5')).toBe('.5');
    expect(value('+5')).toBe('+5');
    expect(value('NaN')).toBe('NaN');
    expect(value('true')).toBe(true);
    expect(value('false')).toBe(false);
    expect(value('True')).toBe('True');
    expect(value('null')).toBe('null');
    expect(value('"18"')).toBe('18');
    expect(value("'false'")).toBe('false');
    expect(value('"a, [b]"')).toBe('a, [b]');
    expect(value('"tab\\there"')).toBe('tab\there');
    expect(value("'back\\slash'")).toBe('back\\slash');
    expect(value("O'Brien")).toBe("O'Brien");
    expect(value('@example.com')).toBe('@example.com');
    expect(value('日本')).toBe('日本');
  });

  it('tolerates spacing and reads attributes with dots and dashes', () => {
    expect(parse('  country   in   [ NL ,SE,  "DE" ]  ')).toEqual({
      attribute: 'country',
      op: 'in',
      values: ['NL', 'SE', 'DE'],
    });
    expect(parse('country in[NL]')).toEqual({ attribute: 'country', op: 'in', values: ['NL'] });
    expect(parse('user.plan-tier eq gold').attribute).toBe('user.plan-tier');
    expect(parse('_x eq 1').attribute).toBe('_x');
  });

  it('explains mistakes in words', () => {
    expect(parseError('email ends-with @example.com')).toBe(
      "unknown operator 'ends-with' (did you mean 'ends_with'?)",
    );
    expect(parseError('country in NL')).toMatch(/^'in' needs a list like \[NL, SE\]/);
    expect(parseError('country not_in NL')).toMatch(/^'not_in' needs a list like \[NL, SE\]/);
    expect(parseError('age gte eighteen')).toBe(
      `'gte' compares numbers, but "eighteen" is not a number, like \`age gte 18\``,
    );
    expect(parseError('email exists yes')).toBe("'exists' takes no value, like `email exists`");
    expect(parseError('contry contians x')).toBe(
      "unknown operator 'contians' (did you mean 'contains'?)",
    );
    for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(parseError(`x ${word} 1`)).toBe(
        `unknown operator '${word}' (expected one of: ${AUDIENCE_OPERATORS.join(', ')})`,
      );
    }
  });

  it('never throws, whatever the text', () => {
    const tokens = fc.constantFrom(
      ...AUDIENCE_OPERATORS,
      'country',
      '[',
      ']',
      ',',
      '"',
      "'",
      '\\',
      ' ',
      '18',
      '-1.5',
      'true',
      'NL',
      '1e999',
      '\ud800',
      '😀',
      'constructor',
      '__proto__',
    );
    const structured = fc.array(tokens, { maxLength: 12 }).map((parts) => parts.join(''));
    const spaced = fc.array(tokens, { maxLength: 12 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), structured, spaced),
        (text) => {
          const result = parseAudienceConstraint(text);
          if (result.ok) expect(checkAudienceConstraint(result.constraint)).toBeUndefined();
          else expect(result.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

const attributeArb = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'constructor', 'toString', 'user.country', 'x-y'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/),
);
const stringArb = fc.oneof(
  fc.constantFrom(
    '',
    'NL',
    'nl',
    'a b',
    ' x ',
    '"q"',
    "'",
    '18',
    '-0',
    'true',
    '[x]',
    ',',
    '\\',
    '日本',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const numberArb = fc.oneof(
  fc.constantFrom(0, -0, 18, -1.5, 1e21, 5e-324, Number.MAX_SAFE_INTEGER + 2),
  fc.integer({ min: -100, max: 100 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const valueArb: fc.Arbitrary<AudienceValue> = fc.oneof(stringArb, numberArb, fc.boolean());
const opsOf = (shape: readonly AudienceOperator[]) => fc.constantFrom(...shape);

const constraintArb: fc.Arbitrary<AudienceConstraint> = fc.oneof(
  fc.record({
    attribute: attributeArb,
    op: opsOf(['in', 'not_in']),
    values: fc.array(valueArb, { minLength: 1, maxLength: 5 }),
  }),
  fc.record({ attribute: attributeArb, op: opsOf(['eq', 'ne']), values: fc.tuple(valueArb) }),
  fc.record({
    attribute: attributeArb,
    op: opsOf(['gt', 'gte', 'lt', 'lte']),
    values: fc.tuple(numberArb),
  }),
  fc.record({
    attribute: attributeArb,
    op: opsOf(['starts_with', 'ends_with', 'contains']),
    values: fc.tuple(stringArb),
  }),
  fc.record({
    attribute: attributeArb,
    op: opsOf(['exists', 'not_exists']),
    values: fc.constant<AudienceValue[]>([]),
  }),
);

// Contexts draw from the same small pools so that constraints actually hit.
const contextArb: fc.Arbitrary<EvaluationContext> = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'constructor', 'user.country', 'x-y'),
  fc.oneof(
    valueArb,
    fc.constantFrom(null, undefined, Number.NaN, [], {}, ['NL'], 10n),
    fc.constantFrom('NL', 'nl', '', 18, 0, true, false),
  ),
  { maxKeys: 6 },
);

describe('formatAudienceConstraint', () => {
  it('writes the canonical text form', () => {
    expect(formatAudienceConstraint(parse('country   in [NL,SE]'))).toBe('country in [NL, SE]');
    expect(formatAudienceConstraint(parse("x eq '18'"))).toBe('x eq "18"');
    expect(formatAudienceConstraint(parse('x eq "plain"'))).toBe('x eq plain');
    expect(formatAudienceConstraint(parse('x in ["a b", true, 1.5]'))).toBe(
      'x in ["a b", true, 1.5]',
    );
    expect(formatAudienceConstraint(parse('email exists'))).toBe('email exists');
  });

  it('round-trips through parse for any valid constraint', () => {
    fc.assert(
      fc.property(constraintArb, (c) => {
        expect(checkAudienceConstraint(c)).toBeUndefined();
        expect(parse(formatAudienceConstraint(c))).toEqual(c);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('checkAudienceConstraint', () => {
  const check = (c: unknown): string | undefined =>
    checkAudienceConstraint(c as AudienceConstraint);

  it('accepts well-formed constraints', () => {
    expect(check({ attribute: 'country', op: 'in', values: ['NL', 1, true] })).toBeUndefined();
    expect(check({ attribute: 'age', op: 'lte', values: [-1.5] })).toBeUndefined();
    expect(check({ attribute: 'email', op: 'not_exists', values: [] })).toBeUndefined();
    expect(check({ attribute: 'name', op: 'contains', values: [''] })).toBeUndefined();
  });

  it('enforces arity and types', () => {
    expect(check({ attribute: 'country', op: 'in', values: [] })).toMatch(/at least one value/);
    expect(check({ attribute: 'country', op: 'not_in', values: [] })).toMatch(/at least one value/);
    expect(check({ attribute: 'plan', op: 'eq', values: [] })).toMatch(/needs a value/);
    expect(check({ attribute: 'plan', op: 'ne', values: ['a', 'b'] })).toMatch(/exactly one value/);
    expect(check({ attribute: 'age', op: 'gt', values: ['18'] })).toMatch(/compares numbers/);
    expect(check({ attribute: 'age', op: 'gte', values: [true] })).toMatch(/compares numbers/);
    expect(check({ attribute: 'x', op: 'starts_with', values: [1] })).toMatch(/matches text/);
    expect(check({ attribute: 'x', op: 'exists', values: ['y'] })).toMatch(/takes no value/);
    expect(check({ attribute: 'x', op: 'eq', values: [Number.NaN] })).toMatch(
      /not a usable number/,
    );
    expect(check({ attribute: 'x', op: 'in', values: [Infinity] })).toMatch(/not a usable number/);
    expect(check({ attribute: 'x', op: 'in', values: [null] })).toMatch(
      /text, numbers or true\/false/,
    );
    expect(check({ attribute: 'x', op: 'eq', values: [{}] })).toMatch(
      /text, numbers or true\/false/,
    );
  });

  it('rejects malformed structure from untyped input', () => {
    expect(check({ attribute: '9lives', op: 'eq', values: [1] })).toMatch(/invalid attribute name/);
    expect(check({ attribute: '', op: 'eq', values: [1] })).toMatch(/invalid attribute name/);
    expect(check({ attribute: 42, op: 'eq', values: [1] })).toMatch(/invalid attribute name/);
    expect(check({ attribute: 'x', op: 'like', values: [1] })).toMatch(/unknown operator "like"/);
    expect(check({ attribute: 'x', op: 'toString', values: [1] })).toMatch(/unknown operator/);
    expect(check({ attribute: 'x', op: 'eq', values: 1 })).toMatch(/needs a list of values/);
  });
});

describe('matchesConstraint', () => {
  it('reads own properties only and treats null as missing', () => {
    const c = parse('plan exists');
    expect(matchesConstraint(c, { plan: null })).toBe(false);
    expect(matchesConstraint(c, Object.create({ plan: 'pro' }) as EvaluationContext)).toBe(false);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { plan: 'pro' });
    expect(matchesConstraint(c, bare)).toBe(true);
    expect(compileAudience([c])(bare)).toBe(true);
  });

  it('throws on an invalid constraint, like compileAudience', () => {
    const bad = { attribute: 'age', op: 'gt', values: ['18'] } as unknown as AudienceConstraint;
    expect(() => matchesConstraint(bad, { age: 20 })).toThrow(/invalid audience constraint/);
    expect(() => compileAudience([parse('a exists'), bad])).toThrow(/compares numbers/);
  });
});

describe('compileAudience', () => {
  it('lets everyone in for an empty list', () => {
    const everyone = compileAudience([]);
    expect(everyone({})).toBe(true);
    expect(everyone({ anything: null })).toBe(true);
  });

  it('agrees with matchesConstraint on random constraints and contexts', () => {
    fc.assert(
      fc.property(fc.array(constraintArb, { maxLength: 6 }), contextArb, (constraints, ctx) => {
        const expected = constraints.every((c) => matchesConstraint(c, ctx));
        expect(compileAudience(constraints)(ctx)).toBe(expected);
      }),
      { numRuns: 10_000 },
    );
  });

  it('agrees on contexts that hit the constraint values', () => {
    fc.assert(
      fc.property(constraintArb, fc.integer({ min: 0, max: 4 }), (c, pick) => {
        const ctx = { [c.attribute]: c.values[pick % Math.max(1, c.values.length)] };
        expect(compileAudience([c])(ctx)).toBe(matchesConstraint(c, ctx));
      }),
      { numRuns: 5000 },
    );
  });

  it('is not affected by later edits to the constraint objects', () => {
    const c = parse('country in [NL, SE]');
    const predicate = compileAudience([c]);
    c.values.push('DE');
    c.values[0] = 'FR';
    expect(predicate({ country: 'NL' })).toBe(true);
    expect(predicate({ country: 'DE' })).toBe(false);
  });
});
