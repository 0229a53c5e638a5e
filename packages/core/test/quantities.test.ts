import { describe, expect, it } from 'vitest';
import {
  didYouMean,
  editDistance,
  formatDuration,
  formatShare,
  parseDuration,
  parseFraction,
  parseShare,
} from '../src/index.js';

describe('parseShare', () => {
  it.each([
    ['1%', 0.01],
    ['0.5%', 0.005],
    ['0.01%', 0.0001],
    ['100%', 1],
    [' 12.5 % ', 0.125],
    [0.005, 0.005],
    [1, 1],
  ])('%s → %s', (input, expected) => {
    const r = parseShare(input);
    expect(r.ok && r.value).toBeCloseTo(expected, 12);
  });

  it.each([
    ['0%', 'must be at least 0.01%'],
    [0, 'must be at least 0.01%'],
    ['0.005%', 'must be at least 0.01%'],
    ['0.015%', 'must be a multiple of 0.01%'],
    [0.00015, 'must be a multiple of 0.01%'],
    ['101%', 'must be at most 100%'],
    [1.5, 'must be a fraction from 0 to 1'],
    [-0.1, 'must be a fraction from 0 to 1'],
    ['ten percent', 'must be a percentage'],
    ['5', 'must be a percentage'],
    [true, 'must be a percentage'],
    [Number.NaN, 'must be a fraction from 0 to 1'],
  ])('%s is refused', (input, message) => {
    const r = parseShare(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('suggests a percentage for a whole number', () => {
    expect(parseShare(5)).toEqual({
      ok: false,
      message:
        'must be a fraction from 0 to 1 or a percentage like "5%" (got 5; did you mean "5%"?)',
    });
  });

  it('parseFraction allows 0', () => {
    expect(parseFraction('0%')).toEqual({ ok: true, value: 0 });
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['0s', 0],
  ])('%s = %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, value: ms });
  });

  it.each(['30', '1.5h', 'h', '2 hours', '', '-1h', '1h 30m'])('"%s" is refused', (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  it('formats back', () => {
    expect(formatDuration(93_784_000)).toBe('1d2h3m4s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatShare(0.0001)).toBe('0.01%');
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(1)).toBe('100%');
  });
});

describe('didYouMean', () => {
  const keys = ['traffic', 'min_duration', 'min_units', 'audience', 'signoff', 'bake', 'name'];
  it.each([
    ['trafic', 'traffic'],
    ['tarffic', 'traffic'],
    ['min_duraton', 'min_duration'],
    ['Traffic', 'traffic'],
    ['sign_off', 'signoff'],
  ])('%s → %s', (input, expected) => {
    expect(didYouMean(input, keys)).toBe(expected);
  });

  it.each(['x', 'zz', 'completely_different', 'traffic'])('%s → nothing', (input) => {
    expect(didYouMean(input, keys)).toBeUndefined();
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
