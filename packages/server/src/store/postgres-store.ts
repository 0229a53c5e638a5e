/**
 * The scale-out store: PostgreSQL through a `pg` pool, safe with several
 * server replicas on one database. Row locks (FOR UPDATE) guard launch seqs;
 * transaction-scoped advisory locks serialize the audit chain, plan versions,
 * migrations and batch inserts (so batch ids commit in id order and the
 * projection cursor never skips a late commit).
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { SdkEvent } from '@threshold/core';
import type { Database } from './database-schema.js';
import { MINUTE_MS, decodeEvents, encodeEvents } from './event-codec.js';
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
import { KyselyStore } from './kysely-store.js';
import type { StoreRuntime } from './kysely-store.js';
import type { IngestResult, ProjectionStatus } from './store.js';
import { StoreError, StoreInputError } from './store-error.js';
import { requireInt, requireText } from './validate-input.js';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  url: string;
  /** Schema for all tables (created when missing); default: the server's search_path. */
  schema?: string;
  poolSize?: number;
  clock?: () => number;
}

interface PendingBatch {
  tokenId: string;
  batchId: string | null;
  count: number;
  payload: string;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

interface PostgresShared {
  pool: pg.Pool;
  /** Namespace of advisory lock keys, so stores in different schemas do not block each other. */
  lockSpace: string;
  pending: PendingBatch[];
  flushing: Promise<void> | null;
  closed: boolean;
  /** Active launches with their parsed traffic history, rebuilt only when a launch moves. */
  launches: ActiveLaunchCache;
  /** Token limits (immutable once created). */
  tokens: Map<string, TokenLimits>;
}

// int8 (counts, ids, epoch ms) and numeric (SUM results) as numbers: every value
// this store keeps is far below 2^53 or is a double already.
const NUMERIC_OIDS = new Set([20, 1700]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMERIC_OIDS.has(oid)
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const CHUNK = 5000;

/** The PostgreSQL implementation of {@link Store}. Create with {@link PostgresStore.open}. */
export class PostgresStore extends KyselyStore {
  readonly dialect = 'postgres' as const;
  readonly #shared: PostgresShared;

  private constructor(
    shared: PostgresShared,
    db: Kysely<Database>,
    runtime: StoreRuntime,
    inTransaction: boolean,
  ) {
    super(db, runtime, inTransaction);
    this.#shared = shared;
  }

  /** Connect (and create the schema when one is named) without migrating; see openStore. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema;
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw new StoreInputError('schema', 'must be a lowercase SQL identifier');
    if (schema !== undefined) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types,
      // Set at connection startup, so no query can ever run in another schema.
      ...(schema !== undefined && { options: `-c search_path=${schema}` }),
    });
    // Idle clients can fail when the server restarts; the pool replaces them.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const shared: PostgresShared = {
      pool,
      lockSpace: schema ?? 'public',
      pending: [],
      flushing: null,
      closed: false,
      launches: new ActiveLaunchCache(),
      tokens: new Map(),
    };
    return new PostgresStore(shared, db, { clock: options.clock ?? Date.now }, false);
  }

  protected bind(trx: Transaction<Database>): KyselyStore {
    return new PostgresStore(this.#shared, trx, this.runtime, true);
  }

  protected async lockKey(key: string): Promise<void> {
    if (!this.inTransaction) throw new Error(`lockKey(${key}) needs a transaction`);
    await sql`SELECT pg_advisory_xact_lock(hashtext(${this.#shared.lockSpace}), hashtext(${key}))`.execute(
      this.db,
    );
  }

  protected async hasTable(name: string): Promise<boolean> {
    const { rows } = await sql<{
      t: string | null;
    }>`SELECT to_regclass(${name})::text AS t`.execute(this.db);
    return rows[0]?.t !== null && rows[0]?.t !== undefined;
  }

  async close(): Promise<void> {
    const s = this.#shared;
    if (s.closed) return;
    while (s.flushing !== null || s.pending.length > 0) await (s.flushing ?? this.#flush());
    s.closed = true;
    await this.db.destroy();
  }

  // ---- ingest: group commit -----------------------------------------------------

  async ingest(
    tokenId: string,
    batchId: string | undefined,
    events: SdkEvent[],
  ): Promise<IngestResult> {
    const s = this.#shared;
    if (s.closed) throw new StoreError('closed', 'the store is closed');
    requireText('tokenId', tokenId, 200);
    if (batchId !== undefined) requireText('batchId', batchId, 200);
    const payload = encodeEvents(events);
    const batch = { tokenId, batchId: batchId ?? null, count: events.length, payload };
    if (this.inTransaction) return (await this.#insertBatches([batch]))[0] as IngestResult;
    return new Promise<IngestResult>((resolve, reject) => {
      s.pending.push({ ...batch, resolve, reject });
      if (s.flushing === null) void this.#flush();
    });
  }

  /** One transaction for every batch waiting; batches arriving meanwhile share the next. */
  #flush(): Promise<void> {
    const s = this.#shared;
    if (s.flushing !== null) return s.flushing;
    const run = async () => {
      // Let the callers of this turn of the event loop join the group.
      await new Promise((r) => setImmediate(r));
      const group = s.pending;
      s.pending = [];
      try {
        const results = await this.db
          .transaction()
          .execute((trx) => (this.bind(trx) as PostgresStore).#insertBatches(group));
        group.forEach((b, i) => b.resolve(results[i] as IngestResult));
      } catch (e) {
        for (const b of group) b.reject(e);
      }
    };
    s.flushing = run().finally(() => {
      s.flushing = null;
      if (s.pending.length > 0) void this.#flush();
    });
    return s.flushing;
  }

  async #insertBatches(
    batches: { tokenId: string; batchId: string | null; count: number; payload: string }[],
  ): Promise<IngestResult[]> {
    await this.lockKey('ingest');
    // A repeated (token, batch) inside one group: the first is inserted, the rest are duplicates.
    const firstIndex = new Map<string, number>();
    const send: number[] = [];
    batches.forEach((b, i) => {
      if (b.batchId === null) return void send.push(i);
      const key = `${b.tokenId}\u0000${b.batchId}`;
      if (!firstIndex.has(key)) {
        firstIndex.set(key, i);
        send.push(i);
      }
    });
    const rows = send.map((i) => batches[i] as (typeof batches)[number]);
    const { rows: inserted } = await sql<{ token_id: string; batch_id: string | null }>`
      INSERT INTO event_batches (token_id, batch_id, event_count, events, received_at)
      SELECT t, b, c, e, ${this.runtime.clock()}::bigint
      FROM unnest(${rows.map((r) => r.tokenId)}::text[], ${rows.map((r) => r.batchId)}::text[],
                  ${rows.map((r) => r.count)}::int[], ${rows.map((r) => r.payload)}::text[])
        AS x(t, b, c, e)
      ON CONFLICT (token_id, batch_id) DO NOTHING
      RETURNING token_id, batch_id`.execute(this.db);
    const accepted = new Set(
      inserted.filter((r) => r.batch_id !== null).map((r) => `${r.token_id}\u0000${r.batch_id}`),
    );
    return batches.map((b, i) => {
      if (b.batchId === null) return { accepted: b.count, duplicate: false };
      const key = `${b.tokenId}\u0000${b.batchId}`;
      return firstIndex.get(key) === i && accepted.has(key)
        ? { accepted: b.count, duplicate: false }
        : { accepted: 0, duplicate: true };
    });
  }

  // ---- projection ----------------------------------------------------------------------

  async project(limitBatches = 10): Promise<number> {
    requireInt('limitBatches', limitBatches, 1);
    return this.atomic((tx) => tx.#projectIn(limitBatches));
  }

  async #projectIn(limit: number): Promise<number> {
    // The row lock makes concurrent projectors (replicas) take turns; the
    // second sees the cursor the first committed.
    const state = await this.db
      .selectFrom('projection_state')
      .select('last_batch_id')
      .where('name', '=', 'events')
      .forUpdate()
      .executeTakeFirst();
    if (state === undefined) throw new StoreError('not-migrated', 'the store is not migrated');
    const batches = await this.db
      .selectFrom('event_batches')
      .select(['id', 'token_id', 'received_at', 'events'])
      .where('id', '>', state.last_batch_id)
      .orderBy('id')
      .limit(limit)
      .execute();
    const last = batches[batches.length - 1];
    if (last === undefined) return 0;

    const launches = new Map<string, ActiveLaunch>();
    const rows = await this.db
      .selectFrom('launches as l')
      .innerJoin('plan_versions as p', (j) =>
        j.onRef('p.name', '=', 'l.plan_name').onRef('p.version', '=', 'l.plan_version'),
      )
      .select([
        'l.id',
        'l.phase_index',
        'p.plan_json',
        'l.salt',
        'l.traffic',
        'l.phase_started_at',
        'l.plan_version',
        'l.environment',
      ])
      .where('l.status', 'in', [...ACTIVE_STATUSES])
      .execute();
    const cache = this.#shared.launches;
    for (const r of rows) {
      const row = {
        id: r.id,
        phaseIndex: r.phase_index,
        planJson: r.plan_json,
        salt: r.salt,
        traffic: Number(r.traffic),
        phaseStartedAt: r.phase_started_at,
        planVersion: r.plan_version,
        environment: r.environment,
      };
      const known = cache.lookup(row);
      if (known !== undefined) {
        launches.set(r.id, known);
        continue;
      }
      const log: LogEntry[] = await this.db
        .selectFrom('launch_events')
        .select(['type', 'at', 'data'])
        .where('launch_id', '=', r.id)
        .where('type', 'in', ['created', 'decision'])
        .orderBy('seq')
        .execute();
      launches.set(r.id, cache.build(row, log));
    }
    const interest = buildInterest(launches.values());

    const folds: FoldBatch[] = batches.map((b) => ({
      tokenId: b.token_id,
      minute: Math.floor(Number(b.received_at) / MINUTE_MS),
      events: decodeEvents(b.events),
    }));

    const placements: PlacementMap = new Map();
    const units = [...unitsToLoad(folds, interest, launches)];
    for (let i = 0; i < units.length && launches.size > 0; i += CHUNK) {
      const { rows: known } = await sql<{
        launch_id: string;
        phase: string;
        unit: string;
        arm: string;
      }>`
        SELECT launch_id, phase, unit, arm FROM exposures
        WHERE unit = ANY(${units.slice(i, i + CHUNK)}::text[])
          AND launch_id = ANY(${[...launches.keys()]}::text[])`.execute(this.db);
      for (const x of known) {
        const l = launches.get(x.launch_id);
        if (l !== undefined)
          placeExposure(placements, x.unit, l.id, x.phase, x.arm, l.phases.indexOf(x.phase));
      }
    }
    const capUsed = new Map<string, number>();
    if (launches.size > 0) {
      const pairs = [...new Set(folds.map((f) => `${f.tokenId}\u0000${f.minute}`))].map((p) =>
        p.split('\u0000'),
      );
      const { rows: caps } = await sql<{
        launch_id: string;
        token_id: string;
        minute: number;
        units: number;
      }>`
        SELECT launch_id, token_id, minute, SUM(units) AS units FROM evidence_contributions
        WHERE (token_id, minute) IN (SELECT * FROM unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => Number(p[1]))}::bigint[]))
        GROUP BY launch_id, token_id, minute`.execute(this.db);
      for (const c of caps)
        capUsed.set(capKey(c.launch_id, c.token_id, Number(c.minute)), Number(c.units));
    }
    const folded = foldEvents(
      folds,
      launches,
      interest,
      placements,
      await this.#tokenLimits(folds),
      capUsed,
    );
    await this.#writeFold(folded);
    const st = folded.stats;
    await sql`UPDATE projection_state SET last_batch_id = ${last.id},
        batches = batches + ${batches.length}, events = events + ${st.events},
        exposures = exposures + ${st.exposures}, attributed = attributed + ${st.attributed},
        unattributed = unattributed + ${st.unattributed}, ignored = ignored + ${st.ignored},
        quarantined = quarantined + ${st.quarantined}
      WHERE name = 'events'`.execute(this.db);
    return st.events;
  }

  async #tokenLimits(folds: readonly FoldBatch[]): Promise<Map<string, TokenLimits>> {
    const known = this.#shared.tokens;
    const missing = [...new Set(folds.map((f) => f.tokenId))].filter((id) => !known.has(id));
    if (missing.length > 0) {
      const rows = await this.db
        .selectFrom('tokens')
        .select(['id', 'flags', 'max_units_per_minute', 'scopes', 'environment'])
        .where('id', 'in', missing)
        .execute();
      // A made-up id (tests, tools calling ingest directly) is not cached: it may be created later.
      for (const r of rows)
        known.set(
          r.id,
          tokenLimits(
            r.flags,
            r.max_units_per_minute === null ? null : Number(r.max_units_per_minute),
            sdkEnvironment(r.scopes, r.environment),
          ),
        );
    }
    return known;
  }

