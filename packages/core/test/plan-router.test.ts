import { describe, expect, it } from 'vitest';
import { formatPlanError, parsePlan, planJsonSchema } from '../src/index.js';

const KPI = `    - name: errors
      kind: ratio
      source: prometheus
      numerator: sum(increase(http_errors_total{arm="{{arm}}"}[{{interval}}]))
      denominator: sum(increase(http_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.01 }
`;

const plan = (router: string, extra = '', kpis = KPI) => `launch: web-v2
owner: platform
${extra}phases:
  - { name: canary, traffic: 5%, min_duration: 10m }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
${kpis}${router}`;

const ROUTER = `router:
  name: edge
  service: web
  arms: { treatment: web-v2, control: web-v1 }
`;

function errors(source: string): string[] {
  const r = parsePlan(source, { file: 'p.yaml' });
  expect(r.valid).toBe(false);
  return r.valid ? [] : r.errors.map(formatPlanError);
}

describe('the router section of a plan', () => {
  it('parses a router, and a phase without min_units needs no units', () => {
    const r = parsePlan(plan(ROUTER), { file: 'p.yaml' });
    if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
    expect(r.plan.router).toEqual({
      name: 'edge',
      service: 'web',
      arms: { treatment: 'web-v2', control: 'web-v1' },
    });
    expect(r.plan.phases.map((p) => p.min_units)).toEqual([0, 0]);
  });

  it('keeps the default of 100 units per arm without a router', () => {
    const r = parsePlan(plan(''), { file: 'p.yaml' });
    if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
    expect(r.plan.router).toBeUndefined();
    expect(r.plan.phases.map((p) => p.min_units)).toEqual([100, 100]);
  });

  it('refuses names that could become a second Runtime API command, and one version for both arms', () => {
    expect(
      errors(
        plan(`router:
  name: edge
  service: "web; disable server web/v1"
  arms: { treatment: v2, control: v2 }
`),
      ),
    ).toEqual([
      `p.yaml:16:12: router.service: service must be a name of letters, digits, '.', '_', ':' or '-' (got "web; disable server web/v1")`,
      'p.yaml:17:9: router.arms: arms.treatment and arms.control must name two different versions',
    ]);
    expect(errors(plan(`router: { name: edge, service: web }\n`))).toEqual([
      "p.yaml:14:9: router: missing required key 'arms'",
    ]);
  });

  it('refuses every field a router would leave without effect: holdout, audiences, unit counts, per-unit sources', () => {
    const source = `launch: web-v2
owner: platform
control: holdout
phases:
  - { name: canary, traffic: 5%, min_units: 500, audience: ['country in [NL]'] }
  - { name: full, traffic: 100%, min_units: 0 }
kpis:
  operational-health:
${KPI}    - { name: signups, kind: occurrence, event: signup, guard: { max_decrease: 2% } }
    - { name: refunds, kind: mean, source: sql, sql: "select 1", guard: { max: 1 } }
${ROUTER}`;
    expect(errors(source)).toEqual([
      'p.yaml:3:10: control: a router splits requests between two versions by weight, so it cannot keep a holdout: use control: rest (the current version serves the rest)',
      'p.yaml:5:45: phases[0].min_units: a router counts requests, not units, so no unit count could ever reach this: leave min_units out (it is 0 with a router) and gate the phase with min_duration',
      'p.yaml:5:60: phases[0].audience: an audience is evaluated by the SDKs; a router splits requests by weight alone, so it would not act: remove it, or launch through the SDK without router:',
      'p.yaml:15:7: kpis.operational-health[1]: with a router, evidence is per request from the metrics engine: source events assumes units the SDKs assigned to an arm, but the router assigns requests; read this KPI from source: prometheus',
      'p.yaml:16:44: kpis.operational-health[2].source: with a router, evidence is per request from the metrics engine: source sql assumes units the SDKs assigned to an arm, but the router assigns requests; read this KPI from source: prometheus',
    ]);
  });

  it('is in the JSON Schema', () => {
    const schema = planJsonSchema() as { properties?: Record<string, unknown> };
    expect(schema.properties?.['router']).toMatchObject({
      properties: {
        name: expect.any(Object),
        service: expect.any(Object),
        arms: expect.any(Object),
      },
    });
  });
});
