/**
 * Everything the two stores share: the non-hot-path methods written once in
 * Kysely. Subclasses add what differs per database: locking, the ingest hot
 * path and the projection writer.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { AUDIT_GENESIS_HASH, auditHash } from './audit-hash.js';
import { canonicalJson } from './canonical-json.js';
import type { Database } from './database-schema.js';
import { MIGRATIONS } from './migrations.js';
import { readAggregates } from './read-aggregates.js';
import {
  isUniqueViolation,
  isUniqueViolationOf,
  toApproval,
  toAuditEntry,
  toLaunch,
  toLaunchEvent,
  toOutboxMessage,
  toPlanVersion,
  toAttestation,
  toRehearsal,
  toCheckResult,
  toSession,
  toToken,
} from './row-mappers.js';
import type {
  AggregateQuery,
  Aggregates,
  ApprovalRecord,
  AttestationRecord,
  RehearsalRecord,
  CheckResultRecord,
  AuditEntry,
  AuditInput,
  AuditHead,
  AuditVerification,
  IngestResult,
  LaunchEvent,
  LaunchPatch,
  LaunchRecord,
  LaunchStatus,
  LoginAttempt,
  MigrationStatus,
  OutboxMessage,
  PlanSummary,
  PlanVersion,
  ProjectionStatus,
  SessionRecord,
  Store,
  TokenRecord,
  EvidenceContribution,
} from './store.js';
import {
  StoreActiveLaunchError,
  StoreRouterInUseError,
  StoreConflictError,
  StoreError,
  StoreInputError,
  StoreNotFoundError,
} from './store-error.js';
import { routerKeyOf } from './router-key.js';

/** A rehearsal has a clean scenario and at most 20 injections (the API's bound). */
const MAX_REHEARSAL_SCENARIOS = 21;

import type { SdkEvent } from '@threshold/core';
import {
  DEFAULT_ENVIRONMENT,
  INT32_MAX,
  optionalText,
  requireInt,
  requireName,
  requireOneOf,
  requireScopes,
  requireSha256,
  requireShare,
  requireString,
  requireText,
  requireTime,
  toJsonText,
} from './validate-input.js';

const LAUNCH_STATUSES: readonly LaunchStatus[] = ['running', 'paused', 'rolled-back', 'completed'];
const AUDIT_PAGE = 1000;

/** What a store instance and its transaction-bound copies share. */
export interface StoreRuntime {
  /** Epoch ms; injectable so tests control time. */
  clock: () => number;
}

/** The shared implementation; see SqliteStore and PostgresStore. */
export abstract class KyselyStore implements Store {
  abstract readonly dialect: 'sqlite' | 'postgres';

  protected constructor(
    /** The database, or the transaction this instance is bound to. */
    protected readonly db: Kysely<Database>,
    protected readonly runtime: StoreRuntime,
    protected readonly inTransaction: boolean,
  ) {}

  /** A copy of this store bound to `trx`. */
  protected abstract bind(trx: Transaction<Database>): KyselyStore;
  /** Take a transaction-scoped lock on `key` (PostgreSQL); SQLite has one writer already. */
  protected abstract lockKey(key: string): Promise<void>;

  abstract close(): Promise<void>;
  abstract ingest(
    tokenId: string,
    batchId: string | undefined,
    events: SdkEvent[],
  ): Promise<IngestResult>;
  abstract project(limitBatches?: number): Promise<number>;
  /** Counters of the projection (cumulative, exactly once) and its backlog. */
  abstract projectionStatus(): Promise<ProjectionStatus>;

  protected nowIso(): string {
    return new Date(this.runtime.clock()).toISOString();
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.atomic(fn);
  }

