/**
 * `threshold serve`: the server on SQLite in ./.threshold with no configuration
 * (PostgreSQL with THRESHOLD_DATABASE_URL). The URL goes to stdout, JSON logs to
 * stderr; SIGINT/SIGTERM close it cleanly.
 */
import pino from 'pino';
import { DEFAULT_PORT, startServer } from '@threshold/server';
import { lastValue, parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { storeLocation } from '../server/open-local-store.js';
import { UsageError } from '../usage-error.js';

/** Signals that stop the server (injectable so tests need not send real ones). */
export interface ServeControl {
  /** Resolves when the server should stop. */
  stopped: Promise<string>;
}

function signals(): ServeControl {
  return {
    stopped: new Promise<string>((resolve) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
    }),
  };
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(
      `--port: expected a port number 0-65535 (0 picks a free one), got '${text}'`,
      'serve',
    );
  }
  return port;
}

/** Runs until a stop signal; exit 0 after a clean shutdown. */
export async function runServe(
  args: readonly string[],
  io: Io,
  control: ServeControl = signals(),
): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'serve',
    flags: [],
    values: ['port', 'host', 'data-dir'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText('serve') ?? '');
    return 0;
  }
  const port = parsePort(lastValue(parsed, 'port'));
  const host = lastValue(parsed, 'host') ?? '127.0.0.1';
  const where = storeLocation(io, lastValue(parsed, 'data-dir'));
  const logger = pino(
    { level: io.env?.THRESHOLD_LOG_LEVEL ?? 'info', base: { service: 'threshold' } },
    pino.destination({ fd: 2, sync: true }),
  );

  let server;
  try {
    server = await startServer({
      port,
      host,
      logger,
      ...(where.databaseUrl === undefined
        ? { dataDir: where.dataDir }
        : { databaseUrl: where.databaseUrl }),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} on ${host} is in use; pick another with --port`, 'serve');
    }
    if (err.code === 'EACCES') {
      throw new UsageError(`not allowed to listen on ${host}:${port}`, 'serve');
    }
    throw new UsageError(`cannot start: ${err.message}`, 'serve');
  }

  const tokens = await server.store.listTokens();
  io.stdout.write(`Threshold is listening on ${server.url}\n  store: ${where.describe}\n`);
  if (tokens.every((t) => t.revokedAt !== null)) {
    io.stdout.write(
      `  no tokens yet: create one with 'threshold token create --scope admin${
        parsed.values.has('data-dir') ? ` --data-dir ${lastValue(parsed, 'data-dir') ?? ''}` : ''
      }'\n`,
    );
  }
  io.stdout.write('  stop with Ctrl-C\n');

  const signal = await control.stopped;
  logger.info({ signal }, 'shutting down');
  await server.close();
  io.stderr.write(`threshold serve: stopped (${signal})\n`);
  return 0;
}
