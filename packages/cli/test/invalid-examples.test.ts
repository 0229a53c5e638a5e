/**
 * Golden tests: every examples/invalid/NN-name.yaml prints exactly the lines in
 * NN-name.expected. After an intended change to core's messages, regenerate with
 *   UPDATE_GOLDENS=1 npx vitest run packages/cli/test/invalid-examples.test.ts
 * and review the diff of examples/invalid/*.expected before committing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, STACK_LINE, runCli, spawnCli } from './run-cli.js';

const DIR = 'examples/invalid';
const plans = readdirSync(join(REPO_ROOT, DIR))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `${DIR}/${f}`);
const update = process.env['UPDATE_GOLDENS'] === '1';

describe('examples/invalid', () => {
  it('holds at least twelve broken plans, each with a golden file', () => {
    expect(plans.length).toBeGreaterThanOrEqual(12);
    const goldens = readdirSync(join(REPO_ROOT, DIR)).filter((f) => f.endsWith('.expected'));
    expect(goldens.sort()).toEqual(
      plans.map((p) => p.slice(DIR.length + 1).replace(/\.yaml$/, '.expected')),
    );
  });

  it.each(plans)('%s yields its golden errors and exits 1', async (plan) => {
    const golden = join(REPO_ROOT, plan.replace(/\.yaml$/, '.expected'));
    const run = await runCli(['validate', plan]);
    if (update) writeFileSync(golden, run.stdout);
    expect(run.stdout).toBe(readFileSync(golden, 'utf8'));
    expect(run.code).toBe(1);
    expect(run.stdout).not.toBe('');
    for (const line of run.stdout.trimEnd().split('\n')) {
      expect(line.startsWith(`${plan}:`)).toBe(true);
      expect(line).toMatch(/^[^:]+:\d+:\d+: /);
    }
    expect(run.stderr).toMatch(/^✗ \d+ problems? in 1 of 1 plan\n$/);
  });

  it('reports all files in one run, in argument order', async () => {
    const run = await runCli(['validate', ...plans]);
    const expected = plans
      .map((p) => readFileSync(join(REPO_ROOT, p.replace(/\.yaml$/, '.expected')), 'utf8'))
      .join('');
    expect(run.stdout).toBe(expected);
    expect(run.code).toBe(1);
    const problems = expected.trimEnd().split('\n').length;
    expect(run.stderr).toBe(`✗ ${problems} problems in ${plans.length} of ${plans.length} plans\n`);
  });

  it('the real bin prints the same lines, exits 1 and never a stack trace', () => {
    const run = spawnCli(['validate', ...plans]);
    const expected = plans
      .map((p) => readFileSync(join(REPO_ROOT, p.replace(/\.yaml$/, '.expected')), 'utf8'))
      .join('');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stdout).toBe(expected);
    expect(run.code).toBe(1);
  });
});
