/** Where a command reads and writes: the process by default, buffers in tests. */

/** A text sink such as process.stdout. */
export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** The streams and working directory a command runs with. */
export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** Directory that relative plan paths are resolved against. */
  cwd: string;
  /** Environment variables (THRESHOLD_DATABASE_URL); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The real process. A closed pipe (`threshold plan schema | head -1`) ends the
 * output quietly; any other write error sets exit code 3 instead of crashing
 * with a stack trace.
 */
export function processIo(): Io {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') process.exitCode = 3;
      });
    }
  }
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** Fill in whatever part of the io a caller left out. */
export function withDefaults(io: Partial<Io> | undefined): Io {
  if (io?.stdout !== undefined && io.stderr !== undefined && io.cwd !== undefined) {
    return { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, env: io.env ?? process.env };
  }
  const real = processIo();
  return {
    stdout: io?.stdout ?? real.stdout,
    stderr: io?.stderr ?? real.stderr,
    cwd: io?.cwd ?? real.cwd,
    env: io?.env ?? real.env,
  };
}
