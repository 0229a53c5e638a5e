/**
 * Rehearsals off the event loop: a pool of worker threads (rehearsal-worker.ts)
 * that simulate ranges of launches, with a queue and per-scope limits. The
 * caller's thread only checks the inputs (prepareRehearsal) and writes the
 * report from the merged records (reportRehearsal), both cheap; the simulation,
 * where all the time goes, never runs on it. Used by the server's rehearsal
 * route and by `threshold rehearse` (which spreads one rehearsal over every core).
 *
 * Records are merged by (scenario, launch index), and launch r depends only on
 * the seed and r, so the report is byte-identical whatever the number of threads
 * and whichever thread simulated which range.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareRehearsal, reportRehearsal } from '@threshold/core';
import type { PreparedRehearsal, RehearsalReport, RunRecord } from '@threshold/core';
import type {
  FromRehearsalWorker,
  RehearsalInput,
  ToRehearsalWorker,
} from './rehearsal-messages.js';

export type { RehearsalInput } from './rehearsal-messages.js';

/** Options of a {@link RehearsalPool}; every field has a default. */
export interface RehearsalPoolOptions {
  /** Worker threads (default: the machine's cores). */
  threads?: number;
  /** Rehearsals queued or running at once, over all scopes (default 16). */
  maxJobs?: number;
  /** Rehearsals queued or running at once per scope, e.g. per token (default 2). */
  maxJobsPerScope?: number;
  /** Launches per range handed to a thread (default 25: fine-grained progress, fair queueing). */
  rangeRuns?: number;
  /** Idle threads end after this long (default 10 s), so an idle process holds none. */
  idleMs?: number;
  /** The compiled worker script (default: rehearsal-worker.js next to this module, or in dist/). */
  workerUrl?: URL;
}

/** Options of one rehearsal in the pool. */
export interface RehearsalJobOptions {
  /** Whose rehearsal it is, for the per-scope limit (default 'default'). */
  scope?: string;
  /** Cancels the rehearsal: its queued ranges are dropped and run() rejects with an AbortError. */
  signal?: AbortSignal;
  /** Launches simulated so far, of the total; called on the caller's thread. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A report over the launches simulated so far (the same first launches of every
   * scenario), at most every `partialEveryMs`; the final report comes from run().
   */
  onPartial?: (partial: RehearsalReport) => void;
  /** Least time between partial reports (default 1 s). */
  partialEveryMs?: number;
}

/**
 * The server's pool: one core is left to the event loop (HTTP and the
 * controller), the others rehearse; a few rehearsals at once, two per token.
 */
export const SERVER_REHEARSAL_POOL: RehearsalPoolOptions = {
  threads: Math.max(1, availableParallelism() - 1),
  maxJobs: 8,
  maxJobsPerScope: 2,
};

/** A rehearsal refused because the pool (or the caller's scope) has as many as it takes. */
export class RehearsalPoolFullError extends Error {
  constructor(
    message: string,
    /** 'pool' or 'scope': which limit was reached. */
    readonly limit: 'pool' | 'scope',
  ) {
    super(message);
    this.name = 'RehearsalPoolFullError';
  }
}

interface Job {
  id: number;
  scope: string;
  prepared: PreparedRehearsal;
  input: RehearsalInput;
  /** Ranges not yet handed out: [index, scenario, from, to]; every scenario advances together. */
  queue: [number, number, number, number][];
  /** Records per scenario and range (range k holds launches k·rangeRuns onwards). */
  results: (RunRecord[] | undefined)[][];
  /** Launches of every scenario in the last partial report, and when it was made. */
  partialRuns: number;
  partialAt: number;
  outstanding: number;
  done: number;
  total: number;
  options: RehearsalJobOptions;
  resolve: (report: RehearsalReport) => void;
  reject: (err: Error) => void;
  /** The abort listener, removed when the job ends. */
  onAbort: (() => void) | null;
}

interface Thread {
  worker: Worker;
  /** Jobs whose inputs this thread holds. */
  knows: Set<number>;
  busy: Job | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

const DEFAULT_WORKER_URL = new URL('./rehearsal-worker.js', import.meta.url);
// From the TypeScript sources (vitest), the package's compiled worker.
const BUILT_WORKER_URL = new URL('../../dist/workers/rehearsal-worker.js', import.meta.url);

/** The worker script: next to this module when compiled, else the package's dist (after `npm run build`). */
export function rehearsalWorkerUrl(): URL {
  return existsSync(fileURLToPath(DEFAULT_WORKER_URL)) ? DEFAULT_WORKER_URL : BUILT_WORKER_URL;
}

/** A pool of rehearsal threads with a queue and per-scope limits. */
export class RehearsalPool {
  private readonly threads: Thread[] = [];
  private readonly jobs: Job[] = [];
  private readonly size: number;
  private readonly maxJobs: number;
  private readonly maxPerScope: number;
  private readonly rangeRuns: number;
  private readonly idleMs: number;
  private readonly workerUrl: URL;
  private nextJob = 1;
  /** Round robin over jobs: the index after the job served last. */
  private turn = 0;
  private closed = false;

