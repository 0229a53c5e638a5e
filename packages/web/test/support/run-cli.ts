/** The `threshold` CLI as people run it, in a child process (the server answers in the test's process, so never block it). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../cli/bin/threshold.js', import.meta.url));

/** Run `threshold ARGS` with only PATH and `env` set; resolves with what it printed. */
export function threshold(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (_err, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}
