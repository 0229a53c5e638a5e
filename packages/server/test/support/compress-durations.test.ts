import { readFileSync } from 'node:fs';
import { parsePlan } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  clockOf,
  compressPlanDurations,
  differencesBeyondDurations,
  isDurationPath,
} from './compress-durations.js';

const FACTORS = { launch: 36_000, metrics: 60 };

function plan(text: string): Plan {
  const r = parsePlan(text);
  if (!r.valid) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

const PLAN = `
launch: clocks
owner: team
phases:
  - { name: canary, traffic: 1%, min_duration: 1h, signoff: { roles: [sre], deadline: 2h } }
  - { name: full, traffic: 100%, min_duration: 1d, bake: 3d, signoff: [sre] }
kpis:
  efficiency:
    - { name: cpu, kind: mean, source: prometheus, query: 'x{arm="{{arm}}"}', window: 1h, guard: { max: 1 } }
  operational-health:
    - name: burn
      kind: slo-burn
      source: prometheus
      step: 30s
      numerator: 'bad{arm="{{arm}}"}'
      denominator: 'all{arm="{{arm}}"}'
      guard: { burn_rate: { slo: 99.9% } }
    - { name: errors, kind: occurrence, event: error, window: 2h, guard: { max_increase: 10% } }
signoff:
  roles: { sre: { quorum: 2, deadline: 4h }, product: 1 }
  deadline: 1d
`;

describe('compressPlanDurations', () => {
  it('finds duration fields through the plan schema, each on its clock', () => {
    expect(isDurationPath(['phases', 0, 'min_duration'])).toBe(true);
    expect(isDurationPath(['phases', 0, 'signoff', 'deadline'])).toBe(true);
    expect(isDurationPath(['signoff', 'roles', 'sre', 'deadline'])).toBe(true);
    expect(
      isDurationPath(['kpis', 'efficiency', 0, 'guard', 'burn_rate', 'windows', 2, 'short']),
    ).toBe(true);
    expect(isDurationPath(['phases', 0, 'traffic'])).toBe(false);
    expect(isDurationPath(['phases', 0, 'name'])).toBe(false);
    expect(clockOf(['kpis', 'efficiency', 0, 'step'])).toBe('metrics');
    expect(clockOf(['phases', 1, 'bake'])).toBe('launch');
  });

  it('divides every duration by its clock and writes out duration defaults', () => {
    const out = compressPlanDurations(parse(PLAN), FACTORS) as {
      phases: Record<string, unknown>[];
      kpis: Record<string, Record<string, unknown>[]>;
      signoff: Record<string, unknown>;
    };
    expect(out.phases[0]).toMatchObject({
      min_duration: '100ms',
      signoff: { roles: ['sre'], deadline: '200ms' },
    });
    expect(out.phases[1]).toMatchObject({ min_duration: '2s400ms', bake: '7s200ms' });
    expect(out.signoff).toEqual({
      roles: { sre: { quorum: 2, deadline: '400ms' }, product: 1 },
      deadline: '2s400ms',
    });
    // The Prometheus KPI's default step (1m) is written out; the events KPI gets none.
    expect(out.kpis['efficiency']?.[0]).toMatchObject({ window: '1m', step: '1s' });
    expect(out.kpis['operational-health']?.[1]).toMatchObject({ window: '2m' });
    expect(out.kpis['operational-health']?.[1]).not.toHaveProperty('step');
    // The default burn-rate windows are written out, compressed.
    expect(out.kpis['operational-health']?.[0]).toMatchObject({
      step: '500ms',
      guard: {
        burn_rate: {
          slo: '99.9%',
          windows: [
            { long: '1m', short: '5s', factor: 14.4 },
            { long: '6m', short: '30s', factor: 6 },
            { long: '24m', short: '2m', factor: 3 },
            { long: '1h12m', short: '6m', factor: 1 },
          ],
        },
      },
    });
  });

  it('leaves the input alone and refuses a factor that does not divide a duration', () => {
    const doc = parse(PLAN) as { phases: { min_duration: string }[] };
    compressPlanDurations(doc, FACTORS);
    expect(doc.phases[0]?.min_duration).toBe('1h');
    expect(() => compressPlanDurations(doc, { launch: 7, metrics: 1 })).toThrow(
      'phases[0].min_duration: 1h / 7 is not a whole number of milliseconds',
    );
  });

  it('gives a plan whose only differences from the original are durations on their clocks', () => {
    const shipped = plan(PLAN);
    const compressed = plan(stringify(compressPlanDurations(parse(PLAN), FACTORS)));
    expect(differencesBeyondDurations(shipped, compressed, FACTORS)).toEqual([]);
    expect(compressed.phases[1]?.bake).toBe(7200);
    // A default duration is compressed too: a phase's min_duration defaults to 1h.
    const noMinimum = PLAN.replace('min_duration: 1d, ', '');
    expect(
      plan(stringify(compressPlanDurations(parse(noMinimum), FACTORS))).phases[1]?.min_duration,
    ).toBe(100);
    // Left to the default on the compressed plan, it is reported.
    const left = compressPlanDurations(parse(noMinimum), FACTORS) as { phases: object[] };
    delete (left.phases[1] as { min_duration?: string }).min_duration;
    expect(differencesBeyondDurations(plan(noMinimum), plan(stringify(left)), FACTORS)).toEqual([
      'phases[1].min_duration: 3600000 became 3600000',
    ]);
    expect(compressed.kpis['operational-health']?.[0]?.guard.burn_rate?.windows[3]).toEqual({
      long: 4_320_000,
      short: 360_000,
      factor: 1,
    });
  });

  it('reports anything else that differs, and durations on the wrong clock', () => {
    const shipped = plan(PLAN);
    const edited = parse(stringify(compressPlanDurations(parse(PLAN), FACTORS))) as {
      phases: Record<string, unknown>[];
      kpis: Record<string, Record<string, unknown>[]>;
    };
    (edited.phases[0] as Record<string, unknown>)['traffic'] = '2%';
    (edited.phases[1] as Record<string, unknown>)['bake'] = '72m'; // 3d / 60: the metrics clock
    (edited.kpis['efficiency']?.[0] as Record<string, unknown>)['guard'] = { max: 2 };
    expect(differencesBeyondDurations(shipped, plan(stringify(edited)), FACTORS)).toEqual([
      'phases[0].traffic: 0.01 became 0.02',
      'phases[1].bake: 259200000 became 4320000',
      'kpis.efficiency[0].guard.max: 1 became 2',
    ]);
  });

  it('compresses the shipped examples without touching anything but durations', () => {
    for (const name of ['payments-migration', 'search-ranking-signoff', 'checkout-web']) {
      const text = readFileSync(
        new URL(`../../../../examples/${name}.yaml`, import.meta.url),
        'utf8',
      );
      const compressed = plan(stringify(compressPlanDurations(parse(text), FACTORS)));
      expect(differencesBeyondDurations(plan(text), compressed, FACTORS)).toEqual([]);
    }
  });
});
