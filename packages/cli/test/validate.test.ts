import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summaryLine } from '@threshold/cli';
import { describe, expect, it } from 'vitest';
import { STACK_LINE, runCli, spawnCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'threshold-cli-validate-'));
const write = (name: string, text: string) => {
  writeFileSync(join(tmp, name), text);
  return name;
};

const VALID = `launch: tiny
owner: web
phases:
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: error, guard: { max: 0.05 } }
`;

describe('threshold validate --json', () => {
  it('prints { valid, errors } with every error carrying its file, merged across files', async () => {
    const good = write('good.yaml', VALID);
    const bad = write('bad.yaml', VALID.replace('100%', '50%').replace('owner: web\n', ''));
    const run = await runCli(
      ['validate', '--json', good, bad, 'examples/invalid/04-empty.yaml'],
      tmp,
    );
    expect(run.code).toBe(2); // examples/... does not exist relative to tmp
    expect(run.stderr).toBe('examples/invalid/04-empty.yaml: cannot read: no such file\n');
    const out = JSON.parse(run.stdout) as { valid: boolean; errors: Record<string, unknown>[] };
    expect(out.valid).toBe(false);
    expect(out.errors.length).toBe(2);
    for (const e of out.errors) {
      expect(Object.keys(e)).toEqual(['file', 'line', 'col', 'path', 'message']);
      expect(e['file']).toBe('bad.yaml');
    }
    expect(out.errors[0]).toEqual({
      file: 'bad.yaml',
      line: 1,
      col: 1,
      path: '',
      message: "missing required key 'owner'",
    });
    expect(out.errors[1]).toMatchObject({ line: 3, path: 'phases[0].traffic' });
  });

  it('prints { valid: true, errors: [], omittedErrors: 0 } for valid plans and exits 0', async () => {
    const good = write('good2.yaml', VALID);
    const run = await runCli(['validate', good, '--json'], tmp);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ valid: true, errors: [], omittedErrors: 0 });
    expect(run.stderr).toBe('');
  });

  it('merges errors of several invalid files in argument order', async () => {
    const run = await runCli([
      'validate',
      '--json',
      'examples/invalid/13-risk-unknown-kpi.yaml',
      'examples/invalid/04-empty.yaml',
    ]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { valid: boolean; errors: { file: string }[] };
    expect(out.errors.map((e) => e.file)).toEqual([
      'examples/invalid/13-risk-unknown-kpi.yaml',
      'examples/invalid/13-risk-unknown-kpi.yaml',
      'examples/invalid/04-empty.yaml',
    ]);
  });
});

describe('threshold validate', () => {
  it('prints paths as typed, relative to the working directory', async () => {
    const run = await runCli(['validate', './examples/invalid/04-empty.yaml']);
    expect(run.stdout).toBe('./examples/invalid/04-empty.yaml:1:1: the plan is empty\n');
  });

  it('keeps going after an unreadable file and exits 2', async () => {
    const bad = write('bad3.yaml', 'launch: [');
    const run = await runCli(['validate', 'missing.yaml', bad, '.'], tmp);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^bad3\.yaml:1:\d+: invalid YAML: /);
    expect(run.stderr).toBe(
      'missing.yaml: cannot read: no such file\n' +
        '.: cannot read: is a directory, not a plan file\n' +
        '✗ 1 problem in 1 of 3 plans; 2 plans could not be read\n',
    );
  });

  it('treats arguments after -- as files', async () => {
    const run = await runCli(['validate', '--', '--json'], tmp);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--json: cannot read: no such file');
  });

  it('never prints a stack trace for binary garbage, BOMs or odd YAML (real bin)', () => {
    const files = [
      write('bin.yaml', '\u0000\u0001\u00ff\ufffd'),
      write('bom.yaml', `\ufeff${VALID}`),
      write('alias.yaml', 'a: &a [*a]\n'),
      write('tabs.yaml', 'launch:\t\tx\n\tphases: 1'),
      write('scalar.yaml', '42\n'),
      write('nested.yaml', `${'['.repeat(500)}${']'.repeat(500)}`),
    ];
    const run = spawnCli(['validate', ...files], tmp);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect([0, 1]).toContain(run.code);
    expect(run.stdout).toContain('scalar.yaml:1:1: a plan is a mapping');
    expect(run.stdout).not.toContain('bom.yaml');
  });
});

describe('summaryLine', () => {
  it('counts problems, plans and unreadable files', () => {
    expect(summaryLine({ plans: 3, invalidPlans: 0, problems: 0, unreadable: 0 })).toBe(
      '✓ 3 plans valid',
    );
    expect(summaryLine({ plans: 1, invalidPlans: 0, problems: 0, unreadable: 0 })).toBe(
      '✓ 1 plan valid',
    );
    expect(summaryLine({ plans: 2, invalidPlans: 1, problems: 3, unreadable: 0 })).toBe(
      '✗ 3 problems in 1 of 2 plans',
    );
    expect(summaryLine({ plans: 2, invalidPlans: 0, problems: 0, unreadable: 1 })).toBe(
      '✗ 1 of 2 plans valid; 1 plan could not be read',
    );
    expect(summaryLine({ plans: 1, invalidPlans: 0, problems: 0, unreadable: 1 })).toBe(
      '✗ 1 plan could not be read',
    );
  });
});
