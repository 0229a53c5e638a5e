/**
 * When the simulator may settle a look without decide(): the rules of decide()
 * (decide.ts, inPhase) that can act before a phase's minimum duration, read off
 * the launch's state. A property test holds decide() to deciding nothing there.
 */
import type { CheckEvidence, LaunchState } from '../decide/index.js';

/**
 * Whether, at a look before the phase's minimum duration, decide() has nothing to
 * act on but breaches and the split (decide.ts, inPhase): the launch runs with no
 * hold (none to release), no request for the next phase's sign-off (none to
 * expire), and no failing probe (none to hold for). Nothing else there emits a
 * decision: on_insufficient and the advance wait for the minimum duration, an
 * open ask only pauses on a rejection and the simulator's approvals never reject,
 * and the simulator gives decide() no router evidence. So this holds for the
 * simulator's evidence only, not for a live launch's.
 */
export function quietBefore(
  state: LaunchState,
  next: string | undefined,
  checks: readonly CheckEvidence[] | undefined,
): boolean {
  if (state.status !== 'running' || state.holds.length > 0) return false;
  for (const r of state.signoffRequests) if (r.phase === next) return false;
  if (checks !== undefined) for (const c of checks) if (!c.passed) return false;
  return true;
}
