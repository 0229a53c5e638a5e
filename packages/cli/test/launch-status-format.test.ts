import { describe, expect, it } from 'vitest';
import { plain, signed } from '../src/commands/launch-status.js';

describe('launch status number formatting', () => {
  it('keeps trailing zeros of integers (320 is not 32, 200 is not 2)', () => {
    expect(plain(320)).toBe('320');
    expect(plain(200)).toBe('200');
    expect(plain(1000)).toBe('1000');
    expect(signed(320, false)).toBe('+320');
    expect(signed(-200, false)).toBe('−200');
  });

  it('shows small values with three significant digits and large ones in exponent form', () => {
    expect(plain(0.0396)).toBe('0.0396');
    expect(plain(0.1)).toBe('0.1');
    expect(plain(1e6)).toBe('1.00e+6');
    expect(plain(null)).toBe('–');
  });

  it('writes relative differences as signed percentages', () => {
    expect(signed(0.0396, true)).toBe('+3.96%');
    expect(signed(-0.2, true)).toBe('−20%');
    expect(signed(0, true)).toBe('0%');
  });
});
