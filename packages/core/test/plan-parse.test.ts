import { describe, expect, it } from 'vitest';
import { formatPlanError, parsePlan } from '../src/index.js';
import type { Plan } from '../src/index.js';

const MINIMAL = `launch: checkout-v2
owner: payments-team
phases:
  - { name: canary, traffic: 1% }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% } }
`;

function valid(source: string): Plan {
  const r = parsePlan(source);
  if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
  return r.plan;
}

function errors(source: string): string[] {
  const r = parsePlan(source, { file: 'p.yaml' });
  expect(r.valid).toBe(false);
  return r.errors.map(formatPlanError);
}

describe('parsePlan: valid plans', () => {
  it('fills every default explicitly', () => {
    const plan = valid(MINIMAL);
    expect(plan.flag).toBe('checkout-v2');
    expect(plan.unit).toBe('userId');
    expect(plan.class).toBe('standard');
    expect(plan.control).toBe('rest');
    expect(plan.hash_version).toBe(1);
    expect(plan.analysis).toEqual({
      false_alarm_rate: 0.05,
      method: 'confidence-sequence',
      srm_p_value: 0.001,
    });
    expect(plan.phases[0]).toEqual({
      name: 'canary',
      traffic: 0.01,
      min_duration: 3_600_000,
      min_units: 100,
      audience: [],
    });
    const kpi = plan.kpis['operational-health'][0];
    expect(kpi?.source).toBe('events');
    expect(kpi?.on_breach).toEqual([{ type: 'rollback' }]);
    expect(kpi?.on_insufficient).toEqual({ type: 'wait' });
    expect(kpi?.guard).toEqual({ compare: { bad: 'increase', margin: 0.1, relative: true } });
    expect(plan.kpis.efficiency).toEqual([]);
    expect(plan.risks).toEqual([]);
    expect(plan.readiness).toEqual([]);
    expect(plan.signoff).toBeUndefined();
  });

  it('normalizes shares, durations, audiences, actions, risks and sign-off', () => {
    const plan = valid(`launch: search
owner: search-team
unit: sessionId
phases:
  - name: canary
    traffic: "0.05%"
    min_duration: 1h30m
    audience: ["country in [NL, SE]", { attribute: email, op: ends_with, values: ["@example.com"] }]
  - { name: half, traffic: 0.5, signoff: { roles: [product], deadline: 4h } }
  - { name: full, traffic: 100%, bake: 1d, signoff: [sre] }
kpis:
  user-impact:
    - name: conversion
      kind: ratio
      numerator: purchase
      denominator: visit
      guard: { max_decrease: 2%, min: 0.01 }
      on_breach: [pause, { notify: [a, b] }, { webhook: "https://hooks.example.com/x" }, notify]
      on_insufficient: { ask: [product] }
  operational-health:
    - { name: availability, kind: slo-burn, source: prometheus, numerator: "bad{arm='{{arm}}'}", denominator: "all{arm='{{arm}}'}", guard: { burn_rate: { slo: 99.9% } } }
risks:
  - { id: R1, title: Slow, likelihood: likely, impact: severe, owner: sre, watch: [availability], contingency: rollback }
signoff:
  roles: { product: 1, sre: { quorum: 2, deadline: 2h } }
`);
    expect(plan.phases.map((p) => p.traffic)).toEqual([0.0005, 0.5, 1]);
    expect(plan.phases[0]?.min_duration).toBe(5_400_000);
    expect(plan.phases[0]?.audience).toEqual([
      { attribute: 'country', op: 'in', values: ['NL', 'SE'] },
      { attribute: 'email', op: 'ends_with', values: ['@example.com'] },
    ]);
    expect(plan.phases[1]?.signoff).toEqual({ roles: ['product'], deadline: 14_400_000 });
    expect(plan.phases[2]?.signoff).toEqual({ roles: ['sre'] });
    expect(plan.phases[2]?.bake).toBe(86_400_000);
    const conversion = plan.kpis['user-impact'][0];
    expect(conversion?.on_breach).toEqual([
      { type: 'pause' },
      { type: 'notify', to: ['a', 'b'] },
      { type: 'webhook', url: 'https://hooks.example.com/x' },
      { type: 'notify', to: [] },
    ]);
    expect(conversion?.on_insufficient).toEqual({ type: 'ask', roles: ['product'] });
    expect(conversion?.guard).toEqual({
      compare: { bad: 'decrease', margin: 0.02, relative: true },
      min: 0.01,
    });
    const availability = plan.kpis['operational-health'][0];
    expect(availability?.guard.burn_rate?.slo).toBeCloseTo(0.999);
    expect(availability?.guard.burn_rate?.windows).toEqual([
      { long: 3_600_000, short: 300_000, factor: 14.4 },
      { long: 21_600_000, short: 1_800_000, factor: 6 },
      { long: 86_400_000, short: 7_200_000, factor: 3 },
      { long: 259_200_000, short: 21_600_000, factor: 1 },
    ]);
    expect(plan.risks[0]).toMatchObject({
      likelihood: 4,
      impact: 5,
      contingency: [{ type: 'rollback' }],
    });
    expect(plan.signoff).toEqual({
      roles: { product: { quorum: 1 }, sre: { quorum: 2, deadline: 7_200_000 } },
      allow_self_approval: false,
      reset_on_edit: true,
      on_deadline: 'hold',
    });
  });

  it('accepts the smallest step, 0.01%', () => {
    const plan = valid(MINIMAL.replace('traffic: 1%', 'traffic: 0.01%'));
    expect(plan.phases[0]?.traffic).toBeCloseTo(0.0001, 10);
  });
});

