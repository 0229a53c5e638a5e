/**
 * One line per decision for the demo's console, e.g.
 *   checkout-v2: advanced canary → half at 50% (3 of 3 guards pass, 1,204 treatment / 4,811 control units)
 *   search-v3: ROLLED BACK: error_rate +12.8 points [+8.1, +17.4] exceeds the 3-point margin (712 treatment units)
 */
import type { Decision, GuardResult } from '@threshold/core';
import type { SettledNotification } from '../notify/outbox-worker.js';

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function share(s: number): string {
  return `${Math.round(s * 10000) / 100}%`;
}

function signed(v: number, digits: number): string {
  const text = v.toFixed(digits);
  return v > 0 ? `+${text}` : text;
}

/** "error_rate +12.8 points [+8.1, +17.4] exceeds the 3-point margin", or the guard's own reason. */
export function breachText(g: GuardResult): string {
  const c = g.comparison;
  if (c === undefined || c.difference === null || c.interval === null) return g.reason;
  const [lo, hi] = c.interval;
  const side = c.bad === 'increase' ? 'exceeds' : 'falls below';
  if (c.relative) {
    const pct = (v: number) =>
      Number.isFinite(v) ? `${signed(v * 100, 0)}%` : v > 0 ? '+∞' : '−∞';
    return `${g.kpi} ${pct(c.difference)} [${pct(lo)}, ${pct(hi)}] ${side} the ${Math.round(c.margin * 100)}% margin`;
  }
  if (g.kind === 'occurrence') {
    const pts = (v: number) => (Number.isFinite(v) ? signed(v * 100, 1) : v > 0 ? '+∞' : '−∞');
    return `${g.kpi} ${pts(c.difference)} points [${pts(lo)}, ${pts(hi)}] ${side} the ${Math.round(c.margin * 1000) / 10}-point margin`;
  }
  const num = (v: number) => (Number.isFinite(v) ? signed(v, 3) : v > 0 ? '+∞' : '−∞');
  return `${g.kpi} ${num(c.difference)} [${num(lo)}, ${num(hi)}] ${side} the ${c.margin} margin`;
}

/** The console line of one committed decision of launch `name`. */
export function decisionLine(name: string, d: Decision): string {
  const e = d.evidence;
  const units =
    e.units === undefined
      ? ''
      : e.units.control > 0
        ? `${count(e.units.treatment)} treatment / ${count(e.units.control)} control units`
        : `${count(e.units.treatment)} units`;
  switch (d.type) {
    case 'advance': {
      const guards = e.guards ?? [];
      const pass = guards.filter((g) => g.verdict === 'pass').length;
      const facts = [`${pass} of ${guards.length} guards pass`, ...(units === '' ? [] : [units])];
      return `${name}: advanced ${d.fromPhase} → ${d.toPhase} at ${share(d.traffic)} (${facts.join(', ')})`;
    }
    case 'complete': {
      const took =
        e.elapsedMs === undefined ? '' : ` after ${Math.round(e.elapsedMs / 1000)}s in ${d.phase}`;
      return `${name}: COMPLETED: fully live at 100%${took}${units === '' ? '' : ` (${units})`}`;
    }
    case 'notify':
      return `${name}: notification to ${d.to}${d.kpi === undefined ? '' : ` about ${d.kpi}`} queued`;
    case 'webhook':
      return `${name}: webhook call ${d.url}${d.kpi === undefined ? '' : ` about ${d.kpi}`} queued`;
    case 'rollback': {
      if (d.rule === 'operator') return `${name}: ROLLED BACK: ${d.reason}`;
      const breached = (e.guards ?? []).filter((g) => g.verdict === 'breach');
      const why = breached.length > 0 ? breached.map(breachText).join('; ') : d.reason;
      return `${name}: ROLLED BACK: ${why}${units === '' ? '' : ` (${units})`}`;
    }
    default:
      return `${name}: ${d.type}: ${d.reason}`;
  }
}

/**
 * The console line of a notification's outcome, printed once when it is final:
 *   search-v3: notified search-oncall about error_rate (delivered)
 *   search-v3: NOT NOTIFIED search-oncall about error_rate: no URL for notify target …
 */
export function notificationLine(name: string, n: SettledNotification): string {
  const what =
    n.kind === 'webhook'
      ? `the webhook ${n.target}`
      : n.kind === 'warning'
        ? `${n.target} of a warning`
        : n.target;
  const about = n.kpi === undefined ? '' : ` about ${n.kpi}`;
  switch (n.state) {
    case 'delivered':
      return `${name}: ${n.kind === 'webhook' ? 'called' : 'notified'} ${what}${about} (delivered)`;
    case 'not-configured':
      return `${name}: NOT ${n.kind === 'webhook' ? 'CALLED' : 'NOTIFIED'} ${what}${about}: ${n.error ?? 'nowhere to send it'}`;
    case 'failed':
      return `${name}: notification to ${what}${about} FAILED: ${n.error ?? 'unknown error'}`;
  }
}
