/**
 * Recorded rehearsals (ADR 0041): the compact summary of a rehearsal report
 * kept with a stored plan version, and whether the newest one made before a
 * launch predicted how it ended.
 */
import type { Decision, Ends, RateEstimate, RehearsalReport } from '@threshold/core';
import { DECISION_EVENT } from '../controller/launch-log.js';
import type {
  LaunchEvent,
  LaunchRecord,
  RehearsalRecord,
  RehearsalScenario,
} from '../store/store.js';

/** The definition the report, the portfolio and the docs share. */
export const REHEARSAL_PREDICTION_RULE =
  'A rehearsal predicted the outcome when the newest rehearsal of the launched plan version made before the launch started said so: for a completed launch, its clean scenario shipped more often than it ended any other way; for a launch rolled back on a KPI breach, one of its injected scenarios regressed a breaching KPI and was caught with probability at least 50%. Any other end of an ended launch is not predicted; a running or paused launch, or one with no rehearsal before it, is unknown.';

const share = (r: RateEstimate) => ({ rate: r.rate, low: r.low, high: r.high });

function scenarioOf(
  label: string,
  effects: RehearsalScenario['effects'],
  runs: number,
  ends: Ends,
): RehearsalScenario {
  return {
    label,
    effects,
    runs,
    caught: share(ends.caught),
    stoppedForNothing: share(ends.stoppedForNothing),
    shipped: share(ends.shipped),
    stalled: share(ends.stalled),
  };
}

/** A report's scenarios, compact: the clean replay first, then each injection. */
export function rehearsalScenarios(report: RehearsalReport): RehearsalScenario[] {
  return [
    scenarioOf('clean', [], report.clean.runs, report.clean.ends),
    ...report.injections.map((i) =>
      scenarioOf(
        i.label,
        i.effects.map((e) => ({
          kpi: e.kpi,
          size: e.size,
          relative: e.relative,
          fromPhase: e.fromPhase,
        })),
        i.runs,
        i.ends,
      ),
    ),
  ];
}

/** What a rehearsal ran with, from its report. */
export function rehearsalSettings(
  report: RehearsalReport,
  environment: string | null,
  via: 'api' | 'cli',
): RehearsalRecord['settings'] {
  return {
    source: report.history.kind,
    runs: report.settings.runs,
    seed: report.settings.seed,
    lookIntervalMs: report.settings.lookIntervalMs,
    unitsPerMinute: report.history.unitsPerMinute.mean,
    environment,
    via,
  };
}

/** The rehearsals of the launch's plan version recorded before it started, oldest first. */
export function rehearsalsBefore(
  launch: LaunchRecord,
  rehearsals: readonly RehearsalRecord[],
): RehearsalRecord[] {
  return rehearsals.filter(
    (r) =>
      r.planName === launch.planName &&
      r.planVersion === launch.planVersion &&
      r.at < launch.createdAt,
  );
}

/** The KPIs whose breach the rollback decision's evidence shows. */
function rollbackBreaches(events: readonly LaunchEvent[]): string[] | null {
  for (const e of [...events].reverse()) {
    if (e.type !== DECISION_EVENT) continue;
    const d = e.data as Decision | null;
    if (d === null || typeof d !== 'object' || d.type !== 'rollback') continue;
    return (d.evidence.guards ?? []).filter((g) => g.verdict === 'breach').map((g) => g.kpi);
  }
  return null;
}

/** The most likely end of a scenario is shipping. */
function shipsMostOften(s: RehearsalScenario): boolean {
  return (
    s.shipped.rate > s.caught.rate &&
    s.shipped.rate > s.stoppedForNothing.rate &&
    s.shipped.rate > s.stalled.rate
  );
}

/**
 * Whether the newest rehearsal before the launch predicted its outcome
 * (REHEARSAL_PREDICTION_RULE): true, false, or null when unknown.
 */
export function rehearsalPredicted(
  launch: LaunchRecord,
  events: readonly LaunchEvent[],
  before: readonly RehearsalRecord[],
): boolean | null {
  const latest = before[before.length - 1];
  if (latest === undefined) return null;
  if (launch.status === 'completed') {
    const clean = latest.scenarios.find((s) => s.label === 'clean');
    return clean !== undefined && shipsMostOften(clean);
  }
  if (launch.status !== 'rolled-back') return null;
  const breached = rollbackBreaches(events) ?? [];
  return latest.scenarios.some(
    (s) =>
      s.label !== 'clean' &&
      s.effects.some((e) => breached.includes(e.kpi)) &&
      s.caught.rate >= 0.5,
  );
}
