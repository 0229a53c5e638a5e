import { describe, expect, it } from 'vitest';
import { parseHistory, parseInjection, rehearse } from '@threshold/core';
import type { Injection, Plan } from '@threshold/core';
import { ALL_KINDS_PLAN, allKindsCsv, planOf } from './fixtures.js';

const HOUR = 3_600_000;

const PLAN = planOf(`
launch: small
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 1h, min_units: 100 }
  - { name: half, traffic: 50%, min_duration: 2h, min_units: 100, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 50% }, on_breach: rollback }
  user-impact:
    - { name: spend, kind: mean, event: buy, guard: { max_decrease: 30% }, on_breach: pause }
signoff:
  roles: { product: 1 }
`);

function injection(spec: string, plan: Plan = PLAN): Injection {
  const r = parseInjection(spec, plan);
  if (!r.ok) throw new Error(r.message);
  return r.injection;
}

const PROFILE = {
  unitsPerMinute: 200,
  durationMs: 2 * 86_400_000,
  baselines: { errors: { value: 0.05 }, spend: { value: 30, sd: 10 } },
};

describe('rehearse: the report', () => {
  it('is byte-identical JSON for the same seed, and differs for another seed', () => {
    const options = { runs: 40, seed: 12, injections: [injection('errors=+100%')] };
    const a = JSON.stringify(rehearse(PLAN, PROFILE, options));
    const b = JSON.stringify(rehearse(PLAN, PROFILE, options));
    const c = JSON.stringify(rehearse(PLAN, PROFILE, { ...options, seed: 13 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // Plain JSON: nothing is lost in a round trip (no typed arrays, no undefined, no NaN).
    expect(JSON.parse(a)).toEqual(rehearse(PLAN, PROFILE, options));
  });

  it('walks clean launches to 100% with sign-offs given after the delay', () => {
    const quick = rehearse(PLAN, PROFILE, { runs: 30, seed: 1 });
    const slow = rehearse(PLAN, PROFILE, { runs: 30, seed: 1, signoffDelayMs: 3 * HOUR });
    expect(quick.clean.outcomes.completed.count).toBeGreaterThan(20);
    expect(quick.clean.timeToFull.medianMs).not.toBeNull();
    // Every phase's minimum: 1h + 2h, plus one look for the sign-off to arrive.
    expect(quick.clean.timeToFull.medianMs).toBeGreaterThanOrEqual(3 * HOUR);
    // The sign-off is requested once the canary is ready: its 3h come on top (runs differ after that).
    expect(slow.clean.timeToFull.medianMs).toBeGreaterThanOrEqual(
      (quick.clean.timeToFull.medianMs ?? 0) + 2 * HOUR,
    );
    expect(slow.assumptions.join(' ')).toMatch(/approved 3h after they are requested/);
    expect(quick.clean.phases.map((p) => p.phase)).toEqual(['canary', 'half', 'full']);
  });

  it('catches a regression from the phase it starts in, and draws a power curve', () => {
    const report = rehearse(PLAN, PROFILE, {
      runs: 40,
      seed: 2,
      injections: [injection('errors=+60%@half'), injection('errors=+150%@half')],
    });
    const [small, big] = report.injections;
    expect(big?.label).toBe('errors=+150%@half');
    expect(big?.caught.rate).toBeGreaterThan(0.9);
    // Nothing is live in the canary, so nothing is caught there.
    expect(big?.byPhase[0]?.caught.count).toBe(0);
    expect(big?.responses[0]?.response).toBe('rollback');
    expect(big?.unitsBeforeDetect.median).toBeGreaterThan(0);
    expect(big?.stopped.count).toBe(big?.outcomes.rolledBack.count);
    expect(small?.caught.rate).toBeLessThanOrEqual(big?.caught.rate ?? 0);
    expect(report.powerCurves).toEqual([
      {
        kpi: 'errors',
        relative: true,
        fromPhase: 'half',
        points: [
          { size: 0, caught: report.clean.kpis.find((k) => k.kpi === 'errors')?.falseAlarm },
          { size: 0.6, caught: small?.caught },
          { size: 1.5, caught: big?.caught },
        ],
      },
    ]);
  });

  it('runs on a parsed history that it repeats past its end', () => {
    const parsed = parseHistory(allKindsCsv(90), ALL_KINDS_PLAN, { file: 'h.csv' });
    if (!parsed.ok) throw new Error('history');
    const report = rehearse(ALL_KINDS_PLAN, parsed.history, {
      runs: 5,
      seed: 1,
      maxDurationMs: 4 * HOUR,
    });
    expect(report.history).toMatchObject({
      source: 'h.csv',
      kind: 'history',
      intervalMs: 60_000,
      durationMs: 90 * 60_000,
      unitsPerMinute: { mean: 100, min: 100, max: 100 },
    });
    expect(report.history.kpis.find((k) => k.kpi === 'conversion')?.value).toBe(0.05);
    expect(report.settings.maxDurationMs).toBe(4 * HOUR);
    expect(report.clean.runs).toBe(5);
  });

  it('says which phase audiences it did not simulate, and uses the shares it is given', () => {
    const plan = planOf(`
launch: eu-first
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 1h, min_units: 100, audience: ['country in [NL]'] }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 50% } }
`);
    const plain = rehearse(plan, PROFILE, { runs: 3, seed: 1 });
    expect(plain.assumptions.join(' ')).toMatch(/not simulated for canary/);
    const shared = rehearse(plan, PROFILE, { runs: 3, seed: 1, audience: { canary: 0.25 } });
    expect(shared.assumptions.join(' ')).toMatch(
      /25% of arriving units match the audience of phase canary/,
    );
    expect(shared.detectableEffects[0]?.unitsPerArm).toBe(
      Math.round((plain.detectableEffects[0]?.unitsPerArm ?? 0) / 4),
    );
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => rehearse(PLAN, PROFILE, { runs: 0 })).toThrow(/^runs must be/);
    expect(() => rehearse(PLAN, PROFILE, { lookIntervalMs: 10 })).toThrow(/^lookIntervalMs/);
    expect(() => rehearse(PLAN, PROFILE, { audience: { beta: 0.5 } })).toThrow(
      'audience: the plan has no phase beta',
    );
    expect(() => rehearse(PLAN, { unitsPerMinute: 0 }, {})).toThrow(/^unitsPerMinute/);
  });
});

describe('parseInjection', () => {
  it('reads relative, absolute and phase-bound changes', () => {
    expect(injection('errors=+10%')).toEqual({
      label: 'errors=+10%',
      effects: [{ kpi: 'errors', size: 0.1, relative: true, fromPhase: null }],
    });
    expect(injection(' spend = -2.5 @ half , errors=20%').effects).toEqual([
      { kpi: 'spend', size: -2.5, relative: false, fromPhase: 'half' },
      { kpi: 'errors', size: 0.2, relative: true, fromPhase: null },
    ]);
  });

  it.each([
    ['', 'empty injection: write KPI=+10% (or KPI=+10%@phase)'],
    ['errors', '"errors" is not KPI=SIZE: write e.g. spend=+10%'],
    ['error=+1%', `unknown KPI "error" (did you mean 'errors'?); the plan has spend, errors`],
    [
      'errors=+1%@halff',
      `unknown phase "halff" after @ (did you mean 'half'?); the plan has canary, half, full`,
    ],
    [
      'errors=lots',
      'size of errors: "lots" is not a change like +10% (relative) or +0.02 (absolute)',
    ],
    ['errors=-100%', 'size of errors: a relative change must be above -100%'],
    ['errors=+1%,errors=+2%', 'errors appears twice in one injection'],
  ])('explains %j', (spec, message) => {
    expect(parseInjection(spec, PLAN)).toEqual({ ok: false, message });
  });
});