  async #writeFold(f: FoldResult): Promise<void> {
    for (const c of chunks(f.exposures)) {
      await sql`INSERT INTO exposures (launch_id, phase, unit, arm, first_ts)
        SELECT * FROM unnest(${c.map((e) => e.launchId)}::text[], ${c.map((e) => e.phase)}::text[],
          ${c.map((e) => e.unit)}::text[], ${c.map((e) => e.arm)}::text[], ${c.map((e) => e.firstTs)}::bigint[])
        ON CONFLICT (launch_id, phase, unit) DO NOTHING`.execute(this.db);
    }
    for (const c of chunks([...f.unitAggregates.values()])) {
      await sql`INSERT INTO unit_aggregates
          (launch_id, phase, event, arm, unit, minute, count, value_count, value_sum, value_min, value_max)
        SELECT * FROM unnest(${c.map((a) => a.launchId)}::text[], ${c.map((a) => a.phase)}::text[],
          ${c.map((a) => a.event)}::text[], ${c.map((a) => a.arm)}::text[], ${c.map((a) => a.unit)}::text[],
          ${c.map((a) => a.minute)}::bigint[], ${c.map((a) => a.count)}::bigint[],
          ${c.map((a) => a.valueCount)}::bigint[], ${c.map((a) => a.valueSum)}::double precision[],
          ${c.map((a) => a.valueMin)}::double precision[], ${c.map((a) => a.valueMax)}::double precision[])
        ON CONFLICT (launch_id, phase, event, arm, unit, minute) DO UPDATE SET
          count = unit_aggregates.count + EXCLUDED.count,
          value_count = unit_aggregates.value_count + EXCLUDED.value_count,
          value_sum = unit_aggregates.value_sum + EXCLUDED.value_sum,
          value_min = LEAST(unit_aggregates.value_min, EXCLUDED.value_min),
          value_max = GREATEST(unit_aggregates.value_max, EXCLUDED.value_max)`.execute(this.db);
    }
    for (const c of chunks([...f.sketch.values()])) {
      await sql`INSERT INTO sketch_buckets (launch_id, phase, event, arm, minute, sign, bucket, count)
        SELECT * FROM unnest(${c.map((b) => b.launchId)}::text[], ${c.map((b) => b.phase)}::text[],
          ${c.map((b) => b.event)}::text[], ${c.map((b) => b.arm)}::text[], ${c.map((b) => b.minute)}::bigint[],
          ${c.map((b) => b.sign)}::int[], ${c.map((b) => b.bucket)}::int[], ${c.map((b) => b.count)}::bigint[])
        ON CONFLICT (launch_id, phase, event, arm, minute, sign, bucket) DO UPDATE SET
          count = sketch_buckets.count + EXCLUDED.count`.execute(this.db);
    }
    for (const c of chunks([...f.minutes.values()])) {
      await sql`INSERT INTO minute_counts (launch_id, event, arm, minute, count)
        SELECT * FROM unnest(${c.map((m) => m.launchId)}::text[], ${c.map((m) => m.event)}::text[],
          ${c.map((m) => m.arm)}::text[], ${c.map((m) => m.minute)}::bigint[], ${c.map((m) => m.count)}::bigint[])
        ON CONFLICT (launch_id, event, arm, minute) DO UPDATE SET
          count = minute_counts.count + EXCLUDED.count`.execute(this.db);
    }
    for (const c of chunks([...f.contributions.values()])) {
      await sql`INSERT INTO evidence_contributions
          (launch_id, phase, token_id, minute, units, arm_mismatch, phase_not_live, out_of_scope, over_cap)
        SELECT * FROM unnest(${c.map((x) => x.launchId)}::text[], ${c.map((x) => x.phase)}::text[],
          ${c.map((x) => x.tokenId)}::text[], ${c.map((x) => x.minute)}::bigint[], ${c.map((x) => x.units)}::bigint[],
          ${c.map((x) => x.armMismatch)}::bigint[], ${c.map((x) => x.phaseNotLive)}::bigint[],
          ${c.map((x) => x.outOfScope)}::bigint[], ${c.map((x) => x.overCap)}::bigint[])
        ON CONFLICT (launch_id, phase, token_id, minute) DO UPDATE SET
          units = evidence_contributions.units + EXCLUDED.units,
          arm_mismatch = evidence_contributions.arm_mismatch + EXCLUDED.arm_mismatch,
          phase_not_live = evidence_contributions.phase_not_live + EXCLUDED.phase_not_live,
          out_of_scope = evidence_contributions.out_of_scope + EXCLUDED.out_of_scope,
          over_cap = evidence_contributions.over_cap + EXCLUDED.over_cap`.execute(this.db);
    }
  }

  async projectionStatus(): Promise<ProjectionStatus> {
    const st = await this.db
      .selectFrom('projection_state')
      .selectAll()
      .where('name', '=', 'events')
      .executeTakeFirst();
    if (st === undefined) throw new StoreError('not-migrated', 'the store is not migrated');
    const pending = await this.db
      .selectFrom('event_batches')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('id', '>', st.last_batch_id)
      .executeTakeFirstOrThrow();
    return {
      cursor: Number(st.last_batch_id),
      batches: Number(st.batches),
      events: Number(st.events),
      exposures: Number(st.exposures),
      attributed: Number(st.attributed),
      unattributed: Number(st.unattributed),
      ignored: Number(st.ignored),
      quarantined: Number(st.quarantined),
      pendingBatches: Number(pending.n),
    };
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
