/**
 * Folds ingested events into aggregates in the background so the controller
 * reads fresh evidence. `store.project()` is resumable and exactly-once, so a
 * crash mid-fold loses nothing: the next start carries on from the cursor.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** A running background projection loop. */
export interface Projector {
  /** Projects everything pending now (used by tests and on shutdown). */
  drain(): Promise<number>;
  /** Stops the loop and waits for the fold in flight. */
  stop(): Promise<void>;
}

/** Starts folding every `intervalMs` while idle, back to back while there is a backlog. */
export function startProjector(
  store: Store,
  options: { logger: Logger; intervalMs?: number; onProjected?: (events: number) => void },
): Projector {
  const every = options.intervalMs ?? 200;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<number> = Promise.resolve(0);

  const once = (): Promise<number> => {
    current = current
      .catch(() => 0)
      .then(async () => {
        const n = await store.project();
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
