/**
 * PostgreSQL for the sql metric source: its own small pool (never the store's),
 * and every look in a REPEATABLE READ READ ONLY transaction with a statement
 * timeout, so a KPI query can neither write nor run away. The read-only mode is
 * set per transaction, not as a startup parameter, so a PgBouncer in front of the
 * warehouse (which refuses startup `options`) works too.
 */
import pg from 'pg';
import { durationWords } from '../duration-words.js';
import { SqlSourceError } from './sql-dialect.js';
import type { SqlDialect, SqlPool, SqlPoolOptions, SqlRow, SqlStatement } from './sql-dialect.js';

// int8 (count(*)) and numeric (SUM of integers) arrive as numbers; the sums a KPI
// returns are doubles in the guards anyway.
const NUMERIC_OIDS = new Set([20, 1700]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMERIC_OIDS.has(oid)
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '3D000', // invalid_catalog_name: the database does not exist
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
]);

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A pg failure as a {@link SqlSourceError} with the reason in words. */
function classify(e: unknown, timeoutMs: number): SqlSourceError {
  if (e instanceof SqlSourceError) return e;
  const code = errorCode(e);
  const message = messageOf(e);
  if (code === '57014' || /Query read timeout/i.test(message))
    return new SqlSourceError(
      'timeout',
      `timed out after ${durationWords(timeoutMs)} (statement_timeout): make the query cheaper or raise the source's timeout`,
    );
  if (code === '25006')
    return new SqlSourceError(
      'read-only',
      `refused a write: a sql KPI runs in a READ ONLY transaction (${message})`,
    );
  if (/timeout exceeded when trying to connect|terminated due to connection timeout/i.test(message))
    return new SqlSourceError(
      'timeout',
      `timed out after ${durationWords(timeoutMs)} waiting for a connection`,
    );
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || /Connection terminated/i.test(message))
    return new SqlSourceError('unreachable', `unreachable: ${message}`);
  const position = Number((e as { position?: unknown } | null)?.position);
  return new SqlSourceError(
    'query',
    `query failed: ${message}${code ? ` (SQLSTATE ${code})` : ''}`,
    Number.isInteger(position) && position > 0 ? position : undefined,
  );
}

class PostgresPool implements SqlPool {
  readonly #pool: pg.Pool;

  constructor(options: SqlPoolOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.url,
      ...(options.username !== undefined && { user: options.username }),
      ...(options.password !== undefined && { password: options.password }),
      ...(options.ca !== undefined && { ssl: { ca: options.ca } }),
      max: options.maxConnections,
      // A host that accepts and never answers (or a pool with every connection
      // busy) fails the look in time instead of holding it.
      connectionTimeoutMillis: options.connectTimeoutMs,
      types,
      application_name: 'threshold-sql-source',
    });
    // Idle clients can fail when the server restarts; the pool replaces them.
    this.#pool.on('error', () => {});
  }

  async readOnly(statements: SqlStatement[], timeoutMs: number): Promise<SqlRow[][]> {
    return this.#inReadOnlyTransaction(timeoutMs, async (client) => {
      const out: SqlRow[][] = [];
      for (const s of statements) out.push((await run(client, s, timeoutMs)).rows);
      return out;
    });
  }

  async describe(statement: SqlStatement, timeoutMs: number): Promise<string[]> {
    return this.#inReadOnlyTransaction(timeoutMs, async (client) =>
      (await run(client, statement, timeoutMs)).fields.map((f) => f.name),
    );
  }

  async #inReadOnlyTransaction<T>(
    timeoutMs: number,
    fn: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw classify(e, timeoutMs);
    }
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // SET does not take bind parameters; the value is an integer we computed.
      await client.query(
        `SET LOCAL statement_timeout = ${String(Math.max(1, Math.floor(timeoutMs)))}`,
      );
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw classify(e, timeoutMs);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function run(client: pg.PoolClient, s: SqlStatement, timeoutMs: number) {
  return client.query<SqlRow>({
    text: s.text,
    values: s.values,
    // Client-side backstop for a server that stops answering altogether.
    query_timeout: timeoutMs + 2000,
  } as pg.QueryConfig);
}

/** The PostgreSQL dialect: `$n` markers. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  schemes: ['postgres', 'postgresql'],
  bindMarker: (index) => `$${String(index)}`,
  open: (options) => new PostgresPool(options),
};
