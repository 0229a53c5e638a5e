/** Time rules: outside them decide() does not advance, says why, and still rolls back. */
import { describe, expect, it } from 'vitest';
import {
  decide,
  describeTimeRules,
  isTimeZone,
  parseZonedTime,
  timeRuleAt,
} from '../../src/index.js';
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

describe('time rules in a time zone, across daylight saving', () => {
  // Europe/Berlin: CET (+01:00) until Sunday 2026-03-29 01:00 UTC, then CEST (+02:00) until 2026-10-25.
  const BERLIN: TimeRules = {
    environment: 'production',
    timezone: 'Europe/Berlin',
    allowedHours: {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      fromMinute: 9 * 60,
      toMinute: 17 * 60,
    },
  };
  const at = (iso: string) => Date.parse(iso);
  it('reads the allowed hours on the local clock before and after the change', () => {
    // Monday before the change: 09:00 local is 08:00 UTC.
    expect(timeRuleAt(BERLIN, at('2026-03-23T07:59:00Z')).open).toBe(false);
    expect(timeRuleAt(BERLIN, at('2026-03-23T08:00:00Z')).open).toBe(true);
    expect(timeRuleAt(BERLIN, at('2026-03-23T15:59:00Z')).open).toBe(true);
    expect(timeRuleAt(BERLIN, at('2026-03-23T16:00:00Z')).open).toBe(false);
    // Monday after the change: 09:00 local is 07:00 UTC.
    expect(timeRuleAt(BERLIN, at('2026-03-30T06:59:00Z')).open).toBe(false);
    expect(timeRuleAt(BERLIN, at('2026-03-30T07:00:00Z')).open).toBe(true);
    expect(timeRuleAt(BERLIN, at('2026-03-30T15:00:00Z')).open).toBe(false);
    // The same UTC instant of day is open in winter and closed in summer.
    expect(timeRuleAt(HOURS, at('2026-03-30T15:30:00Z')).open).toBe(true);
  });
  it('names the next opening across the change in local time with its offset', () => {
    // Friday 17:30 CET → Monday 09:00 CEST, 7:00 UTC (not 08:00).
    expect(timeRuleAt(BERLIN, at('2026-03-27T16:30:00Z'))).toEqual({
      open: false,
      reason:
        'outside the allowed hours of production (mon, tue, wed, thu, fri 09:00–17:00 Europe/Berlin); next opening 2026-03-30T09:00+02:00',
      until: at('2026-03-30T07:00:00Z'),
    });
    // And back in autumn: Friday 17:30 CEST → Monday 09:00 CET, 08:00 UTC.
    expect(timeRuleAt(BERLIN, at('2026-10-23T15:30:00Z'))).toMatchObject({
      open: false,
      until: at('2026-10-26T08:00:00Z'),
    });
  });
  it('words freeze windows in the zone, and describes the rules for a report', () => {
    const rules: TimeRules = {
      ...BERLIN,
      freezes: [
        { from: at('2026-12-19T23:00:00Z'), to: at('2027-01-03T23:00:00Z'), reason: 'holidays' },
      ],
    };
    expect(timeRuleAt(rules, at('2026-12-21T10:00:00Z'))).toMatchObject({
      reason: 'the freeze window of production until 2027-01-04T00:00+01:00 (holidays)',
    });
    expect(describeTimeRules(rules)).toBe(
      'Time rules of production: no advance in the freeze window 2026-12-20T00:00+01:00–2027-01-04T00:00+01:00 (holidays); advance only in the allowed hours mon, tue, wed, thu, fri 09:00–17:00 Europe/Berlin.',
    );
    expect(describeTimeRules(HOURS)).toBe(
      'Time rules of production: advance only in the allowed hours mon, tue, wed, thu, fri 09:00–17:00 UTC.',
    );
  });
  it('reads freeze times without an offset on the zone’s clock, with one as written', () => {
    expect(parseZonedTime('2026-12-24', 'Europe/Berlin')).toBe(at('2026-12-23T23:00:00Z'));
    expect(parseZonedTime('2026-07-01T18:30', 'Europe/Berlin')).toBe(at('2026-07-01T16:30:00Z'));
    expect(parseZonedTime('2026-07-01T18:30')).toBe(at('2026-07-01T18:30:00Z'));
    expect(parseZonedTime('2026-07-01T18:30:00+05:00', 'Europe/Berlin')).toBe(
      at('2026-07-01T13:30:00Z'),
    );
    expect(parseZonedTime('2026-07-01T18:30:00.000Z', 'Europe/Berlin')).toBe(
      at('2026-07-01T18:30:00Z'),
    );
    expect(parseZonedTime('next tuesday')).toBeNaN();
    expect(parseZonedTime('2026-13-01')).toBeNaN();
  });
  it('knows IANA zone names', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
