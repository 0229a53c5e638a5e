/** The dashboard's pure helpers: plan vocabulary in sync with core, sign-in links, diffs, waits, words. */
import * as core from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { tokenFromFragment } from '../src/auth/sign-in-link.js';
import { waitsOf } from '../src/components/phase-timeline.js';
import type { LookRecord } from '../src/api/api-types.js';
import { lineDiff } from '../src/format/line-diff.js';
import { formatInterval, humanDuration } from '../src/format/numbers.js';
import { IMPACT_WORDS, KPI_CATEGORIES, LIKELIHOOD_WORDS } from '../src/format/plan-constants.js';
import { guardInWords } from '../src/format/plan-words.js';
import { matchRoute } from '../src/app/router.js';

describe('plan vocabulary', () => {
  it('matches core exactly (repeated only to keep zod out of the browser bundle)', () => {
    expect(KPI_CATEGORIES).toEqual(core.KPI_CATEGORIES);
    expect(LIKELIHOOD_WORDS).toEqual(core.LIKELIHOOD_WORDS);
    expect(IMPACT_WORDS).toEqual(core.IMPACT_WORDS);
  });
});

describe('sign-in links', () => {
  it('reads the token from the fragment only', () => {
    expect(tokenFromFragment('#token=thr_abc')).toBe('thr_abc');
    expect(tokenFromFragment('#x=1&token=thr_abc')).toBe('thr_abc');
    expect(tokenFromFragment('#token=')).toBeUndefined();
    expect(tokenFromFragment('')).toBeUndefined();
  });
});

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'launches' });
    expect(matchRoute('/launches/a%2Fb')).toEqual({ page: 'launch', id: 'a/b' });
    expect(matchRoute('/plans/checkout')).toEqual({ page: 'plan', name: 'checkout' });
    expect(matchRoute('/audit')).toEqual({ page: 'audit' });
    expect(matchRoute('/nope/x/y')).toEqual({ page: 'not-found', path: '/nope/x/y' });
  });
});

describe('lineDiff', () => {
  it('keeps common lines and marks the changed ones', () => {
    const d = lineDiff('a\nb\nc', 'a\nB\nc\nd');
    expect(d.map((l) => `${l.kind[0]}${l.text}`)).toEqual(['sa', 'rb', 'aB', 'sc', 'ad']);
    expect(lineDiff('x', 'x').every((l) => l.kind === 'same')).toBe(true);
  });
});

describe('waits in the timeline', () => {
  const look = (at: number, state: LookRecord['state'], summary: string, unmet = 'min-duration') =>
    ({
      seq: at,
      at,
      state,
      summary,
      status: 'running',
      phase: 'canary',
      phaseIndex: 0,
      traffic: 0.2,
      next: null,
      conditions: [{ id: unmet, met: false }],
      units: { treatment: 0, control: 0 },
      srm: {
        healthy: true,
        pValue: 1,
        threshold: 0.001,
        observed: { treatment: 0, control: 0 },
        expectedShare: { treatment: 0.2, control: 0.8 },
      },
      kpis: [],
    }) as unknown as LookRecord;

  it('joins consecutive looks blocked by the same condition and keeps the latest status line', () => {
    const waits = waitsOf(
      [
        look(0, 'waiting', 'waiting: 0s of 30m'),
        look(1000, 'waiting', 'waiting: 1s of 30m'),
        look(2000, 'waiting-for-signoff', 'waiting for sign-off: product 0 of 1', 'signoff'),
        look(5000, 'advancing', 'ready'),
      ],
      6000,
    );
    expect(waits).toEqual([
      { key: 'waiting:min-duration', from: 0, to: 2000, summary: 'waiting: 1s of 30m' },
      {
        key: 'waiting-for-signoff:signoff',
        from: 2000,
        to: 5000,
        summary: 'waiting for sign-off: product 0 of 1',
      },
    ]);
  });
});

describe('words and numbers', () => {
  it('says guards and intervals the way explain does', () => {
    expect(guardInWords({ compare: { bad: 'increase', margin: 0.1, relative: true } })).toBe(
      'treatment ≤ control + 10% (relative)',
    );
    expect(formatInterval([0.165, 0.484], false)).toBe('[+0.165, +0.484]');
    expect(formatInterval([null, 0.02], true)).toBe('[−∞, +2%]');
    expect(humanDuration(3_723_000)).toBe('1h 2m');
    expect(humanDuration(500)).toBe('0s');
  });
});
