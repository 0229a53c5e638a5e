/**
 * A plan's router is ignored by the rehearsal, and that is exact (ADR 0025): the
 * router changes who sets a share, not the share, and decide() without router
 * evidence decides as without a router. Rehearsing a routed plan and the same
 * plan without its router (min_units 0, as a router makes it) gives the same report.
 */
import { describe, expect, it } from 'vitest';
import { rehearse } from '../../src/index.js';
import { planOf } from './fixtures.js';

const source = (router: boolean) => `
launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 10%, min_duration: 30m${router ? '' : ', min_units: 0'} }
  - { name: half, traffic: 50%, min_duration: 30m${router ? '' : ', min_units: 0'} }
  - { name: full, traffic: 100%, min_duration: 30m${router ? '' : ', min_units: 0'} }
kpis:
  operational-health:
    - name: errors
      kind: ratio
      source: prometheus
      step: 1m
      numerator: sum(increase(errors_total{arm="{{arm}}"}[{{interval}}]))
      denominator: sum(increase(requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase: 20% }
      on_breach: rollback
${router ? 'router: { name: edge, service: web, arms: { treatment: web-v2, control: web-v1 } }\n' : ''}`;

describe('rehearse: a plan with a router', () => {
  it('gives the report of the same plan without its router', () => {
    const traffic = {
      unitsPerMinute: 2_000,
      durationMs: 86_400_000,
      baselines: { errors: { value: 0.02 } },
    };
    const options = {
      runs: 40,
      seed: 7,
      injections: [
        {
          label: 'errors +50%',
          effects: [{ kpi: 'errors', size: 0.5, relative: true, fromPhase: 'canary' }],
        },
      ],
    };
    const routed = rehearse(planOf(source(true)), traffic, options);
    const plain = rehearse(planOf(source(false)), traffic, options);
    expect(JSON.parse(JSON.stringify(routed))).toEqual(JSON.parse(JSON.stringify(plain)));
    // And it measured something: the injected regression is caught.
    expect(JSON.stringify(routed)).toMatch(/rollback|rolled/i);
  });
});
