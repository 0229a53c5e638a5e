/** The store: one interface, SQLite and PostgreSQL implementations, and openStore. */
export type * from './store.js';
export { openStore, SQLITE_FILE_NAME } from './open-store.js';
export type { OpenStoreOptions, StoreLogger } from './open-store.js';
export { SqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { PostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { KyselyStore, executeSql } from './kysely-store.js';
export {
  StoreError,
  StoreConflictError,
  StoreActiveLaunchError,
  StoreRouterInUseError,
  StoreNotFoundError,
  StoreInputError,
} from './store-error.js';
export { canonicalJson } from './canonical-json.js';
export { AUDIT_GENESIS_HASH, auditHash, auditHashInput } from './audit-hash.js';
export { MIGRATIONS } from './migrations.js';
export { DEFAULT_ENVIRONMENT } from './validate-input.js';
export type { Migration } from './migrations.js';
