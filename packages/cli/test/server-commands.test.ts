/** `threshold serve`, `token` and `audit verify` against a real SQLite store in a temp folder. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, STACK_LINE, runCli } from './run-cli.js';

/** No THRESHOLD_DATABASE_URL: these tests always use the SQLite file in the temp folder. */
const ENV = { USER: 'tester' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threshold-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCli(argv, dir, ENV);

describe('threshold token', () => {
  it('create prints the secret alone on stdout, once, and a note on stderr', async () => {
    // No store here yet: without --data-dir that is refused, naming the way out.
    const refused = await cli(['token', 'create', '--scope', 'operator', '--name', 'alice']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'threshold token create: no Threshold store at .threshold/threshold.db: a token there would reach no server.',
    );
    expect(refused.stderr).toContain('to start a new store here, pass --data-dir .threshold');
    expect(existsSync(join(dir, '.threshold'))).toBe(false);
    const run = await cli([
      'token',
      'create',
      '--scope',
      'operator',
      '--scope',
      'approver:product',
      '--name',
      'alice',
      '--data-dir',
      '.threshold',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^thr_[A-Za-z0-9_-]{43}\n$/);
    expect(run.stderr).toMatch(
      /^Created token 'alice' \(id [0-9a-f-]{36}\) with scope operator, approver:product in SQLite at \.threshold\/threshold\.db\.\n/,
    );
    expect(run.stderr).toContain('shown only once');
    expect(run.stderr).toContain(
      'Note: SQLite at .threshold/threshold.db did not exist and was created; only a server started with --data-dir .threshold accepts this token.',
    );
    // Now the store exists: the default finds it, and says nothing more.
    const second = await cli(['token', 'create', '--scope', 'viewer', '--name', 'bob']);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('Note:');
    const list = await cli(['token', 'list', '--json']);
    const { tokens } = JSON.parse(list.stdout) as { tokens: Record<string, unknown>[] };
    expect(tokens).toEqual([
      expect.objectContaining({
        name: 'alice',
        scopes: ['operator', 'approver:product'],
        revokedAt: null,
      }),
      expect.objectContaining({ name: 'bob', scopes: ['viewer'], revokedAt: null }),
    ]);
    // Neither the secret nor its hash is ever listed.
    expect(list.stdout).not.toContain(run.stdout.trim());
    expect(tokens[0]).not.toHaveProperty('hash');
  });

  it('create limits an sdk token to flags and a unit cap, and refuses them on other scopes', async () => {
    const made = JSON.parse(
      (
        await cli([
          'token',
          'create',
          '--scope',
          'sdk',
          '--name',
          'checkout-web',
          '--flags',
          'checkout-v2,search-v3',
          '--max-units-per-minute',
          '500',
          '--json',
          '--data-dir',
          '.threshold',
        ])
      ).stdout,
    ) as Record<string, unknown>;
    expect(made).toMatchObject({ flags: ['checkout-v2', 'search-v3'], maxUnitsPerMinute: 500 });
    const table = await cli(['token', 'list']);
    expect(table.stdout).toMatch(/checkout-web\s+sdk\s+checkout-v2, search-v3\s/);
    const refused = await cli(['token', 'create', '--scope', 'viewer', '--flags', 'x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('apply to sdk tokens only');
    const bad = await cli(['token', 'create', '--scope', 'sdk', '--max-units-per-minute', '0']);
    expect(bad.stderr).toContain(
      "--max-units-per-minute: expected a whole number from 1 to 1000000000, got '0'",
    );
  });

  it('create --json, list as a table, revoke, and each change is audited as cli:<user>', async () => {
    const made = JSON.parse(
      (await cli(['token', 'create', '--scope', 'sdk', '--json', '--data-dir', '.threshold']))
        .stdout,
    ) as {
      id: string;
      name: string;
      token: string;
    };
    expect(made.name).toMatch(/^sdk-[0-9a-f]{6}$/);
    expect(made.token).toMatch(/^thr_/);
    const table = await cli(['token', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+name\s+scopes\s+flags\s+created\s+revoked$/);
    expect(table.stdout).toContain(made.name);
    const revoke = await cli(['token', 'revoke', made.id]);
    expect(revoke).toEqual({ code: 0, stdout: `Revoked token ${made.id}.\n`, stderr: '' });
    const again = await cli(['token', 'revoke', made.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no active token with id '${made.id}'`);

    const db = new Database(join(dir, '.threshold', 'threshold.db'), { readonly: true });
    const rows = db.prepare('SELECT actor, action FROM audit_log ORDER BY seq').all();
    db.close();
    expect(rows).toEqual([
      { actor: 'cli:tester', action: 'token.created' },
      { actor: 'cli:tester', action: 'token.revoked' },
    ]);
  });

  it.each([
    [
      ['token', 'create'],
      'threshold token create: name at least one --scope: sdk, viewer, operator, admin or approver:<role>',
    ],
    [['token', 'create', '--scope'], "threshold token create: option '--scope' needs a value"],
    [
      ['token', 'create', '--scope', 'root'],
      'threshold token create: --scope: unknown scope "root"',
    ],
    [
      ['token', 'create', '--scope', 'approver:'],
      'threshold token create: --scope: unknown scope "approver:"',
    ],
    [['token'], "threshold token: missing subcommand: 'create', 'list', 'revoke'"],
    [['token', 'lst'], "threshold token: unknown subcommand 'lst' (did you mean 'list'?)"],
    [
      ['token', 'revoke'],
      "threshold token revoke: missing ID: name a token id (see 'threshold token list')",
    ],
    [['token', 'list'], 'threshold token list: no Threshold data in'],
    [['audit', 'verify'], 'threshold audit verify: no Threshold data in'],
    [['audit'], "threshold audit: missing subcommand: 'verify'"],
  ])('threshold %j exits 2: %s', async (argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(message)).toBe(true);
    expect(run.stderr).toMatch(/Run 'threshold (help [a-z ]+|--help)' for usage\.\n$/);
  });

  it('THRESHOLD_DATABASE_URL that is not PostgreSQL is a usage error', async () => {
    const run = await runCli(['token', 'list'], dir, { THRESHOLD_DATABASE_URL: 'mysql://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('THRESHOLD_DATABASE_URL must be a postgres://');
  });
});

describe('threshold audit verify', () => {
  it('exits 0 on an intact chain and 1 naming the first entry edited in the database', async () => {
    for (const name of ['a', 'b', 'c'])
      await cli([
        'token',
        'create',
        '--scope',
        'viewer',
        '--name',
        name,
        '--data-dir',
        '.threshold',
      ]);
    const ok = await cli(['audit', 'verify']);
    expect(ok).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        /^✓ audit log intact: 3 entries verified \(SQLite at \.threshold\/threshold\.db\)\n {2}head 3:[0-9a-f]{64}\n$/,
      ) as unknown,
      stderr: '',
    });

    // Someone with database access rewrites history: entry 2 now names another token.
    const db = new Database(join(dir, '.threshold', 'threshold.db'));
    const changed = db
      .prepare('UPDATE audit_log SET data = replace(data, \'"b"\', \'"mallory"\') WHERE seq = 2')
      .run();
    db.close();
    expect(changed.changes).toBe(1);

    const broken = await cli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe(
      '✗ audit log broken at entry 2: hash does not match the entry content (changed after it was written)\n' +
        '  1 entry before it verified (SQLite at .threshold/threshold.db)\n',
    );
    const json = await cli(['audit', 'verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      entries: 1,
      head: { seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown },
      firstBroken: {
        seq: 2,
        reason: 'hash does not match the entry content (changed after it was written)',
      },
    });
  });
});

/** Spawns `threshold serve` and resolves with the URL from its first stdout line. */
function spawnServe(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', USER: 'tester' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  /** Resolves once stderr holds a line matching `test` (pipes may lag the HTTP answer). */
  const stderrLine = (test: (line: string) => boolean) =>
    new Promise<string>((resolve) => {
      const look = () => {
        const line = stderr.split('\n').find(test);
        if (line === undefined) return false;
        resolve(line);
        return true;
      };
      if (!look()) child.stderr.on('data', look);
    });
  return { child, url, exited, stderrLine, output: () => ({ stdout, stderr }) };
}

describe('threshold serve', () => {
  it('starts on SQLite with no configuration, prints its URL, serves, and stops on SIGTERM', async () => {
    const s = spawnServe(['--port', '0', '--data-dir', 'data']);
    const url = await s.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({
      status: 'ready',
      dialect: 'sqlite',
    });
    expect((await fetch(`${url}/api/v1/launches`)).status).toBe(401);
    expect(s.output().stdout).toContain(
      "no tokens yet: create one with 'threshold token create --scope admin --data-dir data'",
    );
    // JSON log lines on stderr carry the request id.
    const line = await s.stderrLine((l) => l.includes('"route":"/healthz"'));
    const logLine = JSON.parse(line) as Record<string, unknown>;
    expect(logLine).toMatchObject({ msg: 'request', status: 200, method: 'GET' });
    expect(typeof logLine.reqId).toBe('string');

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output().stderr).toContain('threshold serve: stopped (SIGTERM)');
    expect(s.output().stderr).not.toMatch(STACK_LINE);
  });

  it('refuses a bad port and a port in use with exit 2 and one line', async () => {
    const bad = await cli(['serve', '--port', 'http']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "--port: expected a port number 0-65535 (0 picks a free one), got 'http'",
    );

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const s = spawnServe(['--port', String(port)]);
      await expect(s.url).rejects.toThrow();
      expect(await s.exited).toBe(2);
      expect(s.output().stderr).toContain(
        `threshold serve: port ${port} on 127.0.0.1 is in use; pick another with --port`,
      );
      expect(s.output().stderr).not.toMatch(STACK_LINE);
    } finally {
      blocker.close();
    }
  });
});
