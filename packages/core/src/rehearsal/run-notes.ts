/**
 * What a simulated launch's decisions and looks mean for its record: alarms,
 * stops, phase entries, scheduled approvals, and the conditions that kept a
 * phase waiting. Only reads decide()'s output; nothing here decides.
 */
import type { Approval, Condition, Decision, LaunchState } from '../decide/index.js';
import type { Plan } from '../plan/index.js';
import type { KpiSlot } from './kpi-slot.js';
import type { RunOutcome, RunRecord } from './run-record.js';
import { RESPONSES, WAIT_CONDITIONS } from './run-record.js';

/** The simulator's KPIs: name -> position in `slots` (matrix order). */
export interface RunKpis {
  positions: ReadonlyMap<string, number>;
  slots: readonly KpiSlot[];
}

const SEVERITY: Record<string, number> = {};
RESPONSES.forEach((r, i) => (SEVERITY[r] = i));
const CONDITION_INDEX = new Map<string, number>(WAIT_CONDITIONS.map((c, i) => [c, i]));

/** Record what a decision means for the report. */
export function noteDecision(
  d: Decision,
  r: RunRecord,
  state: LaunchState,
  at: number,
  live: boolean,
  kpis: RunKpis,
): void {
  if (d.type === 'advance') {
    r.phaseEnteredMs[d.to] = at;
    if (d.traffic >= 1 && r.fullMs < 0) r.fullMs = at;
    return;
  }
  if (d.rule === 'srm' && d.type === 'hold') {
    if (r.srmMs < 0) r.srmMs = at;
    return;
  }
  if (d.rule !== 'guard-breach' && d.rule !== 'risk-contingency') return;
  const response = d.type === 'webhook' ? 'notify' : d.type;
  const severity = SEVERITY[response];
  if (severity === undefined) return;
  const names =
    'kpi' in d && d.kpi !== undefined
      ? [d.kpi]
      : (d.evidence.guards ?? []).filter((g) => g.verdict === 'breach').map((g) => g.kpi);
  for (const name of names) {
    const i = kpis.positions.get(name) ?? -1;
    const slot = kpis.slots[i];
    if (slot === undefined) continue;
    if (d.type === 'rollback' || d.type === 'pause') r.stoppedBy.push(i);
    const injectedHere = slot.effect !== null;
    const liveHere = injectedHere && state.phaseIndex >= slot.effectFrom;
    if (injectedHere && !liveHere) {
      r.earlyAlarm[i] = 1;
      continue;
    }
    const first = (r.alarmMs[i] as number) < 0;
    if (first || (r.alarmMs[i] === at && severity > (r.alarmResponse[i] as number))) {
      r.alarmMs[i] = at;
      r.alarmPhase[i] = state.phaseIndex;
      r.alarmResponse[i] = severity;
      if (first && live && injectedHere && r.exposedAtAlarm < 0) r.exposedAtAlarm = r.exposedUnits;
    }
  }
}

/** Schedule the approvals a request or an ask gets: each role's quorum, after the sign-off delay. */
export function scheduleApprovals(
  d: Extract<Decision, { type: 'request-signoff' } | { type: 'ask' }>,
  state: LaunchState,
  pending: Approval[],
  plan: Plan,
  delayMs: number,
): void {
  const roles =
    d.type === 'request-signoff'
      ? d.roles
      : d.roles.map((role) => ({ role, quorum: plan.signoff?.roles[role]?.quorum ?? 1 }));
  const phase = d.type === 'request-signoff' ? d.forPhase : d.phase;
  for (const { role, quorum } of roles)
    for (let i = 1; i <= quorum; i++)
      pending.push({
        role,
        phase,
        decision: 'approve',
        actor: `rehearsal-${role}-${i}`,
        planVersion: state.planVersion,
        at: d.at + delayMs,
      });
  pending.sort((x, y) => x.at - y.at);
}

/** After the minimum duration: which conditions (and which KPIs' missing verdicts) kept the phase waiting. */
export function countWaits(
  conditions: readonly Condition[],
  phase: number,
  r: RunRecord,
  kpis: RunKpis,
): void {
  let pastMinimum = false;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as Condition;
    if (c.id === 'min-duration') {
      pastMinimum = c.met;
      break;
    }
  }
  if (!pastMinimum) return;
  r.looksPastMinimum[phase] = (r.looksPastMinimum[phase] as number) + 1;
  const base = phase * WAIT_CONDITIONS.length;
  for (let m = 0; m < conditions.length; m++) {
    const c = conditions[m] as Condition;
    if (c.met) continue;
    const j = CONDITION_INDEX.get(c.id);
    if (j !== undefined) r.waits[base + j] = (r.waits[base + j] as number) + 1;
    if (c.id === 'guards')
      for (const name of c.insufficient) {
        const i = kpis.positions.get(name);
        if (i !== undefined) {
          const at = phase * kpis.slots.length + i;
          r.undecided[at] = (r.undecided[at] as number) + 1;
        }
      }
  }
}

export function outcomeOf(status: LaunchState['status']): RunOutcome {
  if (status === 'completed') return 'completed';
  if (status === 'rolled-back') return 'rolled-back';
  if (status === 'paused') return 'paused';
  return 'unfinished';
}
