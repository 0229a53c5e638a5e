/**
 * Hostile and careless input through the real bin: a size limit with a flag to
 * raise it, no crash on hundreds of thousands of problems, a fixed answer for
 * input nested past the limit, and no raw control characters on the terminal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_LINE, spawnCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'threshold-cli-limits-'));
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

describe('threshold validate on hostile input (real bin)', () => {
  it('reports a plan with 130,000 problems without crashing, and the next file too', () => {
    const many = write(
      'many.yaml',
      `${VALID.replace(/phases:\n.*\n/, '')}phases: [${'0,'.repeat(129_999)}0]\n`,
    );
    const other = write('other.yaml', VALID.replace('owner: web\n', ''));
    const run = spawnCli(['validate', many, other], tmp);
    expect(run.stderr).not.toMatch(/Maximum call stack/);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('many.yaml:')).length).toBe(101);
    expect(lines).toContain(
      'many.yaml: ... and 129,900 more problems'.replace('129,900', '129900'),
    );
    expect(lines.at(-1)).toBe("other.yaml:1:1: missing required key 'owner'");
    expect(run.stderr).toBe('✗ 130001 problems in 2 of 2 plans\n');

    const json = spawnCli(['validate', '--json', many, other], tmp);
    const out = JSON.parse(json.stdout) as { errors: { file: string }[]; omittedErrors: number };
    expect(out.errors).toHaveLength(101);
    expect(out.omittedErrors).toBe(129_900);
  });

  it('refuses a plan over 1 MiB unless --max-bytes raises the limit', () => {
    const big = write('big.yaml', `${VALID}#${'x'.repeat(1024 * 1024)}\n`);
    const refused = spawnCli(['validate', big], tmp);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'big.yaml: cannot read: larger than 1048576 bytes (raise the limit with --max-bytes N)',
    );
    const raised = spawnCli(['validate', '--max-bytes', '2000000', big], tmp);
    expect(raised.code).toBe(0);
    expect(raised.stderr).toBe('✓ 1 plan valid\n');
    const explain = spawnCli(['plan', 'explain', big], tmp);
    expect(explain.code).toBe(2);
    expect(spawnCli(['plan', 'explain', '--max-bytes=2000000', big], tmp).code).toBe(0);
    const bad = spawnCli(['validate', '--max-bytes', 'lots', big], tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-bytes must be a whole number of bytes, got 'lots'");
  });

  it('answers YAML nested 780 deep with one error at the same line:col every run', () => {
    const deep = write('deep.yaml', `launch: x\nphases: ${'['.repeat(780)}${']'.repeat(780)}\n`);
    const runs = [spawnCli(['validate', deep], tmp), spawnCli(['validate', deep], tmp)];
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('deep.yaml:2:72: the plan nests deeper than 64 levels\n');
    }
  });

  it('prints control characters in plan values as escapes', () => {
    const esc = write(
      'esc.yaml',
      VALID.replace('100%', '"\\e]0;owned\\a\\e[2J"').replace(
        'owner: web',
        'owner: web\n"k\\e[31m": 1',
      ),
    );
    const run = spawnCli(['validate', esc], tmp);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\u0007');
    expect(run.stdout).toContain("unknown key 'k\\x1b[31m'");
    expect(run.stdout).toContain('\\x1b]0;owned\\x07\\x1b[2J');

    const shown = write('shown.yaml', VALID.replace('owner: web', 'owner: "web\\e[2J\\u202e"'));
    const explain = spawnCli(['plan', 'explain', shown], tmp);
    expect(explain.code).toBe(0);
    expect(explain.stdout).not.toContain('\u001b');
    expect(explain.stdout).not.toContain('\u202e');
    expect(explain.stdout).toContain('web\\x1b[2J\\u202e');
  });
});
