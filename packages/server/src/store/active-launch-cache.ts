/**
 * Active launches as the projection folds against them: built from the launch row,
 * its plan version and its log's traffic history, and kept until the launch moves
 * (so a log is parsed once per phase or share, not once per step).
 */
import type { Plan } from '@threshold/core';
import { launchBucketing } from './exposure-check.js';
import type { LogEntry } from './exposure-check.js';
import { planKpis } from './fold-batches.js';
import type { ActiveLaunch } from './fold-batches.js';

const SEP = '\u0000';

/** What the projection reads of an active launch's row. */
export interface ActiveLaunchRow {
  id: string;
  phaseIndex: number;
  planJson: string;
  salt: string;
  traffic: number;
  phaseStartedAt: string;
  /** The launch's environment: an sdk token of another feeds nothing into it. */
  environment: string;
}

/** An active launch from its row, its plan version's JSON and its log's `created` and `decision` entries. */
export function toActiveLaunch(row: ActiveLaunchRow, log: readonly LogEntry[]): ActiveLaunch {
  const plan = JSON.parse(row.planJson) as Plan;
  const phases = plan.phases.map((p) => p.name);
  const rank = Math.min(Math.max(0, row.phaseIndex), phases.length - 1);
  return {
    id: row.id,
    phases,
    currentPhase: phases[rank] ?? '',
    rank,
    flag: plan.flag,
    environment: row.environment,
    kpis: planKpis(plan),
    bucketing: launchBucketing({
      salt: row.salt,
      hashVersion: plan.hash_version,
      control: plan.control,
      phases,
      phaseIndex: rank,
      traffic: row.traffic,
      phaseStartedAt: row.phaseStartedAt,
      log,
    }),
  };
}

/** Active launches built once per identity (id, phase, share, plan version): logs are parsed only on change. */
export class ActiveLaunchCache {
  readonly #byKey = new Map<string, ActiveLaunch>();

  #key(row: ActiveLaunchRow & { planVersion: number }): string {
    return [row.id, row.phaseIndex, row.traffic, row.planVersion, row.phaseStartedAt].join(SEP);
  }

  /** The launch built for this identity before, if any. */
  lookup(row: ActiveLaunchRow & { planVersion: number }): ActiveLaunch | undefined {
    return this.#byKey.get(this.#key(row));
  }

  /** Build (and keep) the launch for `row` from its log, dropping older identities of it. */
  build(row: ActiveLaunchRow & { planVersion: number }, log: readonly LogEntry[]): ActiveLaunch {
    const l = toActiveLaunch(row, log);
    for (const k of this.#byKey.keys()) if (k.startsWith(row.id + SEP)) this.#byKey.delete(k);
    this.#byKey.set(this.#key(row), l);
    return l;
  }
}
