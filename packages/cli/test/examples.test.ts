import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan } from '@threshold/core';
import type { Plan } from '@threshold/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, STACK_LINE, runCli, spawnCli } from './run-cli.js';

const examples = readdirSync(join(REPO_ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `examples/${f}`);

function load(file: string): Plan {
  const r = parsePlan(readFileSync(join(REPO_ROOT, file), 'utf8'), { file });
  if (!r.valid) throw new Error(`${file} is invalid`);
  return r.plan;
}

describe('examples/*.yaml', () => {
  it('has the three documented examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'examples/checkout-web.yaml',
        'examples/payments-migration.yaml',
        'examples/search-ranking-signoff.yaml',
      ]),
    );
  });

  it.each(examples)('%s validates (exit 0, nothing on stdout)', async (file) => {
    const run = await runCli(['validate', file]);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('✓ 1 plan valid\n');
    expect(run.code).toBe(0);
  });

  it('all validate together through the real bin: `threshold validate examples/*.yaml` exits 0', () => {
    const run = spawnCli(['validate', ...examples]);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`✓ ${examples.length} plans valid\n`);
    expect(run.code).toBe(0);
  });

  it('together use every major feature of the plan', () => {
    const plans = examples.map(load);
    const kpis = plans.flatMap((p) => [
      ...p.kpis.efficiency,
      ...p.kpis['user-impact'],
      ...p.kpis['operational-health'],
    ]);
    const kinds = new Set(kpis.map((k) => k.kind));
    expect([...kinds].sort()).toEqual([
      'count',
      'mean',
      'occurrence',
      'quantile',
      'ratio',
      'slo-burn',
    ]);
    expect(new Set(kpis.map((k) => k.source))).toEqual(
      new Set(['events', 'prometheus', 'sql', 'http']),
    );
    const guards = kpis.map((k) => k.guard);
    expect(guards.some((g) => g.compare?.relative === true && g.compare.bad === 'increase')).toBe(
      true,
    );
    expect(guards.some((g) => g.compare?.relative === true && g.compare.bad === 'decrease')).toBe(
      true,
    );
    expect(guards.some((g) => g.compare?.relative === false)).toBe(true);
    expect(guards.some((g) => g.max !== undefined)).toBe(true);
    expect(guards.some((g) => g.min !== undefined)).toBe(true);
    expect(guards.some((g) => g.burn_rate !== undefined)).toBe(true);
    const actions = new Set(kpis.flatMap((k) => k.on_breach.map((a) => a.type)));
    expect(actions).toEqual(new Set(['rollback', 'pause', 'hold', 'notify', 'ask', 'webhook']));
    const insufficient = new Set(kpis.map((k) => k.on_insufficient.type));
    expect(insufficient).toEqual(new Set(['wait', 'extend', 'hold', 'ask']));
    expect(kpis.some((k) => k.window !== undefined)).toBe(true);
    expect(new Set(plans.map((p) => p.control))).toEqual(new Set(['rest', 'holdout']));
    const phases = plans.flatMap((p) => p.phases);
    expect(phases.some((p) => p.audience.length > 0)).toBe(true);
    expect(phases.some((p) => p.signoff?.deadline !== undefined)).toBe(true);
    expect(phases.some((p) => p.bake !== undefined)).toBe(true);
    expect(phases.some((p) => p.traffic === 0.001)).toBe(true);
    const risks = plans.flatMap((p) => p.risks);
    expect(risks.length).toBeGreaterThanOrEqual(4);
    expect(risks.some((r) => r.mitigation !== undefined)).toBe(true);
    const readiness = plans.flatMap((p) => p.readiness);
    expect(readiness.some((r) => r.blocking && r.evidence !== undefined)).toBe(true);
    expect(readiness.some((r) => !r.blocking)).toBe(true);
    expect(readiness.some((r) => r.evidence === undefined)).toBe(true);
    const signoff = load('examples/search-ranking-signoff.yaml').signoff;
    expect(Object.keys(signoff?.roles ?? {})).toEqual(
      expect.arrayContaining(['engineering', 'product', 'sre', 'support', 'security']),
    );
  });
});
