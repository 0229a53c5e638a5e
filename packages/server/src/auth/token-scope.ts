/**
 * A flag-limited sdk token may post exposures only for its flags. Track events
 * name no flag: the projection attributes them only to its flags' launches.
 * (Environments do not exist yet; when they do, a token's environment is checked
 * here and in the projection the same way as its flags.)
 */
import type { SdkEvent } from '@threshold/core';

/** One refused event (the same shape as a BATCH_INVALID error). */
export interface ScopeError {
  index: number;
  path: string;
  reason: string;
}

/** The exposures of `events` for flags outside `flags` (none when `flags` is null). */
export function outOfScopeEvents(
  events: readonly SdkEvent[],
  flags: readonly string[] | null,
): ScopeError[] {
  if (flags === null) return [];
  const out: ScopeError[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e?.type === 'exposure' && !flags.includes(e.flag))
      out.push({
        index: i,
        path: `events.${i}.flag`,
        reason: `flag '${e.flag}' is not one of this token's flags`,
      });
  }
  return out;
}
