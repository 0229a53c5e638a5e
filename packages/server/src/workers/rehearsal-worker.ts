/**
 * Worker-thread entry of the rehearsal pool (rehearsal-pool.ts): simulates
 * ranges of launches with core's engine and posts their records back. A job's
 * inputs arrive once per worker ('job'); its ranges ('range') then only name
 * it. Launch r depends only on the seed and r, so which worker simulates which
 * range never changes a record.
 */
import { parentPort } from 'node:worker_threads';
import { prepareRehearsal, simulateRuns } from '@threshold/core';
import type { PreparedRehearsal } from '@threshold/core';
import type { FromRehearsalWorker, ToRehearsalWorker } from './rehearsal-messages.js';

const port = parentPort;
if (port === null) throw new Error('rehearsal-worker runs as a worker thread');

/** Launches between two progress messages: often enough for a bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 16;
const jobs = new Map<number, PreparedRehearsal>();

function post(message: FromRehearsalWorker): void {
  port?.postMessage(message);
}

port.on('message', (message: ToRehearsalWorker) => {
  if (message.type === 'job') {
    try {
      jobs.set(message.job, prepareRehearsal(message.plan, message.source, message.options));
    } catch (e) {
      post({
        type: 'failed',
        job: message.job,
        message: e instanceof Error ? e.message : String(e),
      });
    }
    return;
  }
  if (message.type === 'drop') {
    jobs.delete(message.job);
    return;
  }
  const prepared = jobs.get(message.job);
  if (prepared === undefined) {
    post({ type: 'failed', job: message.job, message: 'range of an unknown or failed job' });
    return;
  }
  let pending = 0;
  try {
    const records = simulateRuns(prepared, message.scenario, message.from, message.to, () => {
      if (++pending === PROGRESS_EVERY) {
        post({ type: 'progress', job: message.job, runs: pending });
        pending = 0;
      }
    });
    post({
      type: 'range',
      job: message.job,
      scenario: message.scenario,
      range: message.range,
      progressed: pending,
      records,
    });
  } catch (e) {
    post({ type: 'failed', job: message.job, message: e instanceof Error ? e.message : String(e) });
  }
});
