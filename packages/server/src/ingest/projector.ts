/**
 * Folds ingested events into aggregates in the background so the controller
 * reads fresh evidence. `store.project()` is resumable and exactly-once, so a
 * crash mid-fold loses nothing: the next start carries on from the cursor.
 *
 * On SQLite the folding runs in a worker thread (its own connection, see
 * store/sqlite-projection-thread.ts), because better-sqlite3 is synchronous: folding
 * on the main thread stalls the event loop, and with it every ingest ack, for the
 * whole step. On PostgreSQL the work is I/O the event loop awaits, so it stays here.
 */
import type { Logger } from 'pino';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';

/** A running background projection loop. */
export interface Projector {
  /** Projects everything pending now (used by tests and on shutdown). */
  drain(): Promise<number>;
  /** Stops the loop and waits for the fold in flight. */
  stop(): Promise<void>;
  /** Where the folding runs. */
  readonly thread: 'worker' | 'main';
}

/** Options of {@link startProjector}. */
export interface ProjectorOptions {
  logger: Pick<Logger, 'error'>;
  /** Wait between looks while idle (default 200 ms); back to back while there is a backlog. */
  intervalMs?: number;
  /** After each step, with the events it folded. */
  onProjected?: (events: number) => void;
  /**
   * `worker` (default): on SQLite, fold in a worker thread when the compiled worker
   * is available (not when running from TypeScript sources); `main`: always here.
   */
  thread?: 'worker' | 'main';
  /** Batches per step (default: 4 in the worker while busy, the store's default of 10 here). */
  limitBatches?: number;
  /** Worker only: batches per step while the server is idle (default 16). */
  maxBatches?: number;
  /** Worker only: the compiled worker script, when not next to the store's module (tests). */
  workerUrl?: URL;
}

/** Starts folding every `intervalMs` while idle, back to back while there is a backlog. */
export function startProjector(store: Store, options: ProjectorOptions): Projector {
  if (options.thread !== 'main' && store instanceof SqliteStore) {
    const thread = store.startProjectionThread({
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.limitBatches === undefined ? {} : { limitBatches: options.limitBatches }),
      ...(options.maxBatches === undefined ? {} : { maxBatches: options.maxBatches }),
      ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
      ...(options.onProjected === undefined ? {} : { onProjected: options.onProjected }),
      onError: (err) => options.logger.error({ err }, 'projecting events failed'),
    });
    if (thread !== undefined) return { ...thread, thread: 'worker' };
  }
  return startMainThreadProjector(store, options);
}

function startMainThreadProjector(store: Store, options: ProjectorOptions): Projector {
  const every = options.intervalMs ?? 200;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<number> = Promise.resolve(0);

  const once = (): Promise<number> => {
    current = current
      .catch(() => 0)
      .then(async () => {
        const n = await store.project(options.limitBatches);
        if (n > 0) options.onProjected?.(n);
        return n;
      });
    return current;
  };

  const loop = () => {
    if (stopped) return;
    once().then(
      (n) => schedule(n > 0 ? 0 : every),
      (err: unknown) => {
        if (!stopped) options.logger.error({ err }, 'projecting events failed');
        schedule(every);
      },
    );
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(loop, ms);
    timer.unref();
  };
  schedule(every);

  return {
    thread: 'main',
    async drain() {
      let total = 0;
      for (;;) {
        const n = await once();
        total += n;
        if (n === 0) return total;
      }
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
