import type { SdkEvent } from './event-batch.js';
import type { WireIssue } from './parse-result.js';

/** How far an event's `ts` may lie from the server's clock. */
export interface EventTimeWindow {
  /** Oldest accepted event, in ms before now. */
  maxAgeMs: number;
  /** Latest accepted event, in ms after now (client clocks run ahead). */
  maxAheadMs: number;
}

/**
 * The default window: 7 days back (an SDK that was offline for a while still
 * delivers its buffer) and 15 minutes ahead (clock skew). A `ts` of 0 or of the
 * year 3000 is a bug in the sender, and would land in a minute no look reads.
 */
export const EVENT_TIME_WINDOW: EventTimeWindow = {
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxAheadMs: 15 * 60 * 1000,
};

function span(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms} ms`;
}

/**
 * One issue per event whose `ts` lies outside `window` around `now` (epoch ms),
 * at path `events.<i>.ts`. The schema checks the type; this checks the time, so
 * it runs after a successful parse.
 */
export function eventTimeIssues(
  events: readonly SdkEvent[],
  now: number,
  window: EventTimeWindow = EVENT_TIME_WINDOW,
): WireIssue[] {
  const oldest = now - window.maxAgeMs;
  const latest = now + window.maxAheadMs;
  const issues: WireIssue[] = [];
  events.forEach((e, i) => {
    if (e.ts < oldest)
      issues.push({
        path: `events.${i}.ts`,
        message: `${new Date(e.ts).toISOString()} is older than ${span(window.maxAgeMs)} before the server's time ${new Date(now).toISOString()}`,
      });
    else if (e.ts > latest)
      issues.push({
        path: `events.${i}.ts`,
        message: `${e.ts > 8.64e15 ? String(e.ts) : new Date(e.ts).toISOString()} is more than ${span(window.maxAheadMs)} ahead of the server's time ${new Date(now).toISOString()}`,
      });
  });
  return issues;
}
