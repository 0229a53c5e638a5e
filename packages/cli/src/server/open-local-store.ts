/**
 * The store the CLI's admin commands work on: PostgreSQL when
 * THRESHOLD_DATABASE_URL is set, else the SQLite file in --data-dir
 * (default ./.threshold), the same one `threshold serve` uses.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SQLITE_FILE_NAME, openStore } from '@threshold/server';
import type { Store } from '@threshold/server';
import type { Io } from '../io.js';
import { UsageError } from '../usage-error.js';

/** Where the data lives, for messages ("SQLite at .threshold/threshold.db"). */
export interface StoreLocation {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Human description without secrets. */
  describe: string;
}

/** Resolves the store location from the environment and `--data-dir`. */
export function storeLocation(io: Io, dataDir: string | undefined): StoreLocation {
  const databaseUrl = io.env?.THRESHOLD_DATABASE_URL?.trim() || undefined;
  const dir = resolve(io.cwd, dataDir ?? '.threshold');
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
      throw new UsageError(
        'THRESHOLD_DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use SQLite)',
      );
    }
    const host =
      /@([^/?]+)/.exec(databaseUrl)?.[1] ?? /^postgres(?:ql)?:\/\/([^/?]+)/i.exec(databaseUrl)?.[1];
    return {
      databaseUrl,
      dataDir: dir,
      describe: `PostgreSQL at ${host ?? 'THRESHOLD_DATABASE_URL'}`,
    };
  }
  const file = join(dir, SQLITE_FILE_NAME);
  const shown = relative(io.cwd, file) || file;
  return {
    databaseUrl,
    dataDir: dir,
    describe: `SQLite at ${shown.startsWith('..') ? file : shown}`,
  };
}

/** Whether the store exists already (PostgreSQL: assumed; its server creates the schema). */
export function storeExists(where: StoreLocation): boolean {
  return where.databaseUrl !== undefined || existsSync(join(where.dataDir, SQLITE_FILE_NAME));
}

/**
 * Opens (and migrates) the store. With `mustExist`, a missing SQLite file is a
 * usage error instead of a new empty database.
 */
export async function openLocalStore(
  where: StoreLocation,
  command: string,
  options: { mustExist?: boolean } = {},
): Promise<Store> {
  if (options.mustExist === true && !storeExists(where)) {
    throw new UsageError(
      `no Threshold data in ${where.dataDir} (start 'threshold serve' there first, or pass --data-dir)`,
      command,
    );
  }
  try {
    return await openStore(
      where.databaseUrl === undefined ? { dataDir: where.dataDir } : { url: where.databaseUrl },
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new UsageError(`cannot open ${where.describe}: ${message}`, command);
  }
}

/** The audit actor of CLI changes: `cli:<os user>`. */
export function cliActor(io: Io): string {
  const user = io.env?.USER ?? io.env?.USERNAME ?? io.env?.LOGNAME;
  return user === undefined || user === '' ? 'cli' : `cli:${user}`;
}
