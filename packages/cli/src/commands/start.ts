/**
 * `threshold start` (= `npm start`): the demo. Threshold on SQLite at
 * http://localhost:4600 with two demo launches and simulated users on real SDK
 * clients; one line per decision until Ctrl-C.
 */
import pino from 'pino';
import { DEFAULT_PORT, DEMO_DATA_DIR, startDemo } from '@threshold/server';
import { resolve } from 'node:path';
import { lastValue, parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { UsageError } from '../usage-error.js';

/** When to stop (injectable so tests need not send real signals). */
export interface StartControl {
  /** Resolves when the demo should stop. */
  stopped: Promise<string>;
}

function signals(): StartControl {
  return {
    stopped: new Promise<string>((done) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => done(s));
    }),
  };
}

function numberOption(
  text: string | undefined,
  name: string,
  check: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${name}: expected ${expected}, got '${text}'`, 'start');
  return n;
}

/** Run the demo until a stop signal; exit 0 after a clean stop. */
export async function runStart(
  args: readonly string[],
  io: Io,
  control: StartControl = signals(),
): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'start',
    flags: [],
    values: ['port', 'host', 'data-dir', 'speed'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText('start') ?? '');
    return 0;
  }
  const port =
    numberOption(
      lastValue(parsed, 'port'),
      'port',
      (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
      'a port number 0-65535 (0 picks a free one)',
    ) ?? DEFAULT_PORT;
  const speed =
    numberOption(
      lastValue(parsed, 'speed'),
      'speed',
      (n) => n >= 1 && n <= 20,
      'a number from 1 to 20',
    ) ?? 1;
  const host = lastValue(parsed, 'host') ?? '127.0.0.1';
  const dataDir = resolve(io.cwd, lastValue(parsed, 'data-dir') ?? DEMO_DATA_DIR);
  let demo;
  try {
    demo = await startDemo({
      port,
      host,
      dataDir,
      speed,
      out: io.stdout,
      logger: pino(
        { level: io.env?.THRESHOLD_LOG_LEVEL ?? 'warn', base: { service: 'threshold' } },
        pino.destination({ fd: 2, sync: true }),
      ),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${port} on ${host} is in use; pick another with --port`, 'start');
    if (code === 'EACCES')
      throw new UsageError(`not allowed to listen on ${host}:${port}`, 'start');
    throw e;
  }
  const signal = await control.stopped;
  io.stderr.write(`threshold start: ${signal}: stopping the demo\n`);
  await demo.stop();
  return 0;
}
