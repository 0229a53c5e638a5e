/** Runs `threshold serve` as a real child process (needs `npm run build`) and reads its URL. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI launcher the tests run. */
export const THRESHOLD_BIN = fileURLToPath(
  new URL('../../../cli/bin/threshold.js', import.meta.url),
);

/** A `threshold serve` child process. */
export interface ServeProcess {
  child: ChildProcess;
  /** Base URL from the "listening on" line. */
  url: Promise<string>;
  /** Exit code, or the signal name when killed. */
  exited: Promise<number | string | null>;
  stderr(): string;
}

/** Starts `threshold serve --port 0 --data-dir DIR`. */
export function spawnServe(dataDir: string): ServeProcess {
  const child = spawn(
    process.execPath,
    [THRESHOLD_BIN, 'serve', '--port', '0', '--data-dir', dataDir],
    {
      env: { PATH: process.env.PATH ?? '', THRESHOLD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then((code) =>
      reject(new Error(`threshold serve exited (${String(code)}): ${stderr}`)),
    );
  });
  return { child, url, exited, stderr: () => stderr };
}
