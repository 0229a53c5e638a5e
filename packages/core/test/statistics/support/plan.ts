/** Real Kpi and Plan objects for statistics tests, through the plan parser. */
import { parsePlan } from '../../../src/plan/index.js';
import type { Kpi, Plan } from '../../../src/plan/index.js';

/** A plan with the given KPI matrix (YAML of the `kpis:` block, indented two spaces) and analysis settings. */
export function planWith(kpisYaml: string, analysisYaml = ''): Plan {
  const source = `launch: stats-test
owner: stats
phases:
  - { name: canary, traffic: 10% }
  - { name: full, traffic: 100% }
kpis:
${kpisYaml}
${analysisYaml}`;
  const r = parsePlan(source);
  if (!r.valid) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return r.plan;
}

/** One KPI in the operational-health category, from its YAML flow mapping. */
export function kpiOf(flow: string): Kpi {
  const plan = planWith(`  operational-health:\n    - ${flow}`);
  const kpi = plan.kpis['operational-health'][0];
  if (kpi === undefined) throw new Error('no KPI');
  return kpi;
}
