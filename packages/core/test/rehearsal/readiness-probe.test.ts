/**
 * Automated readiness checks in a rehearsal: a blocking probe passes in the
 * clean replay, and an injected failure (`check:TEXT[@phase]`) holds the launch
 * in that phase with the reason, as decide() holds a live launch.
 */
import { describe, expect, it } from 'vitest';
import {
  checkSampleRatio,
  decide,
  initialLaunchState,
  parseInjection,
  rehearse,
} from '../../src/index.js';
import type { Evidence } from '../../src/index.js';
import { planOf } from './fixtures.js';

const PLAN = planOf(`
launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 0 }
  - { name: half, traffic: 50%, min_duration: 30m, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 30m, min_units: 0 }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: error, guard: { max: 0.5 } }
readiness:
  - check: Payments API healthy
    owner: sre
    probe: { url: 'https://payments.internal/healthz' }
`);

describe('decide() with a failing blocking probe', () => {
  it('holds the phase naming the check and the reason, and releases when it passes', () => {
    let state = initialLaunchState(PLAN, { planVersion: 1, now: 0 });
    const base: Evidence = {
      guards: [],
      srm: checkSampleRatio({ treatment: 0, control: 0 }, { treatment: 0.1, control: 0.9 }),
      units: { treatment: 0, control: 0 },
      approvals: [],
    };
    const failing = decide(
      PLAN,
      state,
      {
        ...base,
        checks: [
          {
            check: 'Payments API healthy',
            passed: false,
            reason: 'GET https://payments.internal/healthz answered 503, expected 200',
          },
        ],
      },
      60_000,
    );
    expect(failing.decisions.map((d) => [d.type, d.rule, d.reason])).toEqual([
      [
        'hold',
        'readiness-check',
        'readiness check "Payments API healthy" fails: GET https://payments.internal/healthz answered 503, expected 200; holding canary',
      ],
    ]);
    for (const d of failing.decisions)
      state = {
        ...state,
        holds: [
          ...state.holds,
          {
            id: 'check:Payments API healthy',
            rule: 'readiness-check',
            since: 60_000,
            reason: d.reason,
          },
        ],
      };
    const passing = decide(
      PLAN,
      state,
      {
        ...base,
        checks: [{ check: 'Payments API healthy', passed: true, reason: 'answered 200' }],
      },
      120_000,
    );
    expect(passing.decisions.map((d) => [d.type, d.reason])).toEqual([
      [
        'release-hold',
        'readiness check "Payments API healthy" passes again (answered 200): releasing the hold',
      ],
    ]);
  });
});

describe('rehearse: a blocking probe', () => {
  it('passes in the clean replay; an injected failure holds the launch in its phase', () => {
    const traffic = {
      unitsPerMinute: 500,
      durationMs: 6 * 3_600_000,
      baselines: { errors: { value: 0.01 } },
    };
    const injection = parseInjection('check:Payments API healthy@half', PLAN);
    if (!injection.ok) throw new Error(injection.message);
    expect(injection.injection.label).toBe('check:Payments API healthy@half');
    const report = rehearse(PLAN, traffic, {
      runs: 20,
      seed: 3,
      injections: [injection.injection],
    });
    expect(report.clean.outcomes.completed.count).toBe(20);
    const failed = report.injections[0];
    expect(failed?.outcomes.completed.count).toBe(0);
    // Held where the probe fails: still running when the simulated time ran out.
    expect(failed?.outcomes.unfinished.count).toBe(20);
    expect(failed?.ends.stalled.count).toBe(20);
    expect(failed?.label).toBe('check:Payments API healthy@half');
    const bad = parseInjection('check:No such check', PLAN);
    expect(bad).toEqual({
      ok: false,
      message:
        '"No such check" is not a blocking readiness check; the plan has "Payments API healthy"',
    });
  });
});

const QUERIED = planOf(`
launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 0 }
  - { name: half, traffic: 50%, min_duration: 30m, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 30m, min_units: 0 }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: error, guard: { max: 0.5 } }
readiness:
  - check: Queue drained
    owner: sre
    query: { promql: 'sum(queue_depth)', max: 10 }
  - check: Contract tests green
    owner: qa
    ci: { max_age: 2h }
`);

describe('rehearse: a blocking query and a ci: check (ADR 0042)', () => {
  it('pass in the clean replay; an injected failure of either holds the launch in its phase', () => {
    const traffic = {
      unitsPerMinute: 500,
      durationMs: 6 * 3_600_000,
      baselines: { errors: { value: 0.01 } },
    };
    expect(QUERIED.readiness[0]?.query).toEqual({
      source: 'prometheus',
      promql: 'sum(queue_depth)',
      max: 10,
    });
    expect(QUERIED.readiness[1]?.ci).toEqual({ max_age: 2 * 3_600_000 });
    const injections = ['check:Queue drained@half', 'check:Contract tests green@full'].map(
      (text) => {
        const parsed = parseInjection(text, QUERIED);
        if (!parsed.ok) throw new Error(parsed.message);
        return parsed.injection;
      },
    );
    const report = rehearse(QUERIED, traffic, { runs: 20, seed: 3, injections });
    expect(report.clean.outcomes.completed.count).toBe(20);
    for (const failed of report.injections) {
      expect(failed.outcomes.completed.count).toBe(0);
      expect(failed.ends.stalled.count).toBe(20);
    }
  });
});

describe('rehearse: an attestation that lapses mid-launch (ADR 0042)', () => {
  it('check:TEXT on an attested check holds the launch in that phase', () => {
    const plan = planOf(`
launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 0 }
  - { name: half, traffic: 50%, min_duration: 30m, min_units: 0 }
  - { name: full, traffic: 100%, min_duration: 30m, min_units: 0 }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: error, guard: { max: 0.5 } }
readiness:
  - { check: Support briefed, owner: support }
`);
    const parsed = parseInjection('check:Support briefed@half', plan);
    if (!parsed.ok) throw new Error(parsed.message);
    const report = rehearse(
      plan,
      { unitsPerMinute: 500, durationMs: 6 * 3_600_000, baselines: { errors: { value: 0.01 } } },
      { runs: 20, seed: 3, injections: [parsed.injection] },
    );
    expect(report.clean.outcomes.completed.count).toBe(20);
    expect(report.injections[0]?.ends.stalled.count).toBe(20);
  });
});
