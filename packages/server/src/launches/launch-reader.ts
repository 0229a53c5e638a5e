/**
 * Reads where launches stand for the API: each launch's log folded by core's
 * reducer (cached per launch and folded forward as its log grows, like the
 * controller's), then core's launchStanding(). Lists, details and the status
 * line all come from here, so no route describes a launch its own way.
 */
import { launchAuthors } from '../auth/person-key.js';
import { launchStanding } from '@threshold/core';
import type { LaunchStanding, Plan } from '@threshold/core';
import { foldLog, rebuildState } from '../controller/launch-log.js';
import type { FoldedLog } from '../controller/launch-log.js';
import type { LaunchEvent, LaunchRecord, PlanVersion, Store } from '../store/store.js';

/** A launch with its plan, its folded log and where it stands. */
export interface LaunchReading {
  launch: LaunchRecord;
  version: PlanVersion;
  log: FoldedLog;
  standing: LaunchStanding;
}

interface Cached {
  planKey: string;
  log: FoldedLog;
}

/** Folds launch logs (cached) and derives each launch's standing. */
export class LaunchReader {
  readonly #store: Store;
  readonly #noExposureWarningMs: number | null;
  readonly #cache = new Map<string, Cached>();
  readonly #plans = new Map<string, PlanVersion>();

  constructor(store: Store, noExposureWarningMs: number | null) {
    this.#store = store;
    this.#noExposureWarningMs = noExposureWarningMs;
  }

  /** The time without exposures after which running launches warn (null: never). */
  get noExposureWarningMs(): number | null {
    return this.#noExposureWarningMs;
  }

  /** Where a launch stands; undefined when its plan version is missing. `events` may pass the whole log already read. */
  async read(
    launch: LaunchRecord,
    events?: readonly LaunchEvent[],
  ): Promise<LaunchReading | undefined> {
    const version = await this.#version(launch);
    if (version === undefined) return undefined;
    const log = await this.#fold(launch, version, events);
    return { launch, version, log, standing: this.standingOf(version.plan, log) };
  }

  /** Where launches stand, in the order given (launches whose plan version is missing are left out). */
  async readAll(launches: readonly LaunchRecord[]): Promise<LaunchReading[]> {
    const out: LaunchReading[] = [];
    for (const launch of launches) {
      const r = await this.read(launch);
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  /** The standing of a folded log. */
  standingOf(plan: Plan, log: FoldedLog): LaunchStanding {
    return launchStanding({
      plan,
      state: log.state,
      look: log.look,
      decision: log.decision,
      pause: log.pause,
      router: log.router,
      noExposureWarningMs: this.#noExposureWarningMs,
    });
  }

  async #version(launch: LaunchRecord): Promise<PlanVersion | undefined> {
    const key = `${launch.planName}@${launch.planVersion}`;
    const known = this.#plans.get(key);
    if (known !== undefined) return known;
    const version = await this.#store.getPlanVersion(launch.planName, launch.planVersion);
    // Plan versions never change once stored.
    if (version !== undefined) this.#plans.set(key, version);
    return version;
  }

  async #fold(
    launch: LaunchRecord,
    version: PlanVersion,
    events: readonly LaunchEvent[] | undefined,
  ): Promise<FoldedLog> {
    const planKey = `${version.name}@${version.version}`;
    const cached = this.#cache.get(launch.id);
    if (cached !== undefined && cached.planKey === planKey && cached.log.seq <= launch.seq) {
      if (cached.log.seq === launch.seq) return cached.log;
      const newer =
        events?.filter((e) => e.seq > cached.log.seq) ??
        (await this.#store.listLaunchEvents(launch.id, cached.log.seq));
      // Events out of line (a log edited by hand): rebuild from the start below.
      if (newer[0]?.seq === cached.log.seq + 1) {
        const log = foldLog(cached.log, newer);
        this.#cache.set(launch.id, { planKey, log });
        return log;
      }
    }
    const all = events ?? (await this.#store.listLaunchEvents(launch.id));
    const log = rebuildState(version.plan, launch, launchAuthors(launch, version), all);
    this.#cache.set(launch.id, { planKey, log });
    return log;
  }
}
