/**
 * The controller lease: of several replicas on one database, only the holder
 * looks at launches and sends the outbox. On PostgreSQL it is a session-level
 * advisory lock on a connection of its own (the database drops it when the
 * holder dies or its connection breaks); on SQLite the database belongs to one
 * process, so that process always holds it. Optimistic seqs still guard every
 * append, so a lease lost mid-look can cost a wasted look, never a double decision.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** A lease some loop must hold to run. */
export interface Lease {
  /** Try to hold the lease (cheap when already held); true while held. */
  acquire(): Promise<boolean>;
  /** Whether this process held it at the last acquire. */
  readonly held: boolean;
  /** Give it up (idempotent). */
  release(): Promise<void>;
}

/** The lease of a single-process database: always held. */
export function localLease(): Lease {
  let held = false;
  return {
    acquire() {
      held = true;
      return Promise.resolve(true);
    },
    get held() {
      return held;
    },
    release() {
      held = false;
      return Promise.resolve();
    },
  };
}

/** Options of {@link advisoryLease}. */
export interface AdvisoryLeaseOptions {
  /** postgres://… of the database. */
  url: string;
  /** Names the lock: replicas sharing a name (e.g. the schema) share one lease. */
  name: string;
  /** Called when the lock connection fails (it is reopened at the next acquire). */
  onError?: (err: unknown) => void;
}

/** The 64-bit advisory lock key of a lease name. */
export function advisoryLockKey(name: string): bigint {
  const digest = createHash('sha256').update(`threshold-controller:${name}`).digest();
  return digest.readBigInt64BE(0);
}

/** A lease backed by pg_try_advisory_lock on a dedicated connection. */
export function advisoryLease(options: AdvisoryLeaseOptions): Lease {
  const key = advisoryLockKey(options.name).toString();
  let client: pg.Client | undefined;
  let held = false;
  let closed = false;

  const drop = (err: unknown) => {
    held = false;
    const c = client;
    client = undefined;
    c?.end().catch(() => undefined);
    options.onError?.(err);
  };

  return {
    async acquire() {
      if (closed) return false;
      try {
        if (client === undefined) {
          const c = new pg.Client({ connectionString: options.url });
          // A broken connection loses the lock: stop believing we hold it.
          c.on('error', drop);
          await c.connect();
          client = c;
          held = false;
        }
        if (held) {
          // Still connected means still held; a cheap round trip proves the connection.
          await client.query('SELECT 1');
          return true;
        }
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
          key,
        ]);
        held = r.rows[0]?.ok === true;
        return held;
      } catch (err) {
        drop(err);
        return false;
      }
    },
    get held() {
      return held;
    },
    async release() {
      closed = true;
      held = false;
      const c = client;
      client = undefined;
      // Ending the session releases the lock.
      await c?.end().catch(() => undefined);
    },
  };
}
