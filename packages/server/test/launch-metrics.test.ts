/** The portfolio's numbers of one launch, from its log alone: onset to rollback, time to 100%, sign-off waits. */
import { describe, expect, it } from 'vitest';
import { launchMetrics, portfolioStats } from '../src/launches/launch-metrics.js';
import type { LaunchEvent, LaunchRecord } from '../src/store/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const MIN = 60_000;

const launch = (status: LaunchRecord['status']): LaunchRecord => ({
  id: 'l1',
  planName: 'p',
  planVersion: 1,
  salt: 's',
  status,
  phaseIndex: 0,
  phaseStartedAt: new Date(T0).toISOString(),
  traffic: 0,
  createdBy: 'olivia',
  createdBySubject: null,
  environment: 'production',
  retryOf: null,
  createdAt: new Date(T0).toISOString(),
  updatedAt: new Date(T0).toISOString(),
  seq: 1,
  lastDecision: null,
});

let seq = 0;
const decision = (at: number, data: Record<string, unknown>): LaunchEvent => ({
  launchId: 'l1',
  seq: ++seq,
  type: 'decision',
  actor: 'controller',
  at: new Date(at).toISOString(),
  data: {
    at,
    reason: '',
    rule: 'phase-ready',
    phase: 'canary',
    phaseIndex: 0,
    planVersion: 1,
    evidence: {},
    ...data,
  },
});
const look = (at: number, difference: number, verdict: string, treatment = 50): LaunchEvent => ({
  launchId: 'l1',
  seq: ++seq,
  type: 'look',
  actor: 'controller',
  at: new Date(at).toISOString(),
  data: {
    at,
    units: { treatment, control: 50 },
    kpis: [
      {
        kpi: 'e',
        verdict,
        difference,
        threshold: 0.05,
        bad: 'increase',
        units: { treatment, control: 50 },
      },
    ],
  },
});

describe('launch metrics', () => {
  it('time to restore runs from the first look past the margin to the rollback', () => {
    const m = launchMetrics(
      launch('rolled-back'),
      'web',
      [
        look(T0 + 1 * MIN, 0.01, 'insufficient-evidence'),
        // Past the margin, not yet conclusive: the regression's onset.
        look(T0 + 2 * MIN, 0.08, 'insufficient-evidence'),
        look(T0 + 5 * MIN, 0.09, 'breach', 300),
        decision(T0 + 5 * MIN, {
          type: 'rollback',
          traffic: 0,
          evidence: { units: { treatment: 300, control: 290 } },
        }),
      ],
      T0 + 60 * MIN,
    );
    expect(m.timeToRestoreMs).toBe(3 * MIN);
    expect(m.unitsAtRollback).toBe(300);
    expect(m.timeToFullMs).toBeNull();
    expect(m.endedAt).toBe(new Date(T0 + 5 * MIN).toISOString());
  });

  it('a rollback without any sign of regression has no time to restore', () => {
    const m = launchMetrics(
      launch('rolled-back'),
      'web',
      [
        look(T0 + MIN, 0.0, 'pass'),
        decision(T0 + 2 * MIN, { type: 'rollback', traffic: 0, rule: 'operator' }),
      ],
      T0 + 60 * MIN,
    );
    expect(m.timeToRestoreMs).toBeNull();
    expect(m.unitsAtRollback).toBe(50);
  });

  it('time to 100% and the time between a sign-off request and the advance it waited for', () => {
    const m = launchMetrics(
      launch('completed'),
      'web',
      [
        decision(T0 + 10 * MIN, { type: 'request-signoff', key: 'k', forPhase: 'full', roles: [] }),
        decision(T0 + 25 * MIN, { type: 'advance', from: 0, to: 1, traffic: 1 }),
        decision(T0 + 40 * MIN, { type: 'complete' }),
      ],
      T0 + 60 * MIN,
    );
    expect(m.timeToFullMs).toBe(25 * MIN);
    expect(m.signoffWaitMs).toBe(15 * MIN);
    expect(m.timeToRestoreMs).toBeNull();
  });

  it('rates count ended launches only; medians ignore launches without the number', () => {
    const base = launchMetrics(launch('completed'), 'web', [], T0);
    const stats = portfolioStats([
      { ...base, id: 'a', status: 'completed', timeToFullMs: 10 },
      { ...base, id: 'b', status: 'rolled-back', timeToRestoreMs: 4, unitsAtRollback: 7 },
      { ...base, id: 'c', status: 'rolled-back', timeToRestoreMs: 8, unitsAtRollback: 3 },
      { ...base, id: 'd', status: 'running' },
    ]);
    expect(stats).toMatchObject({
      launches: 4,
      ended: 3,
      rolledBack: 2,
      rollbackRate: 2 / 3,
      medianTimeToRestoreMs: 6,
      medianTimeToFullMs: 10,
      unitsExposedAtRollback: 10,
      rehearsalAccuracy: null,
    });
  });
});
