import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJsonSchema } from '@threshold/core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

const COMMITTED = join(REPO_ROOT, 'schema/plan.schema.json');

describe('plan schema', () => {
  it('prints the JSON Schema from core, pretty-printed with a final newline', async () => {
    const run = await runCli(['plan', 'schema']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    const schema = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema['properties'] as object)).toEqual(
      expect.arrayContaining(['launch', 'phases', 'kpis', 'risks', 'signoff', 'readiness']),
    );
  });

  it('committed schema/plan.schema.json matches the code', async () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    const current = (await runCli(['plan', 'schema'])).stdout;
    expect(
      committed === current,
      'schema/plan.schema.json is out of date with the plan schema in packages/core: run `npm run build && npm run schema` and commit the result',
    ).toBe(true);
  });

  it('takes no arguments', async () => {
    const run = await runCli(['plan', 'schema', 'extra']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("threshold plan schema: unexpected argument 'extra'");
  });
});
