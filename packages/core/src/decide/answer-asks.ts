/** Asks raised in the current phase, answered by approvals given after them. */
import { countSignoff } from './count-signoff.js';
import type { Decision, SignoffCount } from './decision.js';
import { decision, emit, taken } from './look-run.js';
import type { LookRun } from './look-run.js';

const NO_ASKS = Object.freeze({
  unanswered: Object.freeze([]) as readonly string[],
  counts: Object.freeze([]) as readonly SignoffCount[],
});

/** Count every ask of this phase (those raised at this look too); a rejection pauses once. */
export function answerAsks(run: LookRun): {
  unanswered: readonly string[];
  counts: readonly SignoffCount[];
} {
  let fresh = false;
  for (let i = 0; i < run.decisions.length && !fresh; i++)
    fresh = (run.decisions[i] as Decision).type === 'ask';
  // Most looks have no ask: one frozen answer for them (readers copy what they keep).
  if (run.state.asks.length === 0 && !fresh) return NO_ASKS;
  const approvals = Array.isArray(run.evidence?.approvals) ? run.evidence.approvals : [];
  const asks: { id: string; kpi: string; roles: string[]; phase: string; since: number }[] = [
    ...run.state.asks,
  ];
  for (const d of run.decisions)
    if (d.type === 'ask' && !asks.some((a) => a.id === d.ask))
      asks.push({ id: d.ask, kpi: d.kpi, roles: d.roles, phase: d.phase, since: d.at });
  const unanswered: string[] = [];
  const counts: SignoffCount[] = [];
  for (const a of asks) {
    const count = countSignoff(run.plan, run.state, approvals, a.phase, a.roles, a.since, run.now);
    if (count.met) continue;
    unanswered.push(a.id);
    counts.push(count);
    for (const role of count.roles)
      for (const rej of role.rejections) {
        const key = `${run.state.phase}:signoff-rejected:${a.id}:${role.role}:${rej.actor}:${rej.at}`;
        if (run.status !== 'running' || taken(run, key)) continue;
        emit(
          run,
          decision(
            run,
            'signoff-rejected',
            `${rej.actor} (${role.role}) rejected continuing after ${a.kpi}: "${rej.comment ?? 'no comment'}"; pausing`,
            { signoff: count },
            {
              type: 'pause',
              key,
              kpi: a.kpi,
            },
          ),
        );
      }
  }
  return { unanswered, counts };
}
