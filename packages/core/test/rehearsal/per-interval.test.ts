/**
 * A Prometheus KPI is rehearsed as its source reads it live (ADR 0015): one
 * sample per `step` of the phase in each arm, so its guard counts steps, not
 * units. With a step of 5m a verdict needs 30 steps = 2h30m of phase; with 1m,
 * 30m. An events twin of the same KPI counts units and is unaffected.
 */
import { describe, expect, it } from 'vitest';
import { MIN_UNITS_FOR_VERDICT, rehearse } from '../../src/index.js';
import { planOf } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const plan = (step: '1m' | '5m' | 'events') =>
  planOf(`
launch: per-interval
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 2h, min_units: 1000 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - name: errors
      kind: ratio
${
  step === 'events'
    ? '      numerator: err\n      denominator: req'
    : `      source: prometheus
      numerator: sum(increase(errors_total{arm="{{arm}}"}[{{interval}}]))
      denominator: sum(increase(requests_total{arm="{{arm}}"}[{{interval}}]))
      step: ${step}`
}
      guard: { max_increase: 20% }
      on_breach: rollback
`);

const traffic = {
  unitsPerMinute: 5_000,
  durationMs: 3 * 86_400_000,
  baselines: { errors: { value: 0.02 } },
};
const options = {
  runs: 60,
  seed: 12,
  maxDurationMs: 12 * HOUR,
  injections: [
    {
      label: 'errors doubled',
      effects: [{ kpi: 'errors', size: 1, relative: true, fromPhase: 'canary' }],
    },
  ],
};

describe('rehearse: Prometheus KPIs on the per-interval basis', () => {
  const reports = {
    '1m': rehearse(plan('1m'), traffic, options),
    '5m': rehearse(plan('5m'), traffic, options),
    events: rehearse(plan('events'), traffic, options),
  };
  const canaryTime = (r: (typeof reports)['1m']) =>
    r.clean.phases.find((p) => p.phase === 'canary')?.time.medianMs ?? Infinity;

  it('says the basis and the step in the report', () => {
    expect(reports['5m'].plan.kpis[0]).toMatchObject({ basis: 'per-interval', stepMs: 5 * MINUTE });
    expect(reports['1m'].plan.kpis[0]).toMatchObject({ basis: 'per-interval', stepMs: MINUTE });
    expect(reports.events.plan.kpis[0]).toMatchObject({ basis: 'per-unit', stepMs: null });
    expect(reports['5m'].assumptions.join(' ')).toContain(
      'errors (step 5m) is a Prometheus KPI, judged as the source reads it: each step of the phase is one sample per arm',
    );
    expect(reports.events.assumptions.join(' ')).not.toContain('Prometheus');
  });

  it('a clean canary passes only once it holds 30 steps: later with a 5m step than with 1m', () => {
    expect(MIN_UNITS_FOR_VERDICT).toBe(30);
    for (const r of Object.values(reports))
      expect(r.clean.outcomes.completed.rate).toBeGreaterThan(0.9);
    // Per unit, 2h of a 10% canary at 5000 units a minute is 60 000 units per arm: the
    // minimum duration is all it waits. One sample per step leaves 24 samples of 5m.
    expect(canaryTime(reports.events)).toBe(2 * HOUR);
    expect(canaryTime(reports['1m'])).toBe(2 * HOUR);
    expect(canaryTime(reports['5m'])).toBeGreaterThanOrEqual(30 * 5 * MINUTE);
  });

  it('an injected regression is still caught, after at least 30 steps', () => {
    for (const step of ['1m', '5m'] as const) {
      const inj = reports[step].injections[0];
      expect(inj?.caught.rate).toBeGreaterThan(0.95);
      expect(inj?.shipped.count).toBe(0);
    }
    const detect = (step: '1m' | '5m' | 'events') =>
      reports[step].injections[0]?.timeToDetect.medianMs ?? Infinity;
    expect(detect('1m')).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(detect('5m')).toBeGreaterThanOrEqual(30 * 5 * MINUTE);
    expect(detect('1m')).toBeLessThan(detect('5m'));
    // Per unit it is caught within the first looks.
    expect(detect('events')).toBeLessThan(detect('1m'));
  });

  it('catches a regression that starts only at 100%, against the control steps of the canary (the baseline)', () => {
    const r = rehearse(plan('1m'), traffic, {
      ...options,
      runs: 40,
      injections: [
        {
          label: 'errors doubled at full',
          effects: [{ kpi: 'errors', size: 1, relative: true, fromPhase: 'full' }],
        },
      ],
    });
    // Live, the controller reads the canary's control steps from Prometheus again; without
    // them the comparison would be "not comparable" and the regression would ship.
    expect(r.injections[0]?.caught.rate).toBeGreaterThan(0.9);
    expect(r.injections[0]?.shipped.count).toBe(0);
    expect(r.clean.outcomes.completed.rate).toBeGreaterThan(0.9);
  });

  it('sizes detectable effects on the same basis', () => {
    const mde = (step: '1m' | '5m' | 'events') =>
      reports[step].detectableEffects.find((p) => p.phase === 'canary')?.kpis[0];
    // 24 steps of 5m in the canary's 2h: too few for any verdict.
    expect(mde('5m')).toMatchObject({ mde: null });
    expect(mde('5m')?.note).toContain('too few steps');
    // A step's ratio has the per-unit variance over the step's units, so 120 steps of 1m
    // see about what 60 000 units per arm see: the MDEs agree within a few percent.
    const perStep = mde('1m')?.mde ?? NaN;
    const perUnit = mde('events')?.mde ?? NaN;
    expect(perStep).toBeGreaterThan(perUnit);
    expect(perStep).toBeLessThan(perUnit * 1.1);
  });
});

describe('rehearse: a per-interval quantile in a sparse canary', () => {
  it('draws a step with few values as their order statistic, not an asymptotic p99 (no false alarms)', () => {
    // 0.1% of 300 users a minute: most 1m steps hold one value or none. Its p99 is that
    // value (about the median), never the log-normal p99 moved by a huge sampling error.
    const p = planOf(`
launch: sparse-p99
owner: test
phases:
  - { name: canary, traffic: 0.1%, min_duration: 1h }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - name: p99
      kind: quantile
      q: 0.99
      source: prometheus
      query: histogram_quantile(0.99, sum by (le) (increase(x_bucket{arm="{{arm}}"}[{{interval}}])))
      guard: { max: 0.25 }
      on_breach: rollback
`);
    const report = rehearse(
      p,
      { unitsPerMinute: 300, baselines: { p99: { value: 0.08, sd: 0.5 } } },
      { runs: 40, seed: 3, maxDurationMs: 72 * HOUR, lookIntervalMs: 30 * MINUTE },
    );
    expect(report.plan.kpis[0]?.basis).toBe('per-interval-limit');
    expect(report.clean.falseAlarm.count).toBe(0);
  });
});