describe('parsePlan: errors point at the offending node', () => {
  it('unknown keys at the key, with a suggestion', () => {
    expect(errors(MINIMAL.replace('owner:', 'ownr:'))).toEqual([
      "p.yaml:1:1: missing required key 'owner'",
      "p.yaml:2:1: ownr: unknown key 'ownr' (did you mean 'owner'?)",
    ]);
  });

  it('reports shape and semantic problems together in one run', () => {
    const out = errors(`launch: x
owner: o
phases:
  - { name: a, traffic: 10% }
  - { name: a, traffic: 5%, min_duration: 30 }
kpis:
  operational-health:
    - { name: e, kind: occurence, event: x, guard: { max_increase: 10% } }
risks:
  - { id: R1, title: t, likelihood: 2, impact: 2, owner: o, watch: [f] }
`);
    expect(out).toEqual([
      "p.yaml:5:13: phases[1].name: duplicate phase name 'a' (also phases[0])",
      "p.yaml:5:25: phases[1].traffic: traffic must increase from phase to phase: 5% is not above phases[0]'s 10%",
      'p.yaml:5:25: phases[1].traffic: the last phase must be at 100% (got 5%): a launch ends fully live',
      'p.yaml:5:43: phases[1].min_duration: must be a duration like "30m", "2h" or "1d" (got 30: add a unit, e.g. "30m")',
      `p.yaml:8:24: kpis.operational-health[0].kind: must be one of: occurrence, count, mean, ratio, quantile, slo-burn (got "occurence") (did you mean 'occurrence'?)`,
      "p.yaml:10:69: risks[0].watch[0]: risk watches unknown KPI 'f'",
    ]);
  });

  it('roles must be in the sign-off policy', () => {
    const noPolicy = MINIMAL.replace(
      '{ name: full, traffic: 100% }',
      '{ name: full, traffic: 100%, signoff: [product] }',
    );
    expect(errors(noPolicy)).toEqual([
      "p.yaml:5:44: phases[1].signoff[0]: role 'product' needs a sign-off policy: add signoff: { roles: { product: 1 } }",
    ]);
    expect(errors(`${noPolicy}signoff:\n  roles: { prodct: 1, sre: 0 }\n`)).toEqual([
      "p.yaml:5:44: phases[1].signoff[0]: role 'product' is not in the sign-off policy (did you mean 'prodct'?) (roles: prodct, sre)",
      'p.yaml:10:28: signoff.roles.sre: a quorum is at least 1',
    ]);
  });

  it('KPI parameters follow kind and source', () => {
    const plan = (kpi: string) => MINIMAL.replace(/- \{ name: error_rate.*\n/, `- ${kpi}\n`);
    expect(errors(plan('{ name: p95, kind: quantile, event: lat, guard: { max: 800 } }'))).toEqual([
      'p.yaml:8:26: kpis.operational-health[0].kind: kind quantile needs q, e.g. q: 0.95',
    ]);
    expect(
      errors(plan('{ name: cpu, kind: mean, source: prometheus, guard: { max_increase: 5% } }')),
    ).toEqual(['p.yaml:8:40: kpis.operational-health[0].source: source prometheus needs a query']);
    expect(
      errors(plan('{ name: r, kind: ratio, event: x, guard: { burn_rate: { slo: 99% } } }')),
    ).toEqual([
      'p.yaml:8:24: kpis.operational-health[0].kind: kind ratio on source events needs numerator and denominator events',
      'p.yaml:8:38: kpis.operational-health[0].event: kind ratio uses numerator and denominator, not event',
      'p.yaml:8:48: kpis.operational-health[0].guard: burn_rate guards are for kind slo-burn, not ratio',
    ]);
    expect(errors(plan('{ name: g, kind: count, event: x, guard: {} }'))).toEqual([
      'p.yaml:8:48: kpis.operational-health[0].guard: guard needs a rule: max_increase, max_decrease, max_increase_abs, max_decrease_abs, max, min or burn_rate',
    ]);
    // A burn-rate guard reads its own windows: a KPI window would be accepted and ignored.
    expect(
      errors(
        plan(
          '{ name: a, kind: slo-burn, numerator: b, denominator: t, guard: { burn_rate: { slo: 99% } }, window: 1h }',
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^p\.yaml:8:\d+: kpis\.operational-health\[0\]\.window: window does not apply to kind slo-burn/,
      ),
    ]);
  });

  it('the KPI matrix may not be empty', () => {
    expect(errors(MINIMAL.replace(/kpis:[\s\S]*$/, 'kpis: {}\n'))).toEqual([
      'p.yaml:6:7: kpis: the KPI matrix is empty: add at least one KPI under efficiency, user-impact, operational-health to guard the launch',
    ]);
  });

  it('traffic must fit 0.01% buckets', () => {
    expect(errors(MINIMAL.replace('traffic: 1%', 'traffic: 0.015%'))).toEqual([
      'p.yaml:4:30: phases[0].traffic: must be a multiple of 0.01% (got "0.015%")',
    ]);
    expect(errors(MINIMAL.replace('traffic: 1%', 'traffic: 0.00001'))).toEqual([
      'p.yaml:4:30: phases[0].traffic: must be at least 0.01% (got 0.00001)',
    ]);
  });
});

describe('parsePlan: malformed documents', () => {
  it('YAML syntax errors get a position, not a stack trace', () => {
    expect(errors('launch: x\nphases: [1, 2\nowner: y\n')).toEqual([
      'p.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('duplicate keys are errors', () => {
    expect(errors(`${MINIMAL}owner: again\n`)[0]).toMatch(
      /^p\.yaml:9:1: invalid YAML: Map keys must be unique/,
    );
  });

  it('empty, scalar and list documents', () => {
    expect(errors('')).toEqual(['p.yaml:1:1: the plan is empty']);
    expect(errors('# only a comment\n')).toEqual(['p.yaml:1:1: the plan is empty']);
    expect(errors('just text')).toEqual([
      'p.yaml:1:1: a plan is a mapping of keys (launch, phases, kpis, ...)',
    ]);
    expect(errors('- a\n- b\n')).toEqual([
      'p.yaml:1:1: a plan is a mapping of keys (launch, phases, kpis, ...)',
    ]);
  });

  it('several documents in one file are an error', () => {
    expect(errors(`${MINIMAL}---\n${MINIMAL}`)[0]).toMatch(/^p\.yaml:\d+:1: invalid YAML: /);
  });

  it('alias bombs are refused', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    const out = errors(bomb.join('\n'));
    expect(out[0]).toMatch(/invalid YAML: .*alias/i);
  });
});
