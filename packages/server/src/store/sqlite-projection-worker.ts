/**
 * Worker-thread entry of the SQLite projection (started by sqlite-projection-thread.ts).
 *
 * Each step: fold up to `limit` batches (see BUSY_WAIT_MS) in a read transaction (no lock: WAL
 * readers do not block the writer), ask the main thread for the store's connection
 * mutex, then in one IMMEDIATE transaction check that the cursor and the active
 * launches are unchanged, write the deltas and move the cursor. If they changed (a
 * `project()` call on the main thread, a launch paused meanwhile), the step is
 * folded again inside that transaction. Either way the cursor and the aggregates
 * move in one transaction: exactly once, and a kill -9 at any point leaves the
 * last committed step.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type {
  FromProjectionWorker,
  ProjectionWorkerConfig,
  ToProjectionWorker,
} from './sqlite-projection-thread.js';
import { SqliteProjection } from './sqlite-projection.js';

const port = parentPort;
if (port === null) throw new Error('sqlite-projection-worker runs as a worker thread');
const config = workerData as ProjectionWorkerConfig;

const raw = new BetterSqlite3(config.file);
// Waits for other processes only (this process's writers are kept apart by the mutex),
// and on this thread, not the event loop's.
raw.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
// No fsync per step: the projection is derived data. A power cut may lose the last
// steps, but never half of one (WAL recovery keeps whole transactions, and the cursor
// moves in the same one), so they are simply folded again. Acknowledged batches are
// fsynced by the ingest path, whose commits also sync every earlier WAL frame.
raw.pragma('synchronous = NORMAL');
raw.pragma('foreign_keys = ON');
raw.pragma('cache_size = -65536');
const projection = new SqliteProjection(raw);

const send = (m: FromProjectionWorker) => port.postMessage(m);
let stopping = false;
let wake: (() => void) | undefined;
let granted: (() => void) | undefined;
/** Drain id → events folded when it was asked (answered at the next idle moment). */
const drains = new Map<number, number>();
let folded = 0;

port.on('message', (m: ToProjectionWorker) => {
  if (m.type === 'locked') {
    granted?.();
    granted = undefined;
  } else if (m.type === 'drain') {
    drains.set(m.id, folded);
    wake?.();
  } else {
    stopping = true;
    wake?.();
  }
});

const lock = () =>
  new Promise<void>((resolve) => {
    granted = resolve;
    send({ type: 'lock' });
  });

/**
 * A lock that takes longer than this to come means the main thread is busy (ingest
 * commits queued, requests being parsed): the next step is small, so they wait less.
 */
const BUSY_WAIT_MS = 2;
let limit = config.limitBatches;

async function step(): Promise<{ batches: number; events: number }> {
  // One snapshot for everything the fold reads.
  const prepared = raw.transaction(() => projection.fold(limit))();
  if (prepared === undefined) return { batches: 0, events: 0 };
  const asked = performance.now();
  await lock();
  const busy = performance.now() - asked > BUSY_WAIT_MS;
  try {
    return raw
      .transaction(() =>
        projection.write(prepared)
          ? { batches: prepared.batches, events: prepared.folded.stats.events }
          : projection.step(limit),
      )
      .immediate();
  } finally {
    send({ type: 'unlock' });
    limit = busy ? config.limitBatches : Math.min(config.maxBatches, limit * 2);
  }
}

const pause = () =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, config.intervalMs);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  }).finally(() => (wake = undefined));

// As the main-thread loop: the first look comes after one interval (or a drain).
await pause();
while (!stopping) {
  let idle: boolean;
  try {
    const r = await step();
    folded += r.events;
    if (r.batches > 0) send({ type: 'projected', batches: r.batches, events: r.events });
    idle = r.batches === 0;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({
      type: 'error',
      message: e.message,
      ...(e.stack === undefined ? {} : { stack: e.stack }),
    });
    drains.clear(); // the main thread fails them on 'error'
    await pause();
    continue;
  }
  if (!idle) continue; // a backlog: fold back to back
  for (const [id, start] of drains) send({ type: 'drained', id, events: folded - start });
  drains.clear();
  if (!stopping) await pause();
}
raw.close();
port.close();
