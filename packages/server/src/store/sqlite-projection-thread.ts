/**
 * Runs the SQLite projection in a worker thread (sqlite-projection-worker.ts) with
 * its own connection to the same WAL database, so folding never runs on the event
 * loop that answers ingest requests.
 *
 * SQLite has one writer at a time, and better-sqlite3 waits for a busy database
 * synchronously (busy_timeout sleeps the thread). So the worker never simply
 * competes for the write lock: it asks for the store's connection mutex (the one
 * FIFO every write of this process already queues on) by message, writes while
 * holding it, and hands it back. The event loop therefore never sleeps on a lock
 * the worker holds; an ingest commit that arrives meanwhile waits its turn in the
 * queue, asynchronously, for the worker's short write (the worker reads and folds
 * before asking). Other processes (the CLI) still meet busy_timeout as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AsyncMutex } from './async-mutex.js';

/** What the worker is started with (its `workerData`). */
export interface ProjectionWorkerConfig {
  file: string;
  busyTimeoutMs: number;
  limitBatches: number;
  maxBatches: number;
  intervalMs: number;
}

/** Messages to the worker. */
export type ToProjectionWorker =
  { type: 'locked' } | { type: 'drain'; id: number } | { type: 'stop' };

/** Messages from the worker. */
export type FromProjectionWorker =
  | { type: 'lock' }
  | { type: 'unlock' }
  | { type: 'projected'; batches: number; events: number }
  | { type: 'drained'; id: number; events: number }
  | { type: 'error'; message: string; stack?: string };

/** Options of {@link startProjectionThread}. */
export interface ProjectionThreadOptions {
  /**
   * Batches folded per step while this process is busy (default 4: a write of a few
   * tens of ms at 1,000 events per batch, which ingest commits queue behind).
   */
  limitBatches?: number;
  /**
   * Batches per step while nobody else waits for the connection (default 16, at
   * least `limitBatches`): bigger steps cost less CPU per event (fewer commits, pages
   * written once for several events), so an idle server drains a backlog faster.
   */
  maxBatches?: number;
  /** How long to wait before looking again when nothing is pending (default 200 ms). */
  intervalMs?: number;
  /** After each committed step, with the events it folded. */
  onProjected?: (events: number) => void;
  /** A step failed (it is retried after `intervalMs`) or the worker died (it is restarted). */
  onError?: (err: Error) => void;
  /** The compiled worker script (default: sqlite-projection-worker.js next to this module). */
  workerUrl?: URL;
}

/** A running projection thread. */
export interface ProjectionThread {
  /** Resolves once everything pending when called is folded; the events folded meanwhile. */
  drain(): Promise<number>;
  /** Lets the step in flight commit, then ends the worker. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_WORKER_URL = new URL('./sqlite-projection-worker.js', import.meta.url);

/**
 * Whether the compiled worker script exists. It does not when this module runs from
 * its TypeScript source (vitest): callers then fold on the main thread instead.
 */
export function projectionWorkerAvailable(url: URL = DEFAULT_WORKER_URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url));
}

/** Start the worker on `file`; `mutex` is the store's connection mutex. */
export function startProjectionThread(
  file: string,
  mutex: AsyncMutex,
  busyTimeoutMs: number,
  options: ProjectionThreadOptions = {},
): ProjectionThread {
  const config: ProjectionWorkerConfig = {
    file,
    busyTimeoutMs,
    limitBatches: options.limitBatches ?? 4,
    maxBatches: Math.max(options.limitBatches ?? 4, options.maxBatches ?? 16),
    intervalMs: options.intervalMs ?? 200,
  };
  const url = options.workerUrl ?? DEFAULT_WORKER_URL;
  const drains = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  let nextDrain = 1;
  let stopping = false;
  let current: Worker | undefined;
  let restart: ReturnType<typeof setTimeout> | undefined;
  let exited: Promise<void> = Promise.resolve();

  const failDrains = (err: Error) => {
    for (const d of drains.values()) d.reject(err);
    drains.clear();
  };

  const spawn = () => {
    const worker = new Worker(url, { workerData: config });
    // Like the main-thread loop's unref'd timers: a forgotten projector does not keep
    // the process alive. drain() and stop() ref it while they wait.
    worker.unref();
    current = worker;
    let holds = false;
    let alive = true;
    worker.on('message', (m: FromProjectionWorker) => {
      switch (m.type) {
        case 'lock':
          void mutex.lock().then(() => {
            // A worker that died while queued gets nothing: pass the lock on.
            if (!alive) return mutex.unlock();
            holds = true;
            worker.postMessage({ type: 'locked' } satisfies ToProjectionWorker);
          });
          break;
        case 'unlock':
          if (holds) {
            holds = false;
            mutex.unlock();
          }
          break;
        case 'projected':
          if (m.events > 0) options.onProjected?.(m.events);
          break;
        case 'drained': {
          const d = drains.get(m.id);
          drains.delete(m.id);
          d?.resolve(m.events);
          if (drains.size === 0 && !stopping) worker.unref();
          break;
        }
        case 'error': {
          const err = Object.assign(
            new Error(m.message),
            m.stack === undefined ? {} : { stack: m.stack },
          );
          options.onError?.(err);
          failDrains(err);
          break;
        }
      }
    });
    worker.on('error', (err) => options.onError?.(err));
    exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        alive = false;
        if (holds) {
          holds = false;
          mutex.unlock();
        }
        if (current === worker) current = undefined;
        failDrains(new Error(`the projection worker exited (code ${code})`));
        if (!stopping) {
          // Crashed: the cursor is where the last commit left it; a new worker resumes there.
          restart = setTimeout(spawn, config.intervalMs);
          restart.unref();
        }
        resolve();
      }),
    );
  };
  spawn();

  return {
    drain() {
      const worker = current;
      if (stopping || worker === undefined)
        return Promise.reject(new Error('the projection worker is not running'));
      const id = nextDrain++;
      worker.ref();
      const done = new Promise<number>((resolve, reject) => drains.set(id, { resolve, reject }));
      worker.postMessage({ type: 'drain', id } satisfies ToProjectionWorker);
      return done;
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        if (restart !== undefined) clearTimeout(restart);
        if (current !== undefined) {
          current.ref();
          current.postMessage({ type: 'stop' } satisfies ToProjectionWorker);
        }
      }
      await exited;
    },
  };
}
