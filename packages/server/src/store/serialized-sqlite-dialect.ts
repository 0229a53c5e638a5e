/**
 * Kysely's SqliteDialect with two changes: every use of the connection goes
 * through the store's mutex (so the ingest and projection hot paths, which use
 * prepared statements on the same connection, never run inside someone else's
 * open transaction), and transactions start with BEGIN IMMEDIATE (take the
 * write lock up front: a deferred BEGIN that later writes fails with
 * SQLITE_BUSY, busy_timeout or not, when another process wrote meanwhile).
 */
import { CompiledQuery, SqliteDialect } from 'kysely';
import type { DatabaseConnection, Driver, QueryCompiler, SqliteDialectConfig } from 'kysely';
import type { AsyncMutex } from './async-mutex.js';

/** SqliteDialect whose driver shares `mutex` with the store's raw statements. */
export class SerializedSqliteDialect extends SqliteDialect {
  readonly #mutex: AsyncMutex;
  constructor(config: SqliteDialectConfig, mutex: AsyncMutex) {
    super(config);
    this.#mutex = mutex;
  }
  override createDriver(): Driver {
    return new SerializedDriver(super.createDriver(), this.#mutex);
  }
}

class SerializedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly mutex: AsyncMutex,
  ) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    try {
      return await this.inner.acquireConnection();
    } catch (e) {
      this.mutex.unlock();
      throw e;
    }
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.savepoint?.(connection, name, compile);
  }
  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(connection, name, compile);
  }
  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(connection, name, compile);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      this.mutex.unlock();
    }
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
