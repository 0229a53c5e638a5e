/**
 * What one launch's record says for the portfolio (issue 18): how it ended,
 * time to 100%, time from regression onset to 0% (time to restore), units
 * exposed when it rolled back and time spent waiting for sign-off. Read from
 * the log's decisions and looks only, so the numbers are facts of the record.
 */
import type { Decision } from '@threshold/core';
import { DECISION_EVENT, LOOK_EVENT } from '../controller/launch-log.js';
import type { LookRecord } from '../controller/look-record.js';
import type { LaunchEvent, LaunchRecord } from '../store/store.js';

/** One launch in the portfolio. */
export interface LaunchMetrics {
  id: string;
  plan: string;
  planVersion: number;
  /** The plan's owner (the team). */
  team: string;
  status: LaunchRecord['status'];
  createdAt: string;
  /** When it completed or rolled back (null while live). */
  endedAt: string | null;
  /** Created → the first phase at 100% (null if it never got there). */
  timeToFullMs: number | null;
  /**
   * Regression onset → rollback: onset is the first look whose estimate was past
   * a margin on the bad side (before the interval was conclusive), or the first
   * breach; null without a rollback or any such look.
   */
  timeToRestoreMs: number | null;
  /** Treatment units of the phase it rolled back in (null without a rollback). */
  unitsAtRollback: number | null;
  /** Summed time between a sign-off request and the decision that ended the wait. */
  signoffWaitMs: number;
  /** Whether the newest rehearsal before it predicted the outcome (ADR 0041); null when unknown. */
  rehearsalPredicted: boolean | null;
}

/** A look's KPI shows the regression: it breached, or its estimate is already past the margin. */
function showsRegression(k: LookRecord['kpis'][number]): boolean {
  if (k.verdict === 'breach') return true;
  if (k.difference === null || k.threshold === null || k.bad === null) return false;
  return k.bad === 'increase' ? k.difference > k.threshold : k.difference < k.threshold;
}

/** The metrics of one launch from its whole log. */
export function launchMetrics(
  launch: LaunchRecord,
  team: string,
  events: readonly LaunchEvent[],
  now: number,
  rehearsalPredicted: boolean | null = null,
): LaunchMetrics {
  const created = Date.parse(launch.createdAt);
  const decisions: Decision[] = [];
  let firstBreach: number | null = null;
  let lastLookUnits: number | null = null;
  const seeBreach = (at: number) => {
    if (firstBreach === null || at < firstBreach) firstBreach = at;
  };
  for (const e of events) {
    if (e.type === DECISION_EVENT) {
      const d = e.data as Decision | null;
      if (d === null || typeof d !== 'object' || typeof d.at !== 'number') continue;
      decisions.push(d);
      if ((d.evidence.guards ?? []).some((g) => g.verdict === 'breach')) seeBreach(d.at);
    } else if (e.type === LOOK_EVENT) {
      const look = e.data as LookRecord | null;
      if (look === null || typeof look !== 'object') continue;
      if (look.kpis.some(showsRegression)) seeBreach(look.at);
      lastLookUnits = look.units.treatment;
    }
  }
  let timeToFullMs: number | null = null;
  let endedAt: number | null = null;
  let rollback: Decision | null = null;
  let waitingSince: number | null = null;
  let signoffWaitMs = 0;
  for (const d of decisions) {
    if (timeToFullMs === null && d.type === 'advance' && d.traffic >= 1)
      timeToFullMs = d.at - created;
    if (d.type === 'request-signoff' && waitingSince === null) waitingSince = d.at;
    if (
      waitingSince !== null &&
      (d.type === 'advance' || d.type === 'rollback' || d.type === 'complete')
    ) {
      signoffWaitMs += d.at - waitingSince;
      waitingSince = null;
    }
    if (d.type === 'complete' || d.type === 'rollback') endedAt = d.at;
    if (d.type === 'rollback') rollback = d;
  }
  if (waitingSince !== null) signoffWaitMs += (endedAt ?? now) - waitingSince;
  const onset: number | null = firstBreach;
  return {
    id: launch.id,
    plan: launch.planName,
    planVersion: launch.planVersion,
    team,
    status: launch.status,
    createdAt: launch.createdAt,
    endedAt: endedAt === null ? null : new Date(endedAt).toISOString(),
    timeToFullMs,
    timeToRestoreMs: rollback === null || onset === null ? null : Math.max(0, rollback.at - onset),
    unitsAtRollback:
      rollback === null ? null : (rollback.evidence.units?.treatment ?? lastLookUnits ?? 0),
    signoffWaitMs,
    rehearsalPredicted,
  };
}

/** The median of some numbers (null for none). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? null)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Aggregates over a group of launches. */
export interface PortfolioStats {
  launches: number;
  ended: number;
  rolledBack: number;
  /** Rolled back / ended (change failure rate); null with nothing ended. */
  rollbackRate: number | null;
  medianTimeToRestoreMs: number | null;
  medianTimeToFullMs: number | null;
  medianSignoffWaitMs: number | null;
  /** Treatment units exposed in the phases that rolled back, summed. */
  unitsExposedAtRollback: number;
  /** Predicted ÷ launches whose prediction is known (ended, rehearsed before); null with none. */
  rehearsalAccuracy: number | null;
}

/** The aggregates of a group. */
export function portfolioStats(launches: readonly LaunchMetrics[]): PortfolioStats {
  const ended = launches.filter((l) => l.status === 'completed' || l.status === 'rolled-back');
  const rolledBack = ended.filter((l) => l.status === 'rolled-back');
  const nums = (f: (l: LaunchMetrics) => number | null, of = launches) =>
    of.map(f).filter((v): v is number => v !== null);
  const predicted = launches.filter((l) => l.rehearsalPredicted !== null);
  return {
    launches: launches.length,
    ended: ended.length,
    rolledBack: rolledBack.length,
    rollbackRate: ended.length === 0 ? null : rolledBack.length / ended.length,
    medianTimeToRestoreMs: median(nums((l) => l.timeToRestoreMs)),
    medianTimeToFullMs: median(nums((l) => l.timeToFullMs)),
    medianSignoffWaitMs: median(nums((l) => l.signoffWaitMs, ended)),
    unitsExposedAtRollback: nums((l) => l.unitsAtRollback).reduce((a, b) => a + b, 0),
    rehearsalAccuracy:
      predicted.length === 0
        ? null
        : predicted.filter((l) => l.rehearsalPredicted === true).length / predicted.length,
  };
}
