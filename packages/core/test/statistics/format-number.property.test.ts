/**
 * Numbers in reasons are written without converting doubles to text (the costly
 * part of a reason); these properties hold the writers to the previous ones,
 * kept here as the oracle, on numbers of every magnitude and sign.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount, formatValue } from '../../src/statistics/format-number.js';

/** formatValue before: String() of the value rounded to three significant digits. */
function previousValue(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(2);
  const e = Math.floor(Math.log10(a));
  const rounded =
    e <= 2
      ? Math.round(x * 10 ** (2 - e)) / 10 ** (2 - e)
      : Math.round(x / 10 ** (e - 2)) * 10 ** (e - 2);
  return String(rounded);
}

/** formatCount before: digits with a comma before every group of three from the right. */
function previousCount(n: number): string {
  if (!Number.isFinite(n)) return previousValue(n);
  if (Math.abs(n) >= 1e15) return n.toExponential(2);
  const digits = Math.abs(Math.round(n)).toString();
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}

// Magnitudes from 1e-6 to 1e8 with every mantissa, near powers of ten and halves.
const anyMagnitude = fc
  .tuple(fc.double({ min: 1, max: 10, noNaN: true }), fc.integer({ min: -6, max: 8 }), fc.boolean())
  .map(([m, e, negative]) => (negative ? -1 : 1) * m * 10 ** e);
const edges = fc
  .tuple(
    fc.integer({ min: 1, max: 9999 }),
    fc.integer({ min: -8, max: 4 }),
    fc.constantFrom(0, 0.5, 0.4999999999, 0.5000000001, -0.5, 1e-12, -1e-12),
    fc.boolean(),
  )
  .map(([m, e, nudge, negative]) => (negative ? -1 : 1) * (m + nudge) * 10 ** e);

describe('number formatting', () => {
  it('writes values as before', () => {
    fc.assert(
      fc.property(fc.oneof(anyMagnitude, edges, fc.double()), (x) => {
        expect(formatValue(x)).toBe(previousValue(x));
      }),
      { numRuns: 50_000, seed: 20260317 },
    );
  });

  it('writes counts as before', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double({ min: -1e16, max: 1e16 }), anyMagnitude, edges),
        (n) => {
          expect(formatCount(n)).toBe(previousCount(n));
        },
      ),
      { numRuns: 30_000, seed: 20260318 },
    );
  });
});
