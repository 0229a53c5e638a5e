/**
 * The SQLite projection over one better-sqlite3 connection: the store's own (for
 * `project()`) or a worker thread's (see sqlite-projection-worker.ts). Split in two
 * so the worker can do the reading and folding without the write lock and hold it
 * only to write:
 *
 * - {@link SqliteProjection.fold} reads the batches after the cursor, the active
 *   launches and the stored exposures of the units involved, and folds them in
 *   memory. It writes nothing.
 * - {@link SqliteProjection.write}, inside a write transaction, checks that what the
 *   fold read is still true (the cursor did not move, the active launches did not
 *   change), then writes the deltas and moves the cursor in that same transaction.
 *
 * The check keeps the result identical to folding inside the transaction: stored
 * batches never change, exposures change only with the cursor (only projections
 * write them), and the fold depends on launches only through the id, phase and plan
 * version of the active ones (plan versions are immutable).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { MINUTE_MS, decodeEvents } from './event-codec.js';
import { ActiveLaunchCache } from './active-launch-cache.js';
import { sdkEnvironment, tokenLimits } from './exposure-check.js';
import type { LogEntry, TokenLimits } from './exposure-check.js';
import {
  ACTIVE_STATUSES,
  buildInterest,
  capKey,
  foldEvents,
  placeExposure,
  unitsToLoad,
} from './fold-batches.js';
import type { ActiveLaunch, FoldBatch, FoldResult, PlacementMap } from './fold-batches.js';
import { StoreError } from './store-error.js';

/** What {@link SqliteProjection.fold} read and computed, for {@link SqliteProjection.write}. */
export interface PreparedFold {
  /** Cursor the fold started after. */
  cursor: number;
  /** Id of the last batch folded (the new cursor). */
  lastBatchId: number;
  batches: number;
  /** Identity of the active launches the fold used (see {@link SqliteProjection.fold}). */
  launchKey: string;
  folded: FoldResult;
}

/** Units per exposure lookup: one statement instead of one per unit (~3x less CPU per unit). */
const LOOKUP_CHUNK = 256;

/** A lone surrogate (in `u` mode a proper pair is one code point, not a surrogate). */
const LONE_SURROGATE = /\p{Cs}/u;

const ACTIVE_IN = ACTIVE_STATUSES.map((x) => `'${x}'`).join(', ');

/** Folds and writes projection steps on one connection (prepared statements cached per connection). */
export class SqliteProjection {
  readonly #raw: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #launches = new ActiveLaunchCache();
  /** Token limits never change once created: read each token once per connection. */
  readonly #tokens = new Map<string, TokenLimits>();

  constructor(raw: BetterSqlite3.Database) {
    this.#raw = raw;
  }