  /** Run fn in this transaction, or a new one; nested calls reuse the outer one. */
  protected async atomic<T>(fn: (tx: this) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(this.bind(trx) as this));
  }

  // ---- migrations -------------------------------------------------------

  async migrate(): Promise<MigrationStatus[]> {
    await this.atomic(async (tx) => {
      await tx.lockKey('migrations');
      await tx.db.schema
        .createTable('migrations')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
      const applied = new Set(
        (await tx.db.selectFrom('migrations').select('id').execute()).map((r) => r.id),
      );
      const known = new Set(MIGRATIONS.map((m) => m.id));
      const unknown = [...applied].filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new StoreError(
          'migration-unknown',
          `the database has migrations this build does not know (${unknown.join(', ')}): run a newer Threshold`,
        );
      }
      for (const m of MIGRATIONS) {
        if (applied.has(m.id)) continue;
        await m.up(tx.db, this.dialect);
        await tx.db
          .insertInto('migrations')
          .values({ id: m.id, applied_at: tx.nowIso() })
          .execute();
      }
    });
    return this.migrationStatus();
  }

  async migrationStatus(): Promise<MigrationStatus[]> {
    const exists = await this.hasTable('migrations');
    const rows = exists ? await this.db.selectFrom('migrations').selectAll().execute() : [];
    const at = new Map(rows.map((r) => [r.id, r.applied_at]));
    return MIGRATIONS.map((m) => ({ id: m.id, appliedAt: at.get(m.id) ?? null }));
  }

  protected abstract hasTable(name: string): Promise<boolean>;

  // ---- plans --------------------------------------------------------------

  async putPlan(
    input: Omit<PlanVersion, 'version' | 'createdAt' | 'sourceHash' | 'createdBySubject'> & {
      createdBySubject?: string | null;
    },
    options: { reuse?: 'latest' | 'any' } = {},
  ): Promise<PlanVersion & { created: boolean }> {
    const reuse = requireOneOf('reuse', options.reuse ?? 'latest', ['latest', 'any'] as const);
    const name = requireText('name', input.name, 200);
    const source = requireString('source', input.source, 5_000_000);
    const format = requireOneOf('format', input.format, ['yaml', 'json'] as const);
    const createdBy = requireText('createdBy', input.createdBy, 500);
    const createdBySubject = optionalText('createdBySubject', input.createdBySubject);
    if (input.plan === null || typeof input.plan !== 'object')
      throw new StoreInputError('plan', 'must be the parsed plan object');
    const planJson = toJsonText('plan', input.plan);
    const sourceHash = createHash('sha256').update(source, 'utf8').digest('hex');
    return this.atomic(async (tx) => {
      // Held to the end of the caller's transaction: the check below and the
      // insert (and whatever the caller records with it) are one step per plan.
      await tx.lockKey(`plan:${name}`);
      const latest = await tx.db
        .selectFrom('plan_versions')
        .selectAll()
        .where('name', '=', name)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      let same = latest?.source_hash === sourceHash ? latest : undefined;
      if (same === undefined && latest !== undefined && reuse === 'any')
        same = await tx.db
          .selectFrom('plan_versions')
          .selectAll()
          .where('name', '=', name)
          .where('source_hash', '=', sourceHash)
          .orderBy('version')
          .limit(1)
          .executeTakeFirst();
      if (same !== undefined) return { ...toPlanVersion(same), created: false };
      const row = {
        name,
        version: (latest === undefined ? 0 : Number(latest.version)) + 1,
        source,
        format,
        plan_json: planJson,
        source_hash: sourceHash,
        created_by: createdBy,
        created_at: tx.nowIso(),
        created_by_subject: createdBySubject,
      };
      await tx.db.insertInto('plan_versions').values(row).execute();
      return { ...toPlanVersion(row), created: true };
    });
  }

  async getPlanVersion(name: string, version?: number): Promise<PlanVersion | undefined> {
    let q = this.db.selectFrom('plan_versions').selectAll().where('name', '=', name);
    q =
      version === undefined
        ? q.orderBy('version', 'desc').limit(1)
        : q.where('version', '=', version);
    const row = await q.executeTakeFirst();
    return row === undefined ? undefined : toPlanVersion(row);
  }

  async listPlanVersions(name: string): Promise<PlanVersion[]> {
    const rows = await this.db
      .selectFrom('plan_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    return rows.map(toPlanVersion);
  }

  async listPlans(): Promise<PlanSummary[]> {
    const rows = await this.db
      .selectFrom('plan_versions')
      .select((eb) => [
        'name',
        eb.fn.max('version').as('latest'),
        eb.fn.countAll().as('versions'),
        eb.fn.max('created_at').as('updated'),
      ])
      .groupBy('name')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      latestVersion: Number(r.latest),
      versions: Number(r.versions),
      updatedAt: String(r.updated),
    }));
  }

  // ---- launches -------------------------------------------------------------

  async createLaunch(
    input: Pick<
      LaunchRecord,
      'id' | 'planName' | 'planVersion' | 'salt' | 'createdBy' | 'traffic'
    > & {
      createdBySubject?: string | null;
    } & Partial<Pick<LaunchRecord, 'environment' | 'retryOf'>>,
  ): Promise<LaunchRecord> {
    const environment = requireName('environment', input.environment ?? DEFAULT_ENVIRONMENT);
    const retryOf =
      input.retryOf === undefined || input.retryOf === null
        ? null
        : requireText('retryOf', input.retryOf, 200);
    const id = requireText('id', input.id, 200);
    const planName = requireText('planName', input.planName, 200);
    const planVersion = requireInt('planVersion', input.planVersion, 1, INT32_MAX);
    const salt = requireText('salt', input.salt, 200);
    const createdBy = requireText('createdBy', input.createdBy, 500);
    const createdBySubject = optionalText('createdBySubject', input.createdBySubject);
    const traffic = requireShare('traffic', input.traffic);
    return this.atomic(async (tx) => {
      const plan = await tx.db
        .selectFrom('plan_versions')
        .select('plan_json')
        .where('name', '=', planName)
        .where('version', '=', planVersion)
        .executeTakeFirst();
      if (plan === undefined)
        throw new StoreNotFoundError(
          'planVersion',
          `plan ${planName} has no version ${planVersion}`,
        );
      const parsed = JSON.parse(plan.plan_json) as {
        flag: string;
        router?: { name: string; service: string };
      };
      const flag = parsed.flag;
      const routerKey = routerKeyOf(parsed);
      const at = tx.nowIso();
      const row = {
        id,
        plan_name: planName,
        plan_version: planVersion,
        salt,
        status: 'running',
        phase_index: 0,
        phase_started_at: at,
        traffic,
        created_by: createdBy,
        created_at: at,
        updated_at: at,
        seq: 1,
        last_decision: null,
        flag,
        router_key: routerKey,
        created_by_subject: createdBySubject,
        environment,
        retry_of: retryOf,
      };
      try {
        await tx.db.insertInto('launches').values(row).execute();
      } catch (e) {
        // The partial unique index launches_live_flag_idx: one running or paused launch per flag.
        if (isUniqueViolationOf(e, 'launches_live_flag_idx', 'launches.flag'))
          throw new StoreActiveLaunchError(flag);
        // launches_live_router_idx: one running or paused launch per router and service.
        if (isUniqueViolationOf(e, 'launches_live_router_idx', 'launches.router_key'))
          throw new StoreRouterInUseError(parsed.router?.name ?? '', parsed.router?.service ?? '');
        if (isUniqueViolation(e)) throw new StoreConflictError(`launch ${id} already exists`);
        throw e;
      }
      await tx.db
        .insertInto('launch_events')
        .values({
          launch_id: id,
          seq: 1,
          type: 'created',
          actor: createdBy,
          data: JSON.stringify({ planName, planVersion, salt, traffic }),
          at,
        })
        .execute();
      return toLaunch(row);
    });
  }

  async getLaunch(id: string): Promise<LaunchRecord | undefined> {
    const row = await this.db
      .selectFrom('launches')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toLaunch(row);
  }

  async listLaunches(
    filter: { status?: LaunchStatus[]; environment?: string } = {},
  ): Promise<LaunchRecord[]> {
    let q = this.db.selectFrom('launches').selectAll();
    if (filter.environment !== undefined)
      q = q.where('environment', '=', requireName('environment', filter.environment));
    if (filter.status !== undefined) {
      if (filter.status.length === 0) return [];
      filter.status.forEach((s, i) => requireOneOf(`status[${i}]`, s, LAUNCH_STATUSES));
      q = q.where('status', 'in', filter.status);
    }
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map(toLaunch);
  }

  async appendLaunchEvent(
    input: Omit<LaunchEvent, 'seq' | 'at'> & { at?: string },
    expectedSeq: number,
    patch: LaunchPatch = {},
  ): Promise<LaunchEvent> {
    const launchId = requireText('launchId', input.launchId, 200);
    const type = requireText('type', input.type, 200);
    const actor = requireText('actor', input.actor, 500);
    requireInt('expectedSeq', expectedSeq, 0, INT32_MAX);
    const data = toJsonText('data', input.data);
    const update: Partial<Record<string, string | number | null>> = {};
    if (patch.status !== undefined)
      update['status'] = requireOneOf('patch.status', patch.status, LAUNCH_STATUSES);
    if (patch.phaseIndex !== undefined)
      update['phase_index'] = requireInt('patch.phaseIndex', patch.phaseIndex, 0, INT32_MAX);
    if (patch.phaseStartedAt !== undefined)
      update['phase_started_at'] = requireTime('patch.phaseStartedAt', patch.phaseStartedAt);
    if (patch.traffic !== undefined)
      update['traffic'] = requireShare('patch.traffic', patch.traffic);
    if ('lastDecision' in patch)
      update['last_decision'] = toJsonText('patch.lastDecision', patch.lastDecision);
    if (patch.planVersion !== undefined)
      update['plan_version'] = requireInt('patch.planVersion', patch.planVersion, 1, INT32_MAX);
    return this.atomic(async (tx) => {
      const at = input.at === undefined ? tx.nowIso() : requireTime('at', input.at);
      const row = await tx.db
        .selectFrom('launches')
        .select('seq')
        .where('id', '=', launchId)
        .$if(tx.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst();
      if (row === undefined)
        throw new StoreNotFoundError('launchId', `launch ${launchId} does not exist`);
      const actual = Number(row.seq);
      if (actual !== expectedSeq)
        throw new StoreConflictError(
          `launch ${launchId} is at seq ${actual}, not ${expectedSeq}: re-read it and decide again`,
          { expectedSeq, actualSeq: actual },
        );
      const seq = expectedSeq + 1;
      const event = { launch_id: launchId, seq, type, actor, data, at };
      try {
        await tx.db.insertInto('launch_events').values(event).execute();
      } catch (e) {
        if (isUniqueViolation(e))
          throw new StoreConflictError(`launch ${launchId} already has event ${seq}`, {
            expectedSeq,
          });
        throw e;
      }
      const result = await tx.db
        .updateTable('launches')
        .set({ ...update, seq, updated_at: at })
        .where('id', '=', launchId)
        .where('seq', '=', expectedSeq)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1)
        throw new StoreConflictError(`launch ${launchId} moved past seq ${expectedSeq}`, {
          expectedSeq,
        });
      return toLaunchEvent(event);
    });
  }

  async listLaunchEvents(launchId: string, afterSeq = 0): Promise<LaunchEvent[]> {
    const rows = await this.db
      .selectFrom('launch_events')
      .selectAll()
      .where('launch_id', '=', launchId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute();
    return rows.map(toLaunchEvent);
  }

  // ---- approvals ---------------------------------------------------------------

  async addApproval(
    input: Omit<ApprovalRecord, 'at' | 'subject'> & { at?: string; subject?: string | null },
  ): Promise<ApprovalRecord> {
    const row = {
      launch_id: requireText('launchId', input.launchId, 200),
      phase: requireText('phase', input.phase, 200),
      role: requireText('role', input.role, 200),
      decision: requireOneOf('decision', input.decision, ['approve', 'reject'] as const),
      actor: requireText('actor', input.actor, 500),
      comment: requireString('comment', input.comment, 10_000),
      plan_version: requireInt('planVersion', input.planVersion, 1, INT32_MAX),
      at: input.at === undefined ? this.nowIso() : requireTime('at', input.at),
      subject: optionalText('subject', input.subject),
    };
    return this.atomic(async (tx) => {
      const launch = await tx.db
        .selectFrom('launches')
        .select('id')
        .where('id', '=', row.launch_id)
        .executeTakeFirst();
      if (launch === undefined)
        throw new StoreNotFoundError('launchId', `launch ${row.launch_id} does not exist`);
      await tx.db.insertInto('approvals').values(row).execute();
      return toApproval({ ...row, id: 0 });
    });
  }

  async listApprovals(launchId: string): Promise<ApprovalRecord[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('launch_id', '=', launchId)
      .orderBy('id')
      .execute();
    return rows.map(toApproval);
  }

  // ---- tokens ----------------------------------------------------------------------

  async createToken(
    input: Omit<
      TokenRecord,
      'createdAt' | 'revokedAt' | 'flags' | 'maxUnitsPerMinute' | 'ownerSubject' | 'environment'
    > &
      Partial<Pick<TokenRecord, 'flags' | 'maxUnitsPerMinute' | 'ownerSubject' | 'environment'>>,
  ): Promise<TokenRecord> {
    const flags = input.flags ?? null;
    if (flags !== null) {
      if (!Array.isArray(flags) || flags.length === 0)
        throw new StoreInputError('flags', 'must be a non-empty list of flag keys, or null');
      flags.forEach((f, i) => requireText(`flags[${i}]`, f, 200));
    }
    const cap = input.maxUnitsPerMinute ?? null;
    const row = {
      id: requireText('id', input.id, 200),
      name: requireText('name', input.name, 500),
      scopes: JSON.stringify(requireScopes('scopes', input.scopes)),
      hash: requireSha256('hash', input.hash),
      created_at: this.nowIso(),
      revoked_at: null,
      flags: flags === null ? null : JSON.stringify([...new Set(flags)]),
      max_units_per_minute: cap === null ? null : requireInt('maxUnitsPerMinute', cap, 1),
      owner_subject: optionalText('ownerSubject', input.ownerSubject),
      environment: requireName('environment', input.environment ?? DEFAULT_ENVIRONMENT),
    };
    try {
      await this.db.insertInto('tokens').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new StoreConflictError(`a token with id ${row.id} or the same hash already exists`);
      throw e;
    }
    return toToken(row);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row === undefined ? undefined : toToken(row);
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom('tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async revokeToken(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('tokens')
      .set({ revoked_at: this.nowIso() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ---- readiness attestations ------------------------------------------------------------

  async addAttestation(
    input: Omit<AttestationRecord, 'id' | 'at'> & { at?: string },
  ): Promise<AttestationRecord> {
    const row = {
      plan_name: requireText('planName', input.planName, 200),
      check_name: requireText('check', input.check, 2000),
      role: requireText('role', input.role, 200),
      subject: optionalText('subject', input.subject),
      actor: requireText('actor', input.actor, 500),
      note: requireString('note', input.note, 4000),
      link: optionalText('link', input.link, 2000),
      at: input.at === undefined ? this.nowIso() : requireTime('at', input.at),
      expires_at: requireTime('expiresAt', input.expiresAt),
    };
    const inserted = await this.db
      .insertInto('attestations')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return toAttestation({ ...row, id: Number(inserted.id) });
  }

  async listAttestations(planName: string): Promise<AttestationRecord[]> {
    const rows = await this.db
      .selectFrom('attestations')
      .selectAll()
      .where('plan_name', '=', planName)
      .orderBy('id')
      .execute();
    return rows.map(toAttestation);
  }

  // ---- recorded rehearsals (ADR 0041) ------------------------------------------------------

  async addRehearsal(
    input: Omit<RehearsalRecord, 'id' | 'at'> & { at?: string },
  ): Promise<RehearsalRecord> {
    if (!Array.isArray(input.scenarios) || input.scenarios.length > MAX_REHEARSAL_SCENARIOS)
      throw new StoreInputError(
        'scenarios',
        `must be a list of at most ${MAX_REHEARSAL_SCENARIOS} scenarios`,
      );
    const row = {
      plan_name: requireText('planName', input.planName, 200),
      plan_version: requireInt('planVersion', input.planVersion, 1),
      actor: requireText('actor', input.actor, 500),
      subject: optionalText('subject', input.subject),
      at: input.at === undefined ? this.nowIso() : requireTime('at', input.at),
      settings_json: toJsonText('settings', input.settings),
      scenarios_json: toJsonText('scenarios', input.scenarios),
      audit_seq: input.auditSeq === null ? null : requireInt('auditSeq', input.auditSeq, 1),
    };
    const inserted = await this.db
      .insertInto('rehearsals')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return toRehearsal({ ...row, id: Number(inserted.id) });
  }

  async listRehearsals(planName: string, planVersion?: number): Promise<RehearsalRecord[]> {
    let q = this.db.selectFrom('rehearsals').selectAll().where('plan_name', '=', planName);
    if (planVersion !== undefined) q = q.where('plan_version', '=', planVersion);
    const rows = await q.orderBy('at').orderBy('id').execute();
    return rows.map(toRehearsal);
  }

  async addCheckResult(
    input: Omit<CheckResultRecord, 'id' | 'at'> & { at?: string },
  ): Promise<CheckResultRecord> {
    const row = {
      plan_name: requireText('planName', input.planName, 200),
      check_name: requireText('check', input.check, 2000),
      passed: input.passed ? 1 : 0,
      link: optionalText('link', input.link, 2000),
      commit_sha: optionalText('commit', input.commit, 200),
      note: optionalText('note', input.note, 4000),
      subject: optionalText('subject', input.subject),
      actor: requireText('actor', input.actor, 500),
      at: input.at === undefined ? this.nowIso() : requireTime('at', input.at),
    };
    const inserted = await this.db
      .insertInto('check_results')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return toCheckResult({ ...row, id: Number(inserted.id) });
  }

  async latestCheckResults(planName: string): Promise<CheckResultRecord[]> {
    const latest = this.db
      .selectFrom('check_results')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('plan_name', '=', planName)
      .groupBy('check_name');
    const rows = await this.db
      .selectFrom('check_results')
      .selectAll()
      .where('id', 'in', latest)
      .orderBy('id')
      .execute();
    return rows.map(toCheckResult);
  }

  // ---- sessions (sign-in) ------------------------------------------------------------

  async createSession(input: Omit<SessionRecord, 'createdAt' | 'endedAt'>): Promise<SessionRecord> {
    const row = {
      id: requireSha256('id', input.id),
      kind: requireOneOf('kind', input.kind, ['browser', 'cli'] as const),
      subject: requireText('subject', input.subject, 1000),
      name: requireText('name', input.name, 500),
      scopes: JSON.stringify(requireScopes('scopes', input.scopes)),
      csrf: requireText('csrf', input.csrf, 200),
      created_at: this.nowIso(),
      expires_at: requireTime('expiresAt', input.expiresAt),
      ended_at: null,
    };
    await this.db.insertInto('sessions').values(row).execute();
    return toSession(row);
  }

  async findSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toSession(row);
  }

  async endSession(id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('sessions')
      .set({ ended_at: this.nowIso() })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async putLoginAttempt(input: LoginAttempt): Promise<void> {
    const now = this.nowIso();
    // Attempts nobody finished are dropped here, so the table stays as small as the sign-ins in flight.
    await this.db.deleteFrom('login_attempts').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('login_attempts')
      .values({
        state: requireText('state', input.state, 200),
        verifier: requireText('verifier', input.verifier, 200),
        nonce: requireText('nonce', input.nonce, 200),
        return_to: requireText('returnTo', input.returnTo, 2000),
        expires_at: requireTime('expiresAt', input.expiresAt),
      })
      .execute();
  }

  async takeLoginAttempt(state: string): Promise<LoginAttempt | undefined> {
    return this.atomic(async (tx) => {
      const row = await tx.db
        .selectFrom('login_attempts')
        .selectAll()
        .where('state', '=', state)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const deleted = await tx.db
        .deleteFrom('login_attempts')
        .where('state', '=', state)
        .executeTakeFirst();
      // Two callbacks racing with one state: only the one that deleted the row may finish.
      if (Number(deleted.numDeletedRows) !== 1) return undefined;
      return {
        state: row.state,
        verifier: row.verifier,
        nonce: row.nonce,
        returnTo: row.return_to,
        expiresAt: row.expires_at,
      };
    });
  }

  // ---- audit --------------------------------------------------------------------------

  async appendAudit(input: AuditInput): Promise<AuditEntry> {
    const actor = requireText('actor', input.actor, 500);
    const action = requireText('action', input.action, 200);
    const subject = requireString('subject', input.subject, 1000);
    const dataText = canonicalJson(input.data ?? null);
    // The hash covers the data as it will be read back, so verify sees the same value.
    const data = JSON.parse(dataText) as unknown;
    return this.atomic(async (tx) => {
      // Serializes appends (PostgreSQL across replicas) so the chain never forks.
      await tx.lockKey('audit');
      const last = await tx.db
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const seq = last === undefined ? 1 : Number(last.seq) + 1;
      const prevHash = last === undefined ? AUDIT_GENESIS_HASH : last.hash;
      const entry = { seq, at: tx.nowIso(), actor, action, subject, data, prevHash };
      const hash = auditHash(entry);
      await tx.db
        .insertInto('audit_log')
        .values({
          seq,
          at: entry.at,
          actor,
          action,
          subject,
          data: dataText,
          prev_hash: prevHash,
          hash,
        })
        .execute();
      return { ...entry, hash };
    });
  }

  async listAudit(
    filter: { afterSeq?: number; limit?: number; action?: string; subject?: string } = {},
  ): Promise<AuditEntry[]> {
    const limit = filter.limit === undefined ? 1000 : requireInt('limit', filter.limit, 1);
    let q = this.db
      .selectFrom('audit_log')
      .selectAll()
      .where(
        'seq',
        '>',
        filter.afterSeq === undefined ? 0 : requireInt('afterSeq', filter.afterSeq, 0),
      );
    if (filter.action !== undefined) q = q.where('action', '=', filter.action);
    if (filter.subject !== undefined) q = q.where('subject', '=', filter.subject);
    const rows = await q.orderBy('seq').limit(Math.min(limit, 10_000)).execute();
    return rows.map(toAuditEntry);
  }

  async verifyAudit(
    options: { expectHeads?: readonly AuditHead[] } = {},
  ): Promise<AuditVerification> {
    const known = new Map((options.expectHeads ?? []).map((h) => [h.seq, h.hash]));
    const last = Math.max(0, ...known.keys());
    let expectedSeq = 1;
    let prevHash = AUDIT_GENESIS_HASH;
    let entries = 0;
    let head: AuditHead | null = null;
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(AUDIT_PAGE)
        .execute();
      for (const r of rows) {
        const seq = Number(r.seq);
        const broken = (reason: string): AuditVerification => ({
          ok: false,
          entries,
          head,
          firstBroken: { seq, reason },
        });
        if (seq !== expectedSeq)
          return broken(`gap: entry ${seq} follows ${expectedSeq - 1} (entries deleted)`);
        if (r.prev_hash !== prevHash)
          return broken(
            expectedSeq === 1
              ? 'prevHash of the first entry is not the genesis hash'
              : `prevHash does not match the hash of entry ${seq - 1} (link broken)`,
          );
        let data: unknown;
        try {
          data = JSON.parse(r.data);
        } catch {
          return broken('data is not valid JSON (changed after it was written)');
        }
        const recomputed = auditHash({
          seq,
          at: r.at,
          actor: r.actor,
          action: r.action,
          subject: r.subject,
          data,
          prevHash: r.prev_hash,
        });
        if (recomputed !== r.hash)
          return broken('hash does not match the entry content (changed after it was written)');
        // A consistent chain with another hash at the known head was rewritten and rehashed.
        const knownHash = known.get(seq);
        if (knownHash !== undefined && r.hash !== knownHash)
          return broken(`hash differs from the known head ${seq}:${knownHash} (rewritten)`);
        entries++;
        expectedSeq = seq + 1;
        prevHash = r.hash;
        head = { seq, hash: r.hash };
      }
      if (rows.length < AUDIT_PAGE) break;
    }
    if ((head?.seq ?? 0) < last) {
      return {
        ok: false,
        entries,
        head,
        firstBroken: {
          seq: (head?.seq ?? 0) + 1,
          reason: `truncated: the log ends at entry ${head?.seq ?? 0} but the known head is entry ${last} (entries deleted from the end)`,
        },
      };
    }
    return { ok: true, entries, head };
  }

  async auditHead(): Promise<AuditHead | null> {
    const row = await this.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : { seq: Number(row.seq), hash: row.hash };
  }

  // ---- outbox ------------------------------------------------------------------------------

  async enqueueOutbox(
    input: Pick<OutboxMessage, 'idempotencyKey' | 'kind' | 'payload'> & { dueAt?: string },
  ): Promise<OutboxMessage> {
    const key = requireText('idempotencyKey', input.idempotencyKey, 500);
    const row = {
      idempotency_key: key,
      kind: requireText('kind', input.kind, 200),
      payload: toJsonText('payload', input.payload),
      attempts: 0,
      due_at: input.dueAt === undefined ? this.nowIso() : requireTime('dueAt', input.dueAt),
      done_at: null,
      last_error: null,
    };
    await this.db
      .insertInto('outbox')
      .values(row)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const stored = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    return toOutboxMessage(stored);
  }

  async dueOutbox(now: string, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('done_at', 'is', null)
      .where('due_at', '<=', requireTime('now', now))
      .orderBy('due_at')
      .orderBy('id')
      .limit(requireInt('limit', limit, 1))
      .execute();
    return rows.map(toOutboxMessage);
  }

  async completeOutbox(id: number): Promise<void> {
    const r = await this.db
      .updateTable('outbox')
      .set((eb) => ({ done_at: this.nowIso(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      throw new StoreNotFoundError('id', `outbox message ${id} does not exist`);
  }

  async outboxByKeys(keys: readonly string[]): Promise<OutboxMessage[]> {
    if (keys.length === 0) return [];
    const out: OutboxMessage[] = [];
    // Bounded IN lists: SQLite allows at most 32,766 parameters per statement.
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db
        .selectFrom('outbox')
        .selectAll()
        .where('idempotency_key', 'in', keys.slice(i, i + 500))
        .execute();
      out.push(...rows.map(toOutboxMessage));
    }
    return out;
  }

  async retryOutbox(id: number, error: string, dueAt: string): Promise<void> {
    const due = requireTime('dueAt', dueAt);
    const r = await this.db
      .updateTable('outbox')
      .set((eb) => ({
        due_at: due,
        // A delivery error may quote a remote answer: keep it, minus any NUL (see requireString).
        last_error: requireString(
          'error',
          typeof error === 'string' ? error.replaceAll('\u0000', '\uFFFD') : error,
          10_000,
        ),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', id)
      .where('done_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      throw new StoreNotFoundError('id', `outbox message ${id} does not exist or is done`);
  }

  // ---- aggregates ---------------------------------------------------------------------------

  async evidenceContributions(launchId?: string): Promise<EvidenceContribution[]> {
    let q = this.db
      .selectFrom('evidence_contributions')
      .select((eb) => [
        'launch_id',
        'phase',
        'token_id',
        eb.fn.sum<number>('units').as('units'),
        eb.fn.sum<number>('arm_mismatch').as('arm_mismatch'),
        eb.fn.sum<number>('phase_not_live').as('phase_not_live'),
        eb.fn.sum<number>('out_of_scope').as('out_of_scope'),
        eb.fn.sum<number>('over_cap').as('over_cap'),
      ])
      .groupBy(['launch_id', 'phase', 'token_id'])
      .orderBy('launch_id')
      .orderBy('phase')
      .orderBy('token_id');
    if (launchId !== undefined)
      q = q.where('launch_id', '=', requireText('launchId', launchId, 200));
    return (await q.execute()).map((r) => ({
      launchId: r.launch_id,
      phase: r.phase,
      tokenId: r.token_id,
      units: Number(r.units),
      quarantined: {
        'arm-mismatch': Number(r.arm_mismatch),
        'phase-not-live': Number(r.phase_not_live),
        'out-of-scope': Number(r.out_of_scope),
        'over-cap': Number(r.over_cap),
      },
    }));
  }

  async readAggregates(query: AggregateQuery): Promise<Aggregates> {
    return readAggregates(this.db, query);
  }

  /** Used by tests and tools that need SQL (e.g. the tamper test). */
  get kysely(): Kysely<Database> {
    return this.db;
  }
}

/** Run `sql` text (no parameters) on a store's database; for tests and admin tools. */
export async function executeSql(store: KyselyStore, text: string): Promise<void> {
  await sql.raw(text).execute(store.kysely);
}
