/** Pick and open the store from configuration, and run migrations. */
import { join, resolve } from 'node:path';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The part of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * `postgres://…` or `postgresql://…` → PostgreSQL. `sqlite::memory:` → an
   * in-memory SQLite (tests only). `sqlite:PATH` or `file:PATH` → that SQLite
   * file. Absent → SQLite at `<dataDir>/threshold.db`.
   */
  url?: string;
  /** Folder of the SQLite file (default ./.threshold), created when missing. */
  dataDir?: string;
  logger?: StoreLogger;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL schema to use (created when missing); default: the server's search_path. */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Epoch ms clock (default Date.now); tests pin time with it. */
  clock?: () => number;
}

/** SQLite file name inside the data folder. */
export const SQLITE_FILE_NAME = 'threshold.db';

/** Open the configured store; migrations run unless `migrate: false`. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.url?.trim() ?? '';
  let store: SqliteStore | PostgresStore;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    store = await PostgresStore.open({
      url,
      ...(options.schema !== undefined && { schema: options.schema }),
      ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
      ...(options.clock !== undefined && { clock: options.clock }),
    });
    options.logger?.info({ store: 'postgres', schema: options.schema }, 'store opened');
  } else {
    const file = sqliteFile(url, options.dataDir);
    store = SqliteStore.open({
      file,
      ...(options.clock !== undefined && { clock: options.clock }),
    });
    options.logger?.info({ store: 'sqlite', file }, 'store opened');
  }
  if (options.migrate !== false) {
    try {
      const before = await store.migrationStatus();
      const after = await store.migrate();
      const applied = after.filter((m, i) => m.appliedAt !== null && before[i]?.appliedAt === null);
      if (applied.length > 0)
        options.logger?.info({ migrations: applied.map((m) => m.id) }, 'migrations applied');
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return store;
}

function sqliteFile(url: string, dataDir: string | undefined): string {
  if (url === 'sqlite::memory:' || url === ':memory:') return ':memory:';
  const m = /^(?:sqlite|file):(.+)$/i.exec(url);
  if (m?.[1] !== undefined) return resolve(m[1]);
  if (url !== '')
    throw new TypeError(
      `url: expected postgres://…, sqlite:PATH or sqlite::memory:, got "${url.replace(/\/\/[^@]*@/, '//…@')}"`,
    );
  return join(resolve(dataDir ?? '.threshold'), SQLITE_FILE_NAME);
}