  #stmt(text: string): BetterSqlite3.Statement {
    let st = this.#statements.get(text);
    if (st === undefined) this.#statements.set(text, (st = this.#raw.prepare(text)));
    return st;
  }

  #cursor(): number {
    const state = this.#stmt(
      `SELECT last_batch_id FROM projection_state WHERE name = 'events'`,
    ).get() as { last_batch_id: number } | undefined;
    if (state === undefined) throw new StoreError('not-migrated', 'the store is not migrated');
    return state.last_batch_id;
  }

  /** Identity of the active launches: everything of them the fold depends on. */
  #launchKey(): string {
    const rows = this.#stmt(
      `SELECT l.id, l.phase_index, l.plan_name, l.plan_version, l.traffic, l.phase_started_at FROM launches l
       WHERE l.status IN (${ACTIVE_IN}) ORDER BY l.id`,
    )
      .raw()
      .all() as unknown[][];
    return JSON.stringify(rows);
  }

  /**
   * Read and fold up to `limit` batches after the cursor, writing nothing; undefined
   * when none is pending. Run it inside a (read) transaction for one snapshot.
   */
  fold(limit: number): PreparedFold | undefined {
    const cursor = this.#cursor();
    const batches = this.#stmt(
      'SELECT id, token_id, received_at, events FROM event_batches WHERE id > ? ORDER BY id LIMIT ?',
    )
      .raw()
      .all(cursor, limit) as [number, string, number, string][];
    const last = batches[batches.length - 1];
    if (last === undefined) return undefined;

    const launches = new Map<string, ActiveLaunch>();
    const rows = this.#stmt(
      `SELECT l.id, l.phase_index, p.plan_json, l.salt, l.traffic, l.phase_started_at, l.plan_version, l.environment
       FROM launches l
       JOIN plan_versions p ON p.name = l.plan_name AND p.version = l.plan_version
       WHERE l.status IN (${ACTIVE_IN})`,
    )
      .raw()
      .all() as [string, number, string, string, number, string, number, string][];
    const log = this.#stmt(
      `SELECT type, at, data FROM launch_events
       WHERE launch_id = ? AND type IN ('created', 'decision') ORDER BY seq`,
    );
    for (const [
      id,
      phaseIndex,
      planJson,
      salt,
      traffic,
      phaseStartedAt,
      planVersion,
      environment,
    ] of rows) {
      const row = {
        id,
        phaseIndex,
        planJson,
        salt,
        traffic,
        phaseStartedAt,
        planVersion,
        environment,
      };
      launches.set(
        id,
        this.#launches.lookup(row) ?? this.#launches.build(row, log.all(id) as LogEntry[]),
      );
    }
    const interest = buildInterest(launches.values());

    const folds: FoldBatch[] = batches.map(([, tokenId, receivedAt, text]) => ({
      tokenId,
      minute: Math.floor(receivedAt / MINUTE_MS),
      events: decodeEvents(text),
    }));

    const placements: PlacementMap = new Map();
    const capUsed = new Map<string, number>();
    if (launches.size > 0) {
      this.#loadPlacements(unitsToLoad(folds, interest, launches), launches, placements);
      this.#loadCaps(folds, capUsed);
    }
    return {
      cursor,
      lastBatchId: last[0],
      batches: batches.length,
      launchKey: this.#launchKey(),
      folded: foldEvents(folds, launches, interest, placements, this.#tokenLimits(folds), capUsed),
    };
  }

  #tokenLimits(folds: readonly FoldBatch[]): Map<string, TokenLimits> {
    const byId = this.#stmt(
      'SELECT flags, max_units_per_minute, scopes, environment FROM tokens WHERE id = ?',
    ).raw();
    for (const { tokenId } of folds) {
      if (this.#tokens.has(tokenId)) continue;
      const row = byId.get(tokenId) as [string | null, number | null, string, string] | undefined;
      // A made-up id (tests, tools calling ingest directly) is not cached: it may be created later.
      if (row !== undefined)
        this.#tokens.set(tokenId, tokenLimits(row[0], row[1], sdkEnvironment(row[2], row[3])));
    }
    return this.#tokens;
  }

  /** New units already folded per cap key for the (token, minute) pairs of this step. */
  #loadCaps(folds: readonly FoldBatch[], capUsed: Map<string, number>): void {
    const st = this.#stmt(
      `SELECT launch_id, SUM(units) FROM evidence_contributions
       WHERE token_id = ? AND minute = ? GROUP BY launch_id`,
    ).raw();
    const seen = new Set<string>();
    for (const { tokenId, minute } of folds) {
      const pair = `${tokenId}\u0000${minute}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      for (const [launchId, units] of st.all(tokenId, minute) as [string, number][])
        capUsed.set(capKey(launchId, tokenId, minute), Number(units));
    }
  }

  /** The stored exposures of `units` (of active launches) into `placements`. */
  #loadPlacements(
    units: Set<string>,
    launches: Map<string, ActiveLaunch>,
    placements: PlacementMap,
  ): void {
    const place = (unit: string, launchId: string, phase: string, arm: string) => {
      const l = launches.get(launchId);
      if (l !== undefined)
        placeExposure(placements, unit, l.id, phase, arm, l.phases.indexOf(phase));
    };
    // The IN list answers with the stored unit text, which equals the JS string only
    // when it is well-formed UTF-16 (a lone surrogate is stored as U+FFFD): others
    // are looked up one by one, by the string itself, as before.
    const chunk: string[] = [];
    const byUnit = this.#stmt('SELECT launch_id, phase, arm FROM exposures WHERE unit = ?').raw();
    const inList = this.#stmt(
      `SELECT unit, launch_id, phase, arm FROM exposures WHERE unit IN (${Array.from({ length: LOOKUP_CHUNK }, () => '?').join(', ')})`,
    ).raw();
    const flush = () => {
      if (chunk.length === 0) return;
      // Pad with repeats: one prepared statement serves every chunk size.
      const first = chunk[0] as string;
      while (chunk.length < LOOKUP_CHUNK) chunk.push(first);
      for (const [unit, launchId, phase, arm] of inList.all(chunk) as [
        string,
        string,
        string,
        string,
      ][])
        place(unit, launchId, phase, arm);
      chunk.length = 0;
    };
    for (const unit of units) {
      if (LONE_SURROGATE.test(unit)) {
        for (const [launchId, phase, arm] of byUnit.all(unit) as [string, string, string][])
          place(unit, launchId, phase, arm);
        continue;
      }
      chunk.push(unit);
      if (chunk.length === LOOKUP_CHUNK) flush();
    }
    flush();
  }

  /**
   * Inside the caller's write transaction: write the fold and move the cursor, or
   * return false (writing nothing) when the cursor or the active launches changed
   * since {@link fold} read them.
   */
  write(p: PreparedFold, verify = true): boolean {
    if (verify && (this.#cursor() !== p.cursor || this.#launchKey() !== p.launchKey)) return false;
    this.#writeDeltas(p.folded);
    const st = p.folded.stats;
    this.#stmt(
      `UPDATE projection_state SET last_batch_id = ?, batches = batches + ?, events = events + ?,
         exposures = exposures + ?, attributed = attributed + ?, unattributed = unattributed + ?,
         ignored = ignored + ?, quarantined = quarantined + ? WHERE name = 'events'`,
    ).run(
      p.lastBatchId,
      p.batches,
      st.events,
      st.exposures,
      st.attributed,
      st.unattributed,
      st.ignored,
      st.quarantined,
    );
    return true;
  }

  /** One whole step inside the caller's write transaction; the batches and events folded. */
  step(limit: number): { batches: number; events: number } {
    const p = this.fold(limit);
    if (p === undefined) return { batches: 0, events: 0 };
    // Read and written in one transaction: nothing can have changed in between.
    this.write(p, false);
    return { batches: p.batches, events: p.folded.stats.events };
  }

  #writeDeltas(f: FoldResult): void {
    const exposure = this.#stmt(
      `INSERT INTO exposures (launch_id, phase, unit, arm, first_ts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (launch_id, phase, unit) DO NOTHING`,
    );
    for (const e of f.exposures) exposure.run(e.launchId, e.phase, e.unit, e.arm, e.firstTs);
    const unitAgg = this.#stmt(
      `INSERT INTO unit_aggregates
         (launch_id, phase, event, arm, unit, minute, count, value_count, value_sum, value_min, value_max)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (launch_id, phase, event, arm, unit, minute) DO UPDATE SET
         count = count + excluded.count,
         value_count = value_count + excluded.value_count,
         value_sum = value_sum + excluded.value_sum,
         value_min = min(coalesce(value_min, excluded.value_min), coalesce(excluded.value_min, value_min)),
         value_max = max(coalesce(value_max, excluded.value_max), coalesce(excluded.value_max, value_max))`,
    );
    for (const a of f.unitAggregates.values())
      unitAgg.run(
        a.launchId,
        a.phase,
        a.event,
        a.arm,
        a.unit,
        a.minute,
        a.count,
        a.valueCount,
        a.valueSum,
        a.valueMin,
        a.valueMax,
      );
    const sketch = this.#stmt(
      `INSERT INTO sketch_buckets (launch_id, phase, event, arm, minute, sign, bucket, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (launch_id, phase, event, arm, minute, sign, bucket) DO UPDATE SET count = count + excluded.count`,
    );
    for (const b of f.sketch.values())
      sketch.run(b.launchId, b.phase, b.event, b.arm, b.minute, b.sign, b.bucket, b.count);
    const minute = this.#stmt(
      `INSERT INTO minute_counts (launch_id, event, arm, minute, count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (launch_id, event, arm, minute) DO UPDATE SET count = count + excluded.count`,
    );
    for (const m of f.minutes.values()) minute.run(m.launchId, m.event, m.arm, m.minute, m.count);
    const contribution = this.#stmt(
      `INSERT INTO evidence_contributions
         (launch_id, phase, token_id, minute, units, arm_mismatch, phase_not_live, out_of_scope, over_cap)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (launch_id, phase, token_id, minute) DO UPDATE SET
         units = units + excluded.units,
         arm_mismatch = arm_mismatch + excluded.arm_mismatch,
         phase_not_live = phase_not_live + excluded.phase_not_live,
         out_of_scope = out_of_scope + excluded.out_of_scope,
         over_cap = over_cap + excluded.over_cap`,
    );
    for (const c of f.contributions.values())
      contribution.run(
        c.launchId,
        c.phase,
        c.tokenId,
        c.minute,
        c.units,
        c.armMismatch,
        c.phaseNotLive,
        c.outOfScope,
        c.overCap,
      );
  }
}
