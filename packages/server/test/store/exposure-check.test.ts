/** The pure integrity checks of the projection (exposure-check.ts) on cases the contract suite does not reach. */
import { armOf, bucketOf } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN_UNITS_PER_MINUTE,
  TRAFFIC_CHANGE_GRACE_MS,
  checkArm,
  launchBucketing,
  tokenLimits,
} from '../../src/store/exposure-check.js';
import { unitIn } from './fixtures.js';

const T = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const base = {
  salt: 'salt-L1',
  hashVersion: 1,
  control: 'rest' as const,
  phases: ['canary', 'early'],
  phaseIndex: 1,
  traffic: 0.1,
  phaseStartedAt: iso(T + 3_600_000),
};
const created = { type: 'created', at: iso(T), data: JSON.stringify({ traffic: 0.01 }) };
/** A unit of buckets 100..999: control at 1%, treatment at 10%. */
const between = (() => {
  for (let k = 0; ; k++) {
    const id = `g-${k}`;
    const bucket = bucketOf(id, 'salt-L1');
    if (bucket >= 100 && bucket < 1000) return id;
  }
})();

const advance = {
  type: 'decision',
  at: iso(T + 3_600_000),
  data: JSON.stringify({ type: 'advance', toPhase: 'early', traffic: 0.1 }),
};

describe('exposure checks', () => {
  it('builds each phase’s shares from the log and judges the arm at the claimed phase', () => {
    const b = launchBucketing({ ...base, log: [created, advance] });
    expect([...b.segments.keys()]).toEqual(['canary', 'early']);
    const mid = between;
    expect(armOf(bucketOf(mid, 'salt-L1'), 100, 'rest')).toBe('control');
    // In canary (1%) it is control; in early (10%) treatment.
    expect(checkArm(b, 'canary', mid, 'treatment', T)).toBe('arm-mismatch');
    expect(checkArm(b, 'canary', mid, 'control', T)).toBeUndefined();
    expect(checkArm(b, 'early', mid, 'treatment', T + 7_200_000)).toBeUndefined();
    expect(checkArm(b, 'early', mid, 'control', T + 7_200_000)).toBe('arm-mismatch');
    expect(checkArm(b, 'full', mid, 'treatment', T)).toBe('phase-not-live');
    expect(checkArm(b, 'canary', unitIn('t', 'treatment'), 'treatment', T)).toBeUndefined();
  });

  it('takes the row’s phase and share when the log does not end there (a log edited by hand)', () => {
    const b = launchBucketing({
      ...base,
      log: [created, { type: 'decision', at: 'not a time', data: '{' }],
    });
    expect(b.segments.get('early')).toEqual([{ buckets: 1000, from: T + 3_600_000, to: null }]);
    // The canary segment ends where the row says early began.
    expect(b.segments.get('canary')?.[0]).toMatchObject({ to: T + 3_600_000 });
  });

  it('judges a stale SDK by the share of the phase it names; a later phase never lends its arm', () => {
    const b = launchBucketing({ ...base, log: [created, advance] });
    const u = between;
    // Early has one share (10%): its old arm is wrong there even right after the change.
    expect(checkArm(b, 'early', u, 'control', T + 3_600_000 + TRAFFIC_CHANGE_GRACE_MS / 2)).toBe(
      'arm-mismatch',
    );
    expect(checkArm(b, 'canary', u, 'control', T + 3_600_000 + 10 * TRAFFIC_CHANGE_GRACE_MS)).toBe(
      undefined,
    );
  });

  it('quarantines everything of a launch whose hash version this build does not know', () => {
    const b = launchBucketing({ ...base, hashVersion: 99, log: [created, advance] });
    expect(b.bucketOf).toBeNull();
    expect(checkArm(b, 'early', 'u', 'control', T)).toBe('arm-mismatch');
  });

  it('reads token limits; a scope that cannot be read allows no flag', () => {
    expect(tokenLimits(null, null)).toEqual({
      flags: null,
      unitsPerMinute: DEFAULT_TOKEN_UNITS_PER_MINUTE,
      environment: null,
    });
    expect(tokenLimits('["a","b"]', 5, 'staging')).toEqual({
      flags: new Set(['a', 'b']),
      unitsPerMinute: 5,
      environment: 'staging',
    });
    expect(tokenLimits('{broken', null).flags).toEqual(new Set());
  });
});
