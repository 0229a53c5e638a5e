/** `threshold serve` as a real child process with a chosen environment (needs `npm run build`). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../cli/bin/threshold.js', import.meta.url));

/** A running child. */
export interface Child {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<number | string | null>;
  stderr(): string;
}

/** A TCP port free right now (so restarts can reuse it and clients keep their URL). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Start `threshold serve --port PORT --data-dir DIR` with `env` added to a minimal environment. */
export function spawnThreshold(dataDir: string, port: number, env: Record<string, string>): Child {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--data-dir', dataDir],
    {
      env: { PATH: process.env['PATH'] ?? '', THRESHOLD_LOG_LEVEL: 'warn', ...env },
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
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then((code) =>
      reject(new Error(`threshold serve exited (${String(code)}): ${stderr}`)),
    );
  });
  return { child, url, exited, stderr: () => stderr };
}
