/** Shared building blocks of the plan schema: names, shares, durations, fractions. */
import { z } from 'zod';
import { parseDuration, parseFraction, parseShare } from './quantities.js';
import type { QuantityResult } from './quantities.js';

/** Launch and flag keys: lowercase slug. */
export const SLUG = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** KPI names and sign-off roles: lowercase identifiers. */
export const IDENTIFIER = /^[a-z][a-z0-9_-]{0,63}$/;
/** Context attribute names (randomization unit, audience attributes). */
export const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export const slug = (_what: string) =>
  z.string().regex(SLUG, {
    error: (iss) =>
      `must be a lowercase slug of letters, digits, '.', '_' or '-', e.g. "checkout-v2" (got "${String(iss.input)}")`,
  });

export const identifier = (what: string) =>
  z.string().regex(IDENTIFIER, {
    error: (iss) =>
      `${what} must be a lowercase identifier: a letter, then letters, digits, '_' or '-' (got "${String(iss.input)}")`,
  });

export const attribute = (_what: string) =>
  z.string().regex(ATTRIBUTE, {
    error: (iss) =>
      `must be an attribute name such as "userId" or "account.id" (got "${String(iss.input)}")`,
  });

/** A required non-empty text. */
export const text = (_what: string) => z.string().trim().min(1, { error: 'must not be empty' });

function quantity(parse: (v: unknown) => QuantityResult) {
  return (v: unknown, ctx: z.RefinementCtx): number => {
    const r = parse(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  };
}

/** "5%" or 0.05, parsed by `parse`; the JSON Schema states both written forms. */
function percentOrFraction(
  parse: (v: unknown) => QuantityResult,
  minimum: number,
  examples: unknown[],
) {
  return z
    .union([z.number(), z.string()])
    .transform(quantity(parse))
    .meta({
      anyOf: [
        { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' },
        { type: 'number', minimum, maximum: 1 },
      ],
      examples,
    });
}

/** A traffic share: "0.5%" or 0.005, from 0.01% to 100% in 0.01% steps. Parsed: a fraction. */
export const share = () => percentOrFraction(parseShare, 0.0001, ['1%', '0.5%', 0.005]);

/** A fraction: "5%" or 0.05. Parsed: a number from 0 to 1. */
export const fraction = () => percentOrFraction(parseFraction, 0, ['5%', 0.05]);

/** A duration: "30s", "30m", "2h", "1d", "1h30m". Parsed: milliseconds. */
export const duration = () =>
  z
    .unknown()
    .transform(quantity(parseDuration))
    .meta({ type: 'string', pattern: '^(\\d+(ms|s|m|h|d|w))+$', examples: ['30m', '2h', '1d'] });
