/**
 * `threshold audit verify` against a head kept outside the database: deleting
 * the last entries (or all of them) leaves a consistent chain that plain
 * verification calls intact; --expect-head and --checkpoint catch it. Rows are
 * deleted in SQL, on SQLite and (with THRESHOLD_TEST_DATABASE_URL) PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './run-cli.js';

const PG = process.env.THRESHOLD_TEST_DATABASE_URL;

interface Target {
  env: Record<string, string>;
  /** Runs SQL against the target's database. */
  sql(text: string): Promise<void>;
}

function run(argv: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function truncationIsCaught(target: Target, cwd: string) {
  const cli = (argv: string[]) => run(argv, cwd, target.env);
  for (const name of ['a', 'b', 'c', 'd', 'e']) {
    expect(
      cli(['token', 'create', '--scope', 'viewer', '--name', name, '--data-dir', '.threshold'])
        .code,
    ).toBe(0);
  }
  const first = cli(['audit', 'verify', '--checkpoint', 'head.json']);
  expect(first.code).toBe(0);
  const head = /head (5:[0-9a-f]{64})/.exec(first.stdout)?.[1] ?? '';
  expect(head).not.toBe('');
  expect(first.stdout).toContain('saved the head to head.json');
  expect(JSON.parse(readFileSync(join(cwd, 'head.json'), 'utf8'))).toEqual({
    seq: 5,
    hash: head.slice(2),
  });
  expect(cli(['audit', 'verify', '--expect-head', head]).code).toBe(0);
  expect(cli(['audit', 'verify', '--checkpoint', 'head.json']).code).toBe(0);

  // The last two entries deleted: plain verification cannot tell.
  await target.sql('DELETE FROM audit_log WHERE seq > 3');
  expect(cli(['audit', 'verify']).code).toBe(0);
  const expected = cli(['audit', 'verify', '--expect-head', head]);
  expect(expected.code).toBe(1);
  expect(expected.stdout).toMatch(
    /^✗ audit log broken at entry 4: truncated: the log ends at entry 3 but the known head is entry 5 \(entries deleted from the end\)\n/,
  );
  const checked = cli(['audit', 'verify', '--checkpoint', 'head.json', '--json']);
  expect(checked.code).toBe(1);
  expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, entries: 3, head: { seq: 3 } });
  // A failed check never moves the checkpoint back.
  expect(JSON.parse(readFileSync(join(cwd, 'head.json'), 'utf8'))).toMatchObject({ seq: 5 });

  // Every entry deleted.
  await target.sql('DELETE FROM audit_log');
  expect(cli(['audit', 'verify']).stdout).toMatch(/intact: 0 entries verified/);
  const empty = cli(['audit', 'verify', '--checkpoint', 'head.json']);
  expect(empty.code).toBe(1);
  expect(empty.stdout).toContain(
    'truncated: the log ends at entry 0 but the known head is entry 5',
  );

  const bad = cli(['audit', 'verify', '--expect-head', '5:nothex']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--expect-head must be SEQ:HASH');
}

describe('threshold audit verify with a known head (real bin)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('catches entries deleted from the end, and all of them, on SQLite', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'threshold-anchor-'));
    dirs.push(cwd);
    const file = join(cwd, '.threshold', 'threshold.db');
    await truncationIsCaught(
      {
        env: {},
        sql(text) {
          const db = new Database(file);
          db.exec(text);
          db.close();
          return Promise.resolve();
        },
      },
      cwd,
    );
    expect(existsSync(file)).toBe(true);
  }, 120_000);

  it.skipIf(PG === undefined)(
    'catches entries deleted from the end, and all of them, on PostgreSQL',
    async () => {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: PG });
      await admin.connect();
      const name = `thr_anchor_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(PG ?? '');
      url.pathname = `/${name}`;
      const cwd = mkdtempSync(join(tmpdir(), 'threshold-anchor-pg-'));
      dirs.push(cwd);
      try {
        await truncationIsCaught(
          {
            env: { THRESHOLD_DATABASE_URL: url.toString() },
            async sql(text) {
              const client = new pg.Client({ connectionString: url.toString() });
              await client.connect();
              await client.query(text);
              await client.end();
            },
          },
          cwd,
        );
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    },
    120_000,
  );
});
