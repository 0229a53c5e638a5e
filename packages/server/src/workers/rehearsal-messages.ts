/** Messages between the rehearsal pool and its worker threads (structured-clone safe). */
import type { History, Plan, RehearsalOptions, RunRecord, TrafficProfile } from '@threshold/core';

/** A rehearsal's inputs, as rehearse() takes them (without callbacks). */
export interface RehearsalInput {
  plan: Plan;
  source: History | TrafficProfile;
  options: Omit<RehearsalOptions, 'onProgress'>;
}

/** To a worker. */
export type ToRehearsalWorker =
  | ({ type: 'job'; job: number } & RehearsalInput)
  | { type: 'range'; job: number; range: number; scenario: number; from: number; to: number }
  | { type: 'drop'; job: number };

/** From a worker. `progressed`: launches of the range not yet announced by 'progress'. */
export type FromRehearsalWorker =
  | { type: 'progress'; job: number; runs: number }
  | {
      type: 'range';
      job: number;
      scenario: number;
      range: number;
      progressed: number;
      records: RunRecord[];
    }
  | { type: 'failed'; job: number; message: string };
