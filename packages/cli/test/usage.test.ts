import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { main } from '@threshold/cli';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, STACK_LINE, runCli, spawnCli } from './run-cli.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('usage errors exit 2 with a one-line message and a hint', () => {
  it.each([
    [
      ['valdate', 'x.yaml'],
      "threshold: unknown command 'valdate' (did you mean 'validate'?)",
      'threshold --help',
    ],
    [
      ['explain', 'x.yaml'],
      "threshold: unknown command 'explain' (did you mean 'plan explain'?)",
      'threshold --help',
    ],
    [
      ['launch'],
      'threshold launch: missing subcommand: one of start, list, status, pause, resume, rollback, promote, skip, amend, retry, approve, attest, report, review',
      'threshold help launch',
    ],
    [
      ['launch', 'stauts', 'x'],
      "threshold launch: unknown subcommand 'stauts' (did you mean 'status'?)",
      'threshold help launch',
    ],
    [
      ['launch', 'pause', 'x'],
      'threshold launch pause: --reason is required: say why, in a sentence (it goes into the launch record)',
      'threshold help launch pause',
    ],
    [
      ['launch', 'report', 'x', '--format', 'pdf'],
      "threshold launch report: --format must be one of md, html, json, got 'pdf'",
      'threshold help launch report',
    ],
    [
      ['launch', 'review', 'x'],
      'threshold launch review: --outcome is required: what happened, in a few sentences',
      'threshold help launch review',
    ],
    [
      ['launch', 'review', 'x', '--outcome', 'ok', '--follow-up', 'no owner'],
      "threshold launch review: --follow-up must be 'WHAT@OWNER', e.g. 'Load-test the ranking service@search-team', got 'no owner'",
      'threshold help launch review',
    ],
    [
      ['--verison'],
      "threshold: unknown option '--verison' (did you mean '--version'?)",
      'threshold --help',
    ],
    [
      ['validate', '--jsno', 'x.yaml'],
      "threshold validate: unknown option '--jsno' (did you mean '--json'?)",
      'threshold help validate',
    ],
    [
      ['validate', '--json=yes', 'x.yaml'],
      "threshold validate: option '--json' takes no value",
      'threshold help validate',
    ],
    [
      ['validate'],
      'threshold validate: missing PLAN: name a plan file, e.g. plan.yaml',
      'threshold help validate',
    ],
    [['plan'], "threshold plan: missing subcommand: 'explain' or 'schema'", 'threshold help plan'],
    [
      ['plan', 'explian'],
      "threshold plan: unknown subcommand 'explian' (did you mean 'explain'?)",
      'threshold help plan',
    ],
    [
      ['plan', 'explain'],
      'threshold plan explain: missing PLAN: name a plan file, e.g. plan.yaml',
      'threshold help plan explain',
    ],
    [
      ['plan', 'explain', 'a.yaml', 'b.yaml'],
      'threshold plan explain: takes one PLAN, got 2: a.yaml b.yaml',
      'threshold help plan explain',
    ],
    [
      ['plan', 'schema', '--json'],
      "threshold plan schema: unknown option '--json'",
      'threshold help plan schema',
    ],
    [
      ['start', '--port', 'http'],
      "threshold start: --port: expected a port number 0-65535 (0 picks a free one), got 'http'",
      'threshold help start',
    ],
    [
      ['help', 'valdate'],
      "threshold: no help for unknown command 'valdate' (did you mean 'validate'?)",
      'threshold --help',
    ],
  ])('threshold %j', async (argv, message, hint) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${message}\nRun '${hint}' for usage.\n`);
  });

  it('no command at all prints the overview on stderr', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage:');
  });
});

describe('missing or unreadable files exit 2', () => {
  it('validate', async () => {
    const run = await runCli(['validate', 'no/such/plan.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'no/such/plan.yaml: cannot read: no such file\n✗ 1 plan could not be read\n',
    );
  });

  it('plan explain', async () => {
    const run = await runCli(['plan', 'explain', 'examples']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('examples: cannot read: is a directory, not a plan file\n');
  });

  it('the real bin: no stack trace', () => {
    const run = spawnCli(['validate', 'no/such/plan.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toContain('no/such/plan.yaml: cannot read: no such file');
  });
});

describe('help, version, start', () => {
  it.each([
    [['--help'], 'Usage:'],
    [['-h'], 'Usage:'],
    [['help'], 'Usage:'],
    [['help', 'validate'], 'Usage: threshold validate PLAN... [--json]'],
    [['validate', '--help'], 'Usage: threshold validate PLAN... [--json]'],
    [['validate', '-h', 'x.yaml'], 'Usage: threshold validate PLAN... [--json]'],
    [['help', 'plan'], 'Usage: threshold plan <explain|schema>'],
    [['plan', '--help'], 'Usage: threshold plan <explain|schema>'],
    [['help', 'plan', 'explain'], 'Usage: threshold plan explain PLAN [--json]'],
    [['plan', 'explain', '--help'], 'Usage: threshold plan explain PLAN [--json]'],
    [['help', 'plan', 'schema'], 'Usage: threshold plan schema'],
    [['plan', 'schema', '-h'], 'Usage: threshold plan schema'],
    [['help', 'start'], 'Usage: threshold start'],
    [['start', '--help'], 'Usage: threshold start'],
    [['help', 'serve'], 'Usage: threshold serve [--port N]'],
    [['serve', '--help'], 'Usage: threshold serve [--port N]'],
    [['help', 'token'], 'Usage: threshold token <create|list|revoke>'],
    [['token', '--help'], 'Usage: threshold token <create|list|revoke>'],
    [['token', 'create', '--help'], 'Usage: threshold token create --scope S'],
    [['help', 'token', 'list'], 'Usage: threshold token list'],
    [['token', 'revoke', '-h'], 'Usage: threshold token revoke ID'],
    [['help', 'audit', 'verify'], 'Usage: threshold audit verify'],
    [['audit', 'verify', '--help'], 'Usage: threshold audit verify'],
  ])('threshold %j prints help on stdout and exits 0', async (argv, first) => {
    const run = await runCli(argv);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(first);
  });

  it('the overview lists every command and the exit codes', async () => {
    const { stdout } = await runCli(['--help']);
    for (const c of [
      'validate PLAN...',
      'plan explain PLAN',
      'plan schema',
      'serve',
      'token create --scope',
      'token list | revoke ID',
      'audit verify',
      'start',
      'help',
    ]) {
      expect(stdout).toContain(`threshold ${c}`);
    }
    expect(stdout).toContain('1  a plan is invalid, or the audit log is broken');
    expect(stdout).toContain(
      '2  usage error, or a file, the store or the port could not be opened',
    );
  });

  it('--version prints the version of packages/cli/package.json', async () => {
    const run = await runCli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(spawnCli(['--version']).stdout).toBe(`${pkg.version}\n`);
  });

  it('start refuses a bad --speed before starting anything', async () => {
    const run = await runCli(['start', '--speed', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--speed: expected a number from 1 to 20, got '0'");
  });
});

describe('internal errors', () => {
  it('become one message and exit 3, never a thrown exception', async () => {
    let stderr = '';
    const code = await main(['--version'], {
      stdout: {
        write: () => {
          throw new Error('disk on fire');
        },
      },
      stderr: { write: (s: string) => (stderr += s) },
      cwd: REPO_ROOT,
    });
    expect(code).toBe(3);
    expect(stderr).toBe(
      'threshold: internal error: disk on fire\nThis is a bug in threshold; please report it with the command you ran.\n',
    );
  });

  it('a closed pipe does not crash the real bin', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" plan schema | head -c 10`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('{\n  "$id":');
    expect(r.stderr).toBe('');
  });
});
