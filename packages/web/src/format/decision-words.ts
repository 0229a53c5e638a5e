/** Decisions and their rules in words: what the decision log and evidence say. */
import type { Decision, DecisionRule, GuardResult } from '@threshold/core';
import type { NotificationView } from '../api/api-types.js';
import { formatDifference, formatInterval, formatShare } from './numbers.js';

export const RULE_WORDS: Record<DecisionRule, string> = {
  'phase-ready':
    'every condition of the phase was met (duration, sample, guards, split, sign-offs)',
  'bake-complete': 'the bake at 100% passed with every condition met',
  'guard-breach': "a KPI breached its guard; the KPI's own on_breach action applied",
  'risk-contingency': 'a KPI breached; the contingency of a risk that watches it applied',
  'insufficient-evidence': 'a KPI lacked the evidence for a verdict; its on_insufficient applied',
  srm: 'the traffic split did not match the plan (sample-ratio mismatch)',
  'signoff-quorum': 'a sign-off was requested, or reached its quorum',
  'signoff-deadline': 'a sign-off passed its deadline without quorum',
  'signoff-rejected': 'a required role rejected',
  operator: 'a person acted (pause, resume, roll back, promote, skip or amend)',
  router: "the traffic router had not confirmed the launch's weight (or confirmed it again)",
  'readiness-check': 'a blocking automated readiness check failed (or passed again)',
};

/** A short headline of a decision, e.g. "Rolled back", "Advanced canary → early (10%)". */
export function decisionTitle(d: Decision): string {
  switch (d.type) {
    case 'advance':
      return `${d.operator === 'skip' ? `Skipped ${(d.skipped ?? []).join(', ')}: advanced` : d.operator === 'promote' ? 'Promoted' : 'Advanced'} ${d.fromPhase} → ${d.toPhase} (${formatShare(d.traffic)})`;
    case 'complete':
      return d.operator === 'promote'
        ? 'Promoted to completion: fully live'
        : 'Completed: fully live';
    case 'rollback':
      return 'Rolled back to 0%';
    case 'pause':
      return 'Paused';
    case 'resume':
      return 'Resumed';
    case 'hold':
      return `Holding${d.kpi === undefined ? '' : ` on ${d.kpi}`}`;
    case 'release-hold':
      return 'Hold released';
    case 'request-signoff':
      return `Sign-off requested for ${d.forPhase}: ${d.roles.map((r) => r.role).join(', ')}`;
    case 'signoff-expired':
      return `Sign-off of ${d.role} for ${d.forPhase} expired (${d.then})`;
    case 'ask':
      return `Asked ${d.roles.join(', ')} about ${d.kpi}`;
    // What was decided; whether it was delivered is the notification's outcome, shown beside it.
    case 'notify':
      return `Notify ${d.to}`;
    case 'webhook':
      return 'Call the webhook';
    case 'extend':
      return `Phase extended for ${d.kpi}`;
    case 'schedule':
      return `Scheduled to start at ${new Date(d.startAt).toISOString().replace(':00.000Z', 'Z')}`;
    case 'amend':
      return `Plan amended: version ${d.fromVersion} → ${d.toVersion} (${d.changes.length}${d.truncated ? '+' : ''} change${d.changes.length === 1 ? '' : 's'})`;
  }
}

/** How a decision reads at a glance: serious ones stand out. */
export function decisionTone(d: Decision): 'bad' | 'good' | 'warn' | 'info' {
  if (d.type === 'rollback') return 'bad';
  if (d.type === 'advance' || d.type === 'complete' || d.type === 'release-hold') return 'good';
  if (d.type === 'pause' || d.type === 'hold' || d.type === 'ask' || d.type === 'signoff-expired')
    return 'warn';
  return 'info';
}

/**
 * Why a comparison's verdict is what it is, in one sentence about the interval
 * and the margin (the rule the guard applies).
 */
export function comparisonSentence(g: GuardResult): string | null {
  const c = g.comparison;
  if (c === undefined) return null;
  const threshold = c.threshold ?? (c.bad === 'increase' ? c.margin : -c.margin);
  const margin = formatDifference(threshold, c.relative);
  const interval = formatInterval(c.interval, c.relative);
  const side = c.bad === 'increase' ? 'above' : 'below';
  const good = c.bad === 'increase' ? 'below' : 'above';
  switch (g.verdict) {
    case 'breach':
      return `The whole interval ${interval} lies ${side} the margin ${margin}: the ${c.bad} is larger than the plan allows.`;
    case 'pass':
      return `The whole interval ${interval} lies ${good} the margin ${margin}: ${c.bad === 'increase' ? 'an increase' : 'a decrease'} that large is ruled out.`;
    case 'insufficient-evidence':
      return c.interval === null
        ? `No interval yet: too little data to compare with the margin ${margin}.`
        : `The interval ${interval} still contains the margin ${margin}: not enough evidence either way yet.`;
  }
}

/** What became of a notification, in a few words: "delivered", "not sent: no URL for …". */
export function notificationWords(n: NotificationView): string {
  switch (n.state) {
    case 'delivered':
      return 'delivered';
    case 'queued':
      return n.error === null
        ? 'queued'
        : `queued, retrying after ${n.attempts} failed attempt${n.attempts === 1 ? '' : 's'}: ${n.error}`;
    case 'not-configured':
      return `not sent: ${n.error ?? 'no URL configured'}`;
    case 'failed':
      return `failed: ${n.error ?? 'unknown error'}`;
    case 'unknown':
      return `outcome unknown: ${n.error ?? 'not recorded'}`;
  }
}
