/**
 * The SQL dialect seam of the sql metric source: how a warehouse binds
 * parameters and runs a read-only query with a time limit. PostgreSQL ships
 * (`postgres-dialect.ts`); ClickHouse, BigQuery or Snowflake add one file each
 * here and run under the same contract suite.
 */

/** One statement with its bind values, in marker order. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** A result row: column name to value. */
export type SqlRow = Record<string, unknown>;

/** Where and how to connect. */
export interface SqlPoolOptions {
  /** Connection URL (e.g. postgres://user@host:5432/db). */
  url: string;
  /** Overrides the URL's credentials (the source's basic auth). */
  username?: string;
  password?: string;
  /** PEM of the CA that signs the server's TLS certificate. */
  ca?: string;
  /** Connections the source may hold at once. */
  maxConnections: number;
  /** How long to wait for a connection (ms). */
  connectTimeoutMs: number;
}

/** A failure in words, with what kind of failure it was (for messages and metrics). */
export class SqlSourceError extends Error {
  constructor(
    readonly type: 'timeout' | 'read-only' | 'unreachable' | 'query',
    message: string,
    /** 1-based character position in the statement, when the database names one. */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'SqlSourceError';
  }
}

/** A pool of sessions that only ever run read-only transactions. */
export interface SqlPool {
  /**
   * Run the statements in one read-only transaction (one snapshot, so both arms
   * are read at the same instant), each under the statement timeout; rows per
   * statement. Throws {@link SqlSourceError} with the reason in words.
   */
  readOnly(statements: SqlStatement[], timeoutMs: number): Promise<SqlRow[][]>;
  /** The column names one statement returns, from a read-only run of it (wrap it in LIMIT 0). */
  describe(statement: SqlStatement, timeoutMs: number): Promise<string[]>;
  close(): Promise<void>;
}

/** One warehouse's way of binding and running. */
export interface SqlDialect {
  /** Name for messages and the config file, e.g. "postgres". */
  readonly name: string;
  /** URL schemes this dialect connects to, e.g. ["postgres", "postgresql"]. */
  readonly schemes: readonly string[];
  /** The bind marker of parameter i (1-based): $1 in PostgreSQL. */
  bindMarker(index: number): string;
  open(options: SqlPoolOptions): SqlPool;
}
