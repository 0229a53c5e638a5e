/** Test helpers: run `threshold` in-process with captured output, or spawn the real bin. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '@threshold/cli';

/** The repository root: examples and schema paths in tests are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/threshold.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `threshold ...argv` in-process, from `cwd` (default: the repository root), with `env` if given. */
export async function runCli(
  argv: string[],
  cwd = REPO_ROOT,
  env?: Record<string, string | undefined>,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    ...(env === undefined ? {} : { env }),
  });
  return { code, stdout, stderr };
}

/** `node packages/cli/bin/threshold.js ...argv` as a real process (needs `tsc -b packages/cli`). */
export function spawnCli(argv: string[], cwd = REPO_ROOT): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A stack trace line as Node prints it. */
export const STACK_LINE = /^ {4}at /m;
