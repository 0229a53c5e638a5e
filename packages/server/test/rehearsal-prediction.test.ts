/** Whether the newest rehearsal before a launch predicted its outcome (ADR 0041), from the record alone. */
import { describe, expect, it } from 'vitest';
import { rehearsalPredicted, rehearsalsBefore } from '../src/launches/rehearsal-record.js';
import type {
  LaunchEvent,
  LaunchRecord,
  RehearsalRecord,
  RehearsalScenario,
} from '../src/store/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const launch = (status: LaunchRecord['status']): LaunchRecord => ({
  id: 'l1',
  planName: 'p',
  planVersion: 2,
  salt: 's',
  status,
  phaseIndex: 0,
  phaseStartedAt: iso(T0),
  traffic: 0,
  createdBy: 'olivia',
  createdBySubject: null,
  environment: 'production',
  retryOf: null,
  createdAt: iso(T0),
  updatedAt: iso(T0),
  seq: 1,
  lastDecision: null,
});

const share = (rate: number) => ({
  rate,
  low: Math.max(0, rate - 0.1),
  high: Math.min(1, rate + 0.1),
});
const scenario = (
  label: string,
  ends: { caught?: number; shipped?: number; stopped?: number; stalled?: number },
  kpi?: string,
): RehearsalScenario => ({
  label,
  effects: kpi === undefined ? [] : [{ kpi, size: 0.5, relative: true, fromPhase: null }],
  runs: 100,
  caught: share(ends.caught ?? 0),
  stoppedForNothing: share(ends.stopped ?? 0),
  shipped: share(ends.shipped ?? 0),
  stalled: share(ends.stalled ?? 0),
});
let id = 0;
const rehearsal = (at: number, scenarios: RehearsalScenario[], version = 2): RehearsalRecord => ({
  id: ++id,
  planName: 'p',
  planVersion: version,
  actor: 'vera',
  subject: null,
  at: iso(at),
  settings: {
    source: 'synthetic',
    runs: 100,
    seed: 1,
    lookIntervalMs: 300_000,
    unitsPerMinute: 10,
    environment: null,
    via: 'api',
  },
  scenarios,
  auditSeq: null,
});
const rollback = (breached: string[]): LaunchEvent[] => [
  {
    launchId: 'l1',
    seq: 5,
    type: 'decision',
    actor: 'controller',
    at: iso(T0 + 60_000),
    data: {
      at: T0 + 60_000,
      type: 'rollback',
      rule: 'guard',
      phase: 'canary',
      reason: '',
      evidence: {
        guards: [
          ...breached.map((kpi) => ({ kpi, verdict: 'breach' })),
          { kpi: 'latency', verdict: 'pass' },
        ],
      },
    },
  },
];

describe('rehearsal predicted the outcome', () => {
  const clean = (shipped: number) => scenario('clean', { shipped, stopped: 1 - shipped });
  const errors = (caught: number) =>
    scenario('error_rate=+50%', { caught, shipped: 1 - caught }, 'error_rate');

  it('keeps only rehearsals of the launched version made before it started', () => {
    const before = rehearsal(T0 - 1000, [clean(0.9)]);
    const after = rehearsal(T0 + 1000, [clean(0.9)]);
    const otherVersion = rehearsal(T0 - 1000, [clean(0.9)], 1);
    expect(rehearsalsBefore(launch('completed'), [before, after, otherVersion])).toEqual([before]);
  });

  it('a completed launch: predicted when the clean scenario shipped more often than anything else', () => {
    const l = launch('completed');
    expect(rehearsalPredicted(l, [], [rehearsal(T0 - 1, [clean(0.9)])])).toBe(true);
    expect(rehearsalPredicted(l, [], [rehearsal(T0 - 1, [clean(0.4)])])).toBe(false);
    // The newest counts.
    expect(
      rehearsalPredicted(l, [], [rehearsal(T0 - 2, [clean(0.9)]), rehearsal(T0 - 1, [clean(0.3)])]),
    ).toBe(false);
  });

  it('a rollback on a KPI breach: predicted when a scenario regressing that KPI was caught at least half the time', () => {
    const l = launch('rolled-back');
    const events = rollback(['error_rate']);
    expect(rehearsalPredicted(l, events, [rehearsal(T0 - 1, [clean(0.9), errors(0.5)])])).toBe(
      true,
    );
    expect(rehearsalPredicted(l, events, [rehearsal(T0 - 1, [clean(0.9), errors(0.49)])])).toBe(
      false,
    );
    // No scenario injected the KPI that breached.
    expect(
      rehearsalPredicted(l, rollback(['latency']), [rehearsal(T0 - 1, [clean(0.9), errors(0.9)])]),
    ).toBe(false);
    // A rollback with no breach (by hand) is not predicted.
    expect(rehearsalPredicted(l, rollback([]), [rehearsal(T0 - 1, [errors(0.9)])])).toBe(false);
  });

  it('unknown without a rehearsal before it, or while the launch has not ended', () => {
    expect(rehearsalPredicted(launch('completed'), [], [])).toBeNull();
    expect(rehearsalPredicted(launch('running'), [], [rehearsal(T0 - 1, [clean(0.9)])])).toBeNull();
    expect(rehearsalPredicted(launch('paused'), [], [rehearsal(T0 - 1, [clean(0.9)])])).toBeNull();
  });
});
