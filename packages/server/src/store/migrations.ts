/**
 * The one ordered, append-only migration list shared by SQLite and PostgreSQL.
 * Never edit or reorder a released entry: add a new one with the next id.
 */
import { sql } from 'kysely';
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { routerKeyOf } from './router-key.js';

/** Which SQL dialect a migration runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/** One migration: `id` orders them (`0001_initial`, `0002_…`). */
export interface Migration {
  id: string;
  // The schema changes over time, so migrations work on an untyped Kysely on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}

const autoId = (dialect: StoreDialect) =>
  dialect === 'sqlite'
    ? {
        type: 'integer' as const,
        build: (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement(),
      }
    : { type: 'bigserial' as const, build: (c: ColumnDefinitionBuilder) => c.primaryKey() };

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * SQLite: keep the aggregate tables clustered on their primary key (one B-tree
 * instead of a rowid table plus a key index: half the pages written per upsert).
 */
const clustered = (dialect: StoreDialect) => (dialect === 'sqlite' ? sql`without rowid` : sql``);

/** Every known migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_initial',
    async up(db, dialect) {
      const id = autoId(dialect);
      await db.schema
        .createTable('plan_versions')
        .addColumn('name', 'text', notNull)
        .addColumn('version', 'integer', notNull)
        .addColumn('source', 'text', notNull)
        .addColumn('format', 'text', notNull)
        .addColumn('plan_json', 'text', notNull)
        .addColumn('source_hash', 'text', notNull)
        .addColumn('created_by', 'text', notNull)
        .addColumn('created_at', 'text', notNull)
        .addPrimaryKeyConstraint('plan_versions_pk', ['name', 'version'])
        .execute();

      await db.schema
        .createTable('launches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plan_name', 'text', notNull)
        .addColumn('plan_version', 'integer', notNull)
        .addColumn('salt', 'text', notNull)
        .addColumn('status', 'text', notNull)
        .addColumn('phase_index', 'integer', notNull)
        .addColumn('phase_started_at', 'text', notNull)
        .addColumn('traffic', 'double precision', notNull)
        .addColumn('created_by', 'text', notNull)
        .addColumn('created_at', 'text', notNull)
        .addColumn('updated_at', 'text', notNull)
        .addColumn('seq', 'integer', notNull)
        .addColumn('last_decision', 'text')
        .addForeignKeyConstraint(
          'launches_plan_fk',
          ['plan_name', 'plan_version'],
          'plan_versions',
          ['name', 'version'],
        )
        .execute();
      await db.schema
        .createIndex('launches_status_idx')
        .on('launches')
        .columns(['status'])
        .execute();

      await db.schema
        .createTable('launch_events')
        .addColumn('launch_id', 'text', (c) => c.notNull().references('launches.id'))
        .addColumn('seq', 'integer', notNull)
        .addColumn('type', 'text', notNull)
        .addColumn('actor', 'text', notNull)
        .addColumn('data', 'text', notNull)
        .addColumn('at', 'text', notNull)
        .addPrimaryKeyConstraint('launch_events_pk', ['launch_id', 'seq'])
        .execute();

      await db.schema
        .createTable('approvals')
        .addColumn('id', id.type, id.build)
        .addColumn('launch_id', 'text', (c) => c.notNull().references('launches.id'))
        .addColumn('phase', 'text', notNull)
        .addColumn('role', 'text', notNull)
        .addColumn('decision', 'text', notNull)
        .addColumn('actor', 'text', notNull)
        .addColumn('comment', 'text', notNull)
        .addColumn('plan_version', 'integer', notNull)
        .addColumn('at', 'text', notNull)
        .execute();
      await db.schema
        .createIndex('approvals_launch_idx')
        .on('approvals')
        .columns(['launch_id'])
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', notNull)
        .addColumn('scopes', 'text', notNull)
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', notNull)
        .addColumn('revoked_at', 'text')
        .execute();

      // seq is assigned by the store as last + 1 under a lock, never by a sequence,
      // so a rolled-back append leaves no gap that verify would report.
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'text', notNull)
        .addColumn('actor', 'text', notNull)
        .addColumn('action', 'text', notNull)
        .addColumn('subject', 'text', notNull)
        .addColumn('data', 'text', notNull)
        .addColumn('prev_hash', 'text', notNull)
        .addColumn('hash', 'text', notNull)
        .execute();
      await db.schema
        .createIndex('audit_log_subject_idx')
        .on('audit_log')
        .columns(['subject', 'seq'])
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', id.type, id.build)
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', notNull)
        .addColumn('payload', 'text', notNull)
        .addColumn('attempts', 'integer', notNull)
        .addColumn('due_at', 'text', notNull)
        .addColumn('done_at', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_due_idx')
        .on('outbox')
        .columns(['due_at', 'id'])
        .where(sql.ref('done_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('event_batches')
        .addColumn('id', id.type, id.build)
        .addColumn('token_id', 'text', notNull)
        .addColumn('batch_id', 'text')
        .addColumn('event_count', 'integer', notNull)
        .addColumn('events', 'text', notNull)
        .addColumn('received_at', 'bigint', notNull)
        .addUniqueConstraint('event_batches_dedupe', ['token_id', 'batch_id'])
        .execute();

      await db.schema
        .createTable('projection_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_batch_id', 'bigint', notNull)
        .addColumn('batches', 'bigint', notNull)
        .addColumn('events', 'bigint', notNull)
        .addColumn('exposures', 'bigint', notNull)
        .addColumn('attributed', 'bigint', notNull)
        .addColumn('unattributed', 'bigint', notNull)
        .addColumn('ignored', 'bigint', notNull)
        .execute();
      await db
        .insertInto('projection_state')
        .values({
          name: 'events',
          last_batch_id: 0,
          batches: 0,
          events: 0,
          exposures: 0,
          attributed: 0,
          unattributed: 0,
          ignored: 0,
        })
        .execute();

      await db.schema
        .createTable('exposures')
        .addColumn('launch_id', 'text', notNull)
        .addColumn('phase', 'text', notNull)
        .addColumn('unit', 'text', notNull)
        .addColumn('arm', 'text', notNull)
        .addColumn('first_ts', 'bigint', notNull)
        .addPrimaryKeyConstraint('exposures_pk', ['launch_id', 'phase', 'unit'])
        .modifyEnd(clustered(dialect))
        .execute();
      await db.schema
        .createIndex('exposures_unit_idx')
        .on('exposures')
        // Covering: the projection looks up a unit's placements from the index alone.
        .columns(['unit', 'launch_id', 'phase', 'arm'])
        .execute();

      await db.schema
        .createTable('unit_aggregates')
        .addColumn('launch_id', 'text', notNull)
        .addColumn('phase', 'text', notNull)
        .addColumn('event', 'text', notNull)
        .addColumn('arm', 'text', notNull)
        .addColumn('unit', 'text', notNull)
        .addColumn('minute', 'bigint', notNull)
        .addColumn('count', 'bigint', notNull)
        .addColumn('value_count', 'bigint', notNull)
        .addColumn('value_sum', 'double precision', notNull)
        .addColumn('value_min', 'double precision')
        .addColumn('value_max', 'double precision')
        .addPrimaryKeyConstraint('unit_aggregates_pk', [
          'launch_id',
          'phase',
          'event',
          'arm',
          'unit',
          'minute',
        ])
        .modifyEnd(clustered(dialect))
        .execute();

      await db.schema
        .createTable('sketch_buckets')
        .addColumn('launch_id', 'text', notNull)
        .addColumn('phase', 'text', notNull)
        .addColumn('event', 'text', notNull)
        .addColumn('arm', 'text', notNull)
        .addColumn('minute', 'bigint', notNull)
        .addColumn('sign', 'integer', notNull)
        .addColumn('bucket', 'integer', notNull)
        .addColumn('count', 'bigint', notNull)
        .addPrimaryKeyConstraint('sketch_buckets_pk', [
          'launch_id',
          'phase',
          'event',
          'arm',
          'minute',
          'sign',
          'bucket',
        ])
        .modifyEnd(clustered(dialect))
        .execute();

      await db.schema
        .createTable('minute_counts')
        .addColumn('launch_id', 'text', notNull)
        .addColumn('event', 'text', notNull)
        .addColumn('arm', 'text', notNull)
        .addColumn('minute', 'bigint', notNull)
        .addColumn('count', 'bigint', notNull)
        .addPrimaryKeyConstraint('minute_counts_pk', ['launch_id', 'event', 'arm', 'minute'])
        .modifyEnd(clustered(dialect))
        .execute();
    },
  },
  {
    // Evidence integrity (ADR 0019): token limits, quarantined exposures, per-token contributions.
    id: '0002_evidence_integrity',
    async up(db, dialect) {
      await db.schema.alterTable('tokens').addColumn('flags', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('max_units_per_minute', 'integer').execute();
      await db.schema
        .alterTable('projection_state')
        .addColumn('quarantined', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('evidence_contributions')
        .addColumn('launch_id', 'text', notNull)
        .addColumn('phase', 'text', notNull)
        .addColumn('token_id', 'text', notNull)
        .addColumn('minute', 'bigint', notNull)
        .addColumn('units', 'bigint', notNull)
        .addColumn('arm_mismatch', 'bigint', notNull)
        .addColumn('phase_not_live', 'bigint', notNull)
        .addColumn('out_of_scope', 'bigint', notNull)
        .addColumn('over_cap', 'bigint', notNull)
        .addPrimaryKeyConstraint('evidence_contributions_pk', [
          'launch_id',
          'phase',
          'token_id',
          'minute',
        ])
        .modifyEnd(clustered(dialect))
        .execute();
      await db.schema
        .createIndex('evidence_contributions_cap_idx')
        .on('evidence_contributions')
        .columns(['token_id', 'minute', 'launch_id'])
        .execute();
    },
  },
  {
    // One live launch per flag, decided by the database: replicas on PostgreSQL
    // both passed the handler's "is a launch of this flag active?" check before
    // either committed (issue 14). A partial unique index refuses the second.
    id: '0003_one_live_launch_per_flag',
    async up(db) {
      await db.schema.alterTable('launches').addColumn('flag', 'text').execute();
      const rows = (await db
        .selectFrom('launches')
        .innerJoin('plan_versions', (j) =>
          j
            .onRef('plan_versions.name', '=', 'launches.plan_name')
            .onRef('plan_versions.version', '=', 'launches.plan_version'),
        )
        .select(['launches.id', 'launches.status', 'plan_versions.plan_json'])
        .execute()) as { id: string; status: string; plan_json: string }[];
      const live = new Map<string, string[]>();
      for (const r of rows) {
        const flag = (JSON.parse(r.plan_json) as { flag: string }).flag;
        await db.updateTable('launches').set({ flag }).where('id', '=', r.id).execute();
        if (r.status === 'running' || r.status === 'paused')
          live.set(flag, [...(live.get(flag) ?? []), r.id]);
      }
      const doubled = [...live].filter(([, ids]) => ids.length > 1);
      if (doubled.length > 0) {
        // Picking a winner here would silently stop a launch someone started.
        throw new Error(
          `migration one_live_launch_per_flag: flags with more than one running or paused launch (${doubled
            .map(([flag, ids]) => `${flag}: ${ids.join(', ')}`)
            .join(
              '; ',
            )}); roll back all but one of each with the previous version, then start again`,
        );
      }
      await db.schema
        .createIndex('launches_live_flag_idx')
        .on('launches')
        .column('flag')
        .unique()
        .where(sql.ref('status'), 'in', sql`('running', 'paused')`)
        .execute();
    },
  },
  {
    // Environments (ADR 0032): launches and sdk tokens belong to one; every row from
    // before is production. One live launch per flag becomes one per flag and environment
    // (same index name, so the store's unique-violation check stays one). A retry names
    // the rolled-back launch it is a new attempt of (ADR 0033).
    id: '0005_environments',
    async up(db) {
      const env = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo('production');
      await db.schema.alterTable('launches').addColumn('environment', 'text', env).execute();
      await db.schema.alterTable('launches').addColumn('retry_of', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('environment', 'text', env).execute();
      await db.schema.dropIndex('launches_live_flag_idx').execute();
      await db.schema
        .createIndex('launches_live_flag_idx')
        .on('launches')
        .columns(['environment', 'flag'])
        .unique()
        .where(sql.ref('status'), 'in', sql`('running', 'paused')`)
        .execute();
      await db.schema
        .createIndex('launches_environment_idx')
        .on('launches')
        .columns(['environment', 'status'])
        .execute();
    },
  },
  {
    // People, not token names (issue 20, ADR 0035/0036): who is behind a token, a launch, a plan
    // version and an approval, the dashboard's and CLI's sign-in sessions, and who attested
    // which readiness check until when.
    id: '0006_people',
    async up(db, dialect) {
      await db.schema.alterTable('tokens').addColumn('owner_subject', 'text').execute();
      await db.schema.alterTable('launches').addColumn('created_by_subject', 'text').execute();
      await db.schema.alterTable('plan_versions').addColumn('created_by_subject', 'text').execute();
      await db.schema.alterTable('approvals').addColumn('subject', 'text').execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', notNull)
        .addColumn('subject', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('scopes', 'text', notNull)
        .addColumn('csrf', 'text', notNull)
        .addColumn('created_at', 'text', notNull)
        .addColumn('expires_at', 'text', notNull)
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema
        .createTable('login_attempts')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('verifier', 'text', notNull)
        .addColumn('nonce', 'text', notNull)
        .addColumn('return_to', 'text', notNull)
        .addColumn('expires_at', 'text', notNull)
        .execute();
      const id = autoId(dialect);
      await db.schema
        .createTable('attestations')
        .addColumn('id', id.type, id.build)
        .addColumn('plan_name', 'text', notNull)
        .addColumn('check_name', 'text', notNull)
        .addColumn('role', 'text', notNull)
        .addColumn('subject', 'text')
        .addColumn('actor', 'text', notNull)
        .addColumn('note', 'text', notNull)
        .addColumn('link', 'text')
        .addColumn('at', 'text', notNull)
        .addColumn('expires_at', 'text', notNull)
        .execute();
      await db.schema
        .createIndex('attestations_plan_idx')
        .on('attestations')
        .columns(['plan_name', 'check_name'])
        .execute();
    },
  },
  {
    // One live launch per router and service, decided by the database: two
    // replicas could both pass the handler's "is this router in use?" check
    // before either committed, and two launches would then fight over one
    // service's weights. A partial unique index refuses the second, as for flags.
    id: '0007_router_claims',
    async up(db) {
      await db.schema.alterTable('launches').addColumn('router_key', 'text').execute();
      const rows = (await db
        .selectFrom('launches')
        .innerJoin('plan_versions', (j) =>
          j
            .onRef('plan_versions.name', '=', 'launches.plan_name')
            .onRef('plan_versions.version', '=', 'launches.plan_version'),
        )
        .select(['launches.id', 'launches.status', 'plan_versions.plan_json'])
        .execute()) as { id: string; status: string; plan_json: string }[];
      const live = new Map<string, string[]>();
      for (const r of rows) {
        const key = routerKeyOf(JSON.parse(r.plan_json) as { router?: unknown });
        if (key === null) continue;
        await db.updateTable('launches').set({ router_key: key }).where('id', '=', r.id).execute();
        if (r.status === 'running' || r.status === 'paused')
          live.set(key, [...(live.get(key) ?? []), r.id]);
      }
      const doubled = [...live].filter(([, ids]) => ids.length > 1);
      if (doubled.length > 0) {
        // Picking a winner here would silently stop a launch someone started.
        throw new Error(
          `migration router_claims: routers with more than one running or paused launch moving one service (${doubled
            .map(([key, ids]) => `${key}: ${ids.join(', ')}`)
            .join(
              '; ',
            )}); roll back all but one of each with the previous version, then start again`,
        );
      }
      await db.schema
        .createIndex('launches_live_router_idx')
        .on('launches')
        .column('router_key')
        .unique()
        .where(sql.ref('status'), 'in', sql`('running', 'paused')`)
        .execute();
    },
  },
  {
    // Rehearsals of stored plan versions are kept (ADR 0041): a launch report lists
    // those made before it, and the portfolio scores whether they predicted the outcome.
    id: '0008_rehearsal_records',
    async up(db, dialect) {
      const id = autoId(dialect);
      await db.schema
        .createTable('rehearsals')
        .addColumn('id', id.type, id.build)
        .addColumn('plan_name', 'text', notNull)
        .addColumn('plan_version', 'integer', notNull)
        .addColumn('actor', 'text', notNull)
        .addColumn('subject', 'text')
        .addColumn('at', 'text', notNull)
        .addColumn('settings_json', 'text', notNull)
        .addColumn('scenarios_json', 'text', notNull)
        .addColumn('audit_seq', 'integer')
        .execute();
      await db.schema
        .createIndex('rehearsals_plan_idx')
        .on('rehearsals')
        .columns(['plan_name', 'plan_version'])
        .execute();
    },
  },
  {
    // Results CI posts for readiness checks with `ci:` (ADR 0042): kept, not
    // overwritten, so the checklist can say which commit passed when; the
    // latest per check counts.
    id: '0009_check_results',
    async up(db, dialect) {
      const id = autoId(dialect);
      await db.schema
        .createTable('check_results')
        .addColumn('id', id.type, id.build)
        .addColumn('plan_name', 'text', notNull)
        .addColumn('check_name', 'text', notNull)
        .addColumn('passed', 'integer', notNull)
        .addColumn('link', 'text')
        .addColumn('commit_sha', 'text')
        .addColumn('note', 'text')
        .addColumn('subject', 'text')
        .addColumn('actor', 'text', notNull)
        .addColumn('at', 'text', notNull)
        .execute();
      await db.schema
        .createIndex('check_results_plan_idx')
        .on('check_results')
        .columns(['plan_name', 'check_name', 'id'])
        .execute();
    },
  },
];
