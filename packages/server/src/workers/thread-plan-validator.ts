/**
 * The plan validator that runs parsePlan in one worker thread, so a maximal
 * validation (1 MiB, hundreds of thousands of problems: seconds of CPU and
 * hundreds of MB) never blocks the event loop. Requests queue in the worker in
 * arrival order; the worker's heap is capped, and a worker that dies (out of
 * memory) fails only the validations it held and is started again on demand.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PlanParseResult } from '@threshold/core';
import type { PlanValidator } from './plan-validator.js';

/** A message to the worker. */
export interface PlanValidationRequest {
  id: number;
  source: string;
  file: string;
}

/** The worker's answer to one request. */
export type PlanValidationReply =
  { id: number; result: PlanParseResult; error?: undefined } | { id: number; error: string };

/** Options of {@link threadPlanValidator}. */
export interface ThreadPlanValidatorOptions {
  /** Old-generation heap cap of the worker in MB (default 1024). */
  maxHeapMb?: number;
  /** Validations waiting or running before more are refused (default 16). */
  maxPending?: number;
  /** The compiled worker script (default: plan-validation-worker.js next to this module). */
  workerUrl?: URL;
}

const DEFAULT_WORKER_URL = new URL('./plan-validation-worker.js', import.meta.url);

/** Thrown when maxPending validations are already queued: the caller answers 503. */
export class ValidatorBusyError extends Error {
  constructor(readonly pending: number) {
    super(`${pending} plan validations are already queued`);
  }
}

/**
 * Whether the compiled worker script exists. It does not when this module runs
 * from its TypeScript source (vitest): callers then validate inline.
 */
export function planWorkerAvailable(url: URL = DEFAULT_WORKER_URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url));
}

interface Pending {
  resolve: (r: PlanParseResult) => void;
  reject: (e: Error) => void;
}

/** Validates in a worker thread (started on first use). */
export function threadPlanValidator(options: ThreadPlanValidatorOptions = {}): PlanValidator {
  const url = options.workerUrl ?? DEFAULT_WORKER_URL;
  const maxPending = options.maxPending ?? 16;
  const pending = new Map<number, Pending>();
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const start = (): Worker => {
    const w = new Worker(url, {
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
    });
    // An idle worker must not keep the process alive.
    w.unref();
    w.on('message', (reply: PlanValidationReply) => {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      if (reply.error === undefined) p.resolve(reply.result);
      else p.reject(new Error(reply.error));
    });
    const died = (err: Error) => {
      if (worker !== w) return;
      worker = undefined;
      failAll(err);
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`the plan validation thread exited (${code})`)));
    return w;
  };

  return {
    validate(source, file) {
      if (closed) return Promise.reject(new Error('the plan validator is closed'));
      if (pending.size >= maxPending) return Promise.reject(new ValidatorBusyError(pending.size));
      worker ??= start();
      const id = nextId++;
      const request: PlanValidationRequest = { id, source, file };
      const w = worker;
      return new Promise<PlanParseResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage(request);
      }).finally(() => {
        if (pending.size === 0) worker?.unref();
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      failAll(new Error('the plan validator is closed'));
      if (w !== undefined) await w.terminate();
    },
  };
}