  constructor(options: RehearsalPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.maxJobs = options.maxJobs ?? 16;
    this.maxPerScope = options.maxJobsPerScope ?? 2;
    this.rangeRuns = Math.max(1, Math.floor(options.rangeRuns ?? 25));
    this.idleMs = options.idleMs ?? 10_000;
    this.workerUrl = options.workerUrl ?? rehearsalWorkerUrl();
  }

  /** Rehearsals queued or running. */
  get pending(): number {
    return this.jobs.length;
  }

  /**
   * Rehearse `input` on the pool's threads. Rejects with the engine's RangeError
   * for invalid options, a {@link RehearsalPoolFullError} when a limit is reached,
   * an AbortError when cancelled.
   */
  run(input: RehearsalInput, options: RehearsalJobOptions = {}): Promise<RehearsalReport> {
    try {
      return this.start(input, options);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * Like run(), but refuses synchronously (throws) what run() rejects before any
   * work starts: invalid options, a full pool, an already aborted signal. A
   * streaming answer can then still send a plain error before its first byte.
   */
  start(input: RehearsalInput, options: RehearsalJobOptions = {}): Promise<RehearsalReport> {
    if (this.closed) throw new Error('the rehearsal pool is closed');
    const scope = options.scope ?? 'default';
    if (this.jobs.length >= this.maxJobs)
      throw new RehearsalPoolFullError(
        `${this.jobs.length} rehearsals are queued or running, the most this server takes; try again when one has finished`,
        'pool',
      );
    const mine = this.jobs.filter((j) => j.scope === scope).length;
    if (mine >= this.maxPerScope)
      throw new RehearsalPoolFullError(
        `you have ${mine} rehearsals queued or running, the most one caller may; wait for one to finish or cancel it`,
        'scope',
      );
    if (options.signal?.aborted === true) throw abortError();
    const prepared = prepareRehearsal(input.plan, input.source, input.options);
    // Threads get the history prepareRehearsal made (a profile is synthesized once, here).
    const sent: RehearsalInput = {
      plan: input.plan,
      source: prepared.history,
      options: input.options,
    };
    return new Promise<RehearsalReport>((resolve, reject) => {
      const queue: [number, number, number, number][] = [];
      const scenarios = 1 + prepared.injections.length;
      for (let from = 0, k = 0; from < prepared.runs; from += this.rangeRuns, k++)
        for (let s = 0; s < scenarios; s++)
          queue.push([k, s, from, Math.min(prepared.runs, from + this.rangeRuns)]);
      const job: Job = {
        id: this.nextJob++,
        scope,
        prepared,
        input: sent,
        queue,
        results: Array.from({ length: scenarios }, () => new Array<RunRecord[] | undefined>()),
        partialRuns: 0,
        partialAt: Date.now(),
        outstanding: queue.length,
        done: 0,
        total: prepared.runs * (1 + prepared.injections.length),
        options,
        resolve,
        reject,
        onAbort: null,
      };
      if (options.signal !== undefined) {
        job.onAbort = () => this.finish(job, abortError());
        options.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.jobs.push(job);
      this.dispatch();
    });
  }

  /** Cancel every rehearsal and end the threads. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of [...this.jobs]) this.finish(job, new Error('the rehearsal pool was closed'));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  /** Hand ranges to idle threads (starting threads up to the pool's size), jobs in turn. */
  private dispatch(): void {
    for (;;) {
      const job = this.nextWithWork();
      if (job === null) return;
      let thread = this.threads.find((t) => t.busy === null);
      if (thread === undefined) {
        if (this.threads.length >= this.size) return;
        thread = this.spawn();
      }
      this.send(thread, job, job.queue.shift() as [number, number, number, number]);
    }
  }

  private nextWithWork(): Job | null {
    const n = this.jobs.length;
    for (let k = 0; k < n; k++) {
      const job = this.jobs[(this.turn + k) % n] as Job;
      if (job.queue.length > 0) {
        this.turn = (this.turn + k + 1) % n;
        return job;
      }
    }
    return null;
  }

  private send(thread: Thread, job: Job, range: [number, number, number, number]): void {
    if (thread.idleTimer !== null) clearTimeout(thread.idleTimer);
    thread.idleTimer = null;
    thread.busy = job;
    if (!thread.knows.has(job.id)) {
      thread.knows.add(job.id);
      post(thread, { type: 'job', job: job.id, ...job.input });
    }
    const [index, scenario, from, to] = range;
    post(thread, { type: 'range', job: job.id, range: index, scenario, from, to });
  }

  private spawn(): Thread {
    const worker = new Worker(this.workerUrl);
    // An idle pool never keeps the process alive.
    worker.unref();
    const thread: Thread = { worker, knows: new Set(), busy: null, idleTimer: null };
    worker.on('message', (m: FromRehearsalWorker) => this.receive(thread, m));
    const fail = (err: Error) => {
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      if (thread.busy !== null)
        this.finish(thread.busy, new Error(`a rehearsal thread failed: ${err.message}`));
      thread.busy = null;
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && this.threads.includes(thread))
        fail(new Error(`it exited with code ${code}`));
    });
    this.threads.push(thread);
    return thread;
  }

  private receive(thread: Thread, m: FromRehearsalWorker): void {
    const job = this.jobs.find((j) => j.id === m.job);
    if (m.type === 'progress') {
      if (job !== undefined) this.progress(job, m.runs);
      return;
    }
    thread.busy = null;
    if (job !== undefined) {
      if (m.type === 'failed') this.finish(job, new Error(m.message));
      else {
        const list = job.results[m.scenario];
        if (list !== undefined) list[m.range] = m.records;
        job.outstanding--;
        this.progress(job, m.progressed);
        if (job.outstanding === 0) this.complete(job);
        else this.partial(job);
      }
    }
    this.dispatch();
    if (thread.busy === null && thread.idleTimer === null)
      thread.idleTimer = setTimeout(() => this.retire(thread), this.idleMs).unref();
  }

  private progress(job: Job, runs: number): void {
    job.done += runs;
    try {
      job.options.onProgress?.(job.done, job.total);
    } catch {
      // A progress callback must not break the rehearsal.
    }
  }

  /** Each scenario's records of its first completed ranges, in launch order, cut to `runs`. */
  private records(job: Job, runs: number): RunRecord[][] {
    return job.results.map((ranges) => {
      const list: RunRecord[] = [];
      for (const range of ranges) {
        if (range === undefined || list.length >= runs) break;
        for (const r of range) if (list.length < runs) list.push(r);
      }
      return list;
    });
  }

  /** A partial report when there are more launches than in the last one and it is time. */
  private partial(job: Job): void {
    const onPartial = job.options.onPartial;
    if (onPartial === undefined) return;
    const now = Date.now();
    if (now - job.partialAt < (job.options.partialEveryMs ?? 1000)) return;
    let runs = Infinity;
    for (const ranges of job.results) {
      let k = 0;
      while (ranges[k] !== undefined) k++;
      runs = Math.min(runs, Math.min(job.prepared.runs, k * this.rangeRuns));
    }
    if (!(runs > job.partialRuns)) return;
    job.partialRuns = runs;
    job.partialAt = now;
    try {
      onPartial(reportRehearsal({ ...job.prepared, runs }, this.records(job, runs)));
    } catch {
      // A partial report is a courtesy: it must not break the rehearsal.
    }
  }

  private complete(job: Job): void {
    let report: RehearsalReport;
    try {
      report = reportRehearsal(job.prepared, this.records(job, job.prepared.runs));
    } catch (e) {
      this.finish(job, e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.finish(job, null, report);
  }

  /** End a job: resolve or reject it, forget it everywhere. */
  private finish(job: Job, err: Error | null, report?: RehearsalReport): void {
    const i = this.jobs.indexOf(job);
    if (i < 0) return;
    this.jobs.splice(i, 1);
    if (this.turn > i) this.turn--;
    job.queue.length = 0;
    if (job.onAbort !== null) job.options.signal?.removeEventListener('abort', job.onAbort);
    for (const t of this.threads)
      if (t.knows.delete(job.id)) post(t, { type: 'drop', job: job.id });
    if (err !== null) job.reject(err);
    else job.resolve(report as RehearsalReport);
  }

  private retire(thread: Thread): void {
    if (thread.busy !== null) return;
    const i = this.threads.indexOf(thread);
    if (i >= 0) this.threads.splice(i, 1);
    void thread.worker.terminate();
  }
}

function post(thread: Thread, message: ToRehearsalWorker): void {
  thread.worker.postMessage(message);
}

function abortError(): Error {
  const e = new Error('the rehearsal was cancelled');
  e.name = 'AbortError';
  return e;
}
