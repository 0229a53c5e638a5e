/** Time rules: outside them decide() does not advance, says why, and still rolls back. */
import { describe, expect, it } from 'vitest';
import { decide, timeRuleAt } from '../../src/index.js';
import type { TimeRules } from '../../src/index.js';
import { H, RULES, T0, evidence, stateIn } from './fixtures.js';

// T0 is Monday 2025-01-06 09:00 UTC.
const FROZEN: TimeRules = {
  environment: 'production',
  freezes: [{ from: T0, to: T0 + 24 * H, reason: 'release freeze' }],
};
const HOURS: TimeRules = {
  environment: 'production',
  allowedHours: {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    fromMinute: 9 * 60,
    toMinute: 17 * 60,
  },
};

describe('timeRuleAt', () => {
  it('is closed inside a freeze and outside the allowed hours, naming when it opens', () => {
    expect(timeRuleAt(undefined, T0)).toEqual({ open: true });
    expect(timeRuleAt(FROZEN, T0 + H)).toEqual({
      open: false,
      reason: 'the freeze window of production until 2025-01-07T09:00Z (release freeze)',
      until: T0 + 24 * H,
    });
    expect(timeRuleAt(FROZEN, T0 + 24 * H)).toEqual({ open: true });
    expect(timeRuleAt(HOURS, T0 + H)).toEqual({ open: true });
    // Friday 18:00 → Monday 09:00.
    const friday = T0 + 4 * 24 * H + 9 * H;
    expect(timeRuleAt(HOURS, friday)).toEqual({
      open: false,
      reason:
        'outside the allowed hours of production (mon, tue, wed, thu, fri 09:00–17:00 UTC); next opening 2025-01-13T09:00Z',
      until: T0 + 7 * 24 * H,
    });
  });
});

describe('decide() with time rules', () => {
  const ready = stateIn(RULES, 0, T0 - 2 * H);
  it('does not advance a ready launch in a freeze, and says why in the look', () => {
    const open = decide(RULES, ready, evidence(RULES), T0 + H);
    expect(open.decisions.map((d) => d.type)).toEqual(['advance']);
    const closed = decide(RULES, ready, { ...evidence(RULES), timeRules: FROZEN }, T0 + H);
    expect(closed.decisions).toEqual([]);
    expect(closed.look.summary).toBe(
      'waiting: the freeze window of production until 2025-01-07T09:00Z (release freeze)',
    );
    expect(closed.look.conditions).toContainEqual({
      id: 'time-rules',
      met: false,
      reason: 'the freeze window of production until 2025-01-07T09:00Z (release freeze)',
    });
  });
  it('rolls back on a breach in a freeze', () => {
    const r = decide(
      RULES,
      ready,
      { ...evidence(RULES, { verdicts: { errors: 'breach' } }), timeRules: FROZEN },
      T0 + H,
    );
    expect(r.decisions.map((d) => d.type)).toContain('rollback');
  });
});
