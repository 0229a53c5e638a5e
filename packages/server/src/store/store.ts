/**
 * The one store interface. Two implementations (SQLite, PostgreSQL) pass one
 * contract suite (test/store/store-contract.ts). Everything is append-only where
 * history matters: plan versions, launch event logs, the audit chain.
 * "Acknowledged means durable": a resolved promise of a write is on disk.
 */
import type { ArmAggregates, Kpi, Plan, SdkEvent } from '@threshold/core';

/** Status of one ordered, append-only migration. */
export interface MigrationStatus {
  id: string;
  appliedAt: string | null;
}

/** One stored version of a plan (a plan is named by its `launch` slug). */
export interface PlanVersion {
  name: string;
  version: number;
  /** The source as uploaded (YAML or JSON text). */
  source: string;
  format: 'yaml' | 'json';
  /** The parsed, normalized plan. */
  plan: Plan;
  /** sha256 hex of the source; uploading identical source returns the existing version. */
  sourceHash: string;
  createdBy: string;
  createdAt: string;
  /** Verified subject of the person who uploaded it; null for a token nobody owns. */
  createdBySubject: string | null;
}

export interface PlanSummary {
  name: string;
  latestVersion: number;
  versions: number;
  updatedAt: string;
}

/** Lifecycle of a launch. */
export type LaunchStatus = 'running' | 'paused' | 'rolled-back' | 'completed';

/**
 * A launch row: a projection of its event log, updated in the same transaction as
 * each appended event. `seq` is the number of the last event applied.
 */
export interface LaunchRecord {
  id: string;
  planName: string;
  planVersion: number;
  /** Bucketing salt (random at creation). */
  salt: string;
  status: LaunchStatus;
  /** Index into plan.phases. */
  phaseIndex: number;
  phaseStartedAt: string;
  /** Treatment share, 0..1 (0 after rollback). */
  traffic: number;
  createdBy: string;
  /** Verified subject of the person who started it; null for a token nobody owns. */
  createdBySubject: string | null;
  createdAt: string;
  updatedAt: string;
  seq: number;
  /** Last controller decision summary (opaque JSON for the API), if any. */
  lastDecision: unknown;
  /** The environment it runs in (ADR 0032); rows from before environments are `production`. */
  environment: string;
  /** The rolled-back launch this one retries (a new attempt of the same plan), or null. */
  retryOf: string | null;
}

/** One entry of a launch's append-only event log. */
export interface LaunchEvent {
  launchId: string;
  seq: number;
  /** e.g. 'created', 'phase-advanced', 'paused', 'resumed', 'rolled-back', 'completed', 'approval', 'decision'. */
  type: string;
  /** Actor: a token name/subject, or 'controller'. */
  actor: string;
  data: unknown;
  at: string;
}

/** Fields of a launch row an event may change. */
export type LaunchPatch = Partial<
  Pick<
    LaunchRecord,
    'status' | 'phaseIndex' | 'phaseStartedAt' | 'traffic' | 'lastDecision' | 'planVersion'
  >
>;

export interface ApprovalRecord {
  launchId: string;
  /** Phase the approval is for (a phase name) or '*' for the launch. */
  phase: string;
  role: string;
  decision: 'approve' | 'reject';
  actor: string;
  /** Verified subject of the person who answered; null for a token nobody owns. */
  subject: string | null;
  comment: string;
  /** Plan version approved; approvals of an older version are void when reset_on_edit. */
  planVersion: number;
  at: string;
}

export type Scope = 'sdk' | 'viewer' | 'operator' | 'admin' | `approver:${string}`;

export interface TokenRecord {
  id: string;
  /** Human name / subject, shown in the audit log as the actor. */
  name: string;
  scopes: Scope[];
  /** sha256 hex of the secret; the secret itself is never stored. */
  hash: string;
  createdAt: string;
  revokedAt: string | null;
  /**
   * Flags (keys) an `sdk` token is limited to: its config shows only these and its
   * events feed only their launches. Null = every flag. (Environments would scope
   * tokens the same way once they exist.)
   */
  flags: string[] | null;
  /** New units it may expose per launch and server minute; null = the default (10,000). */
  maxUnitsPerMinute: number | null;
  /** The environment an `sdk` token sees (its configs and launches only); other scopes span all. */
  environment: string;
  /** Subject of the person the token acts for (self-approval is decided on it); null = nobody. */
  ownerSubject: string | null;
}

/** A signed-in person's session (dashboard cookie or CLI bearer); only the secret's hash is kept. */
export interface SessionRecord {
  /** sha256 hex of the session secret. */
  id: string;
  kind: 'browser' | 'cli';
  /** The provider's verified `sub`. */
  subject: string;
  /** Display name from the ID token (name, else preferred_username, else email, else sub). */
  name: string;
  /** Scopes granted at sign-in from the groups claim and the server's mapping. */
  scopes: Scope[];
  /** The CSRF token state-changing cookie requests must echo in X-CSRF-Token. */
  csrf: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
}

/** A result CI posted for a readiness check with `ci:` (ADR 0042); the latest counts. */
export interface CheckResultRecord {
  id: number;
  planName: string;
  /** The check's text, as in the plan's readiness list. */
  check: string;
  passed: boolean;
  link: string | null;
  /** The commit the result is for. */
  commit: string | null;
  note: string | null;
  /** Verified subject behind the token; null for a token nobody owns. */
  subject: string | null;
  actor: string;
  at: string;
}

/** A person's word that a readiness check of a plan is done, until `expiresAt`. */
export interface AttestationRecord {
  id: number;
  planName: string;
  /** The check's text, as in the plan's readiness list. */
  check: string;
  /** The owner role it was attested as. */
  role: string;
  /** Verified subject of the person; null for a token nobody owns. */
  subject: string | null;
  /** Their name (a session's display name or the token's). */
  actor: string;
  note: string;
  link: string | null;
  at: string;
  expiresAt: string;
}

/** A Monte Carlo share with its 95% interval, as a rehearsal report gives it. */
export interface RehearsalShare {
  rate: number;
  low: number;
  high: number;
}

/** One scenario of a recorded rehearsal: how its simulated launches ended. */
export interface RehearsalScenario {
  /** "clean", or the injection's label (e.g. "conversion=-5%@early"). */
  label: string;
  /** The injected regressions (none for clean). */
  effects: { kpi: string; size: number; relative: boolean; fromPhase: string | null }[];
  runs: number;
  /** The four ends, adding up to the runs (core's `Ends`). */
  caught: RehearsalShare;
  stoppedForNothing: RehearsalShare;
  shipped: RehearsalShare;
  stalled: RehearsalShare;
}

/** A rehearsal of a stored plan version, kept with the plan (ADR 0041): compact, bounded. */
export interface RehearsalRecord {
  id: number;
  planName: string;
  planVersion: number;
  /** Who ran it (the principal's name) and their verified subject, if any. */
  actor: string;
  subject: string | null;
  at: string;
  /** What it ran with, in words and numbers. */
  settings: {
    source: 'history' | 'synthetic';
    runs: number;
    seed: number;
    lookIntervalMs: number;
    unitsPerMinute: number;
    environment: string | null;
    /** Where it was run from: the API (and dashboard) or the CLI. */
    via: 'api' | 'cli';
  };
  scenarios: RehearsalScenario[];
  /** The `rehearsal.recorded` audit entry written with it. */
  auditSeq: number | null;
}

/** An authorization request in flight: what the callback needs to finish it (PKCE verifier, nonce). */
export interface LoginAttempt {
  state: string;
  verifier: string;
  nonce: string;
  returnTo: string;
  expiresAt: string;
}

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  /** e.g. 'plan.uploaded', 'launch.created', 'launch.paused', 'approval.recorded', 'controller.decision', 'token.created'. */
  action: string;
  /** What it concerns, e.g. 'launch:abc', 'plan:checkout-v2@3'. */
  subject: string;
  data: unknown;
  /** sha256 hex of the previous entry's hash (64 zeros for the first). */
  prevHash: string;
  /** sha256 hex over (seq, at, actor, action, subject, canonical JSON of data, prevHash). */
  hash: string;
}

export type AuditInput = Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'data'>;

/** The last entry of the audit chain: kept outside the database, it makes truncation detectable. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The last entry verified (null when none was). */
  head: AuditHead | null;
  /** First entry whose hash or link does not match, with why. */
  firstBroken?: { seq: number; reason: string };
}

export interface OutboxMessage {
  id: number;
  /** Unique; enqueueing the same key twice keeps the first. */
  idempotencyKey: string;
  /** e.g. 'webhook', 'slack', 'config-changed'. */
  kind: string;
  payload: unknown;
  attempts: number;
  /** Earliest time of the next attempt. */
  dueAt: string;
  doneAt: string | null;
  lastError: string | null;
}

export interface IngestResult {
  /** Events stored by this call (0 when the batchId was seen before). */
  accepted: number;
  /** True when the batchId was already stored: nothing written again. */
  duplicate: boolean;
}

/**
 * Cumulative counters of the event projection (each batch counted exactly once,
 * in the same transaction that folds it) and its backlog.
 */
export interface ProjectionStatus {
  /** Id of the last projected batch (0 before the first). */
  cursor: number;
  /** Batches and events folded so far. */
  batches: number;
  events: number;
  /** Exposure events folded (treatment/control of running or paused launches). */
  exposures: number;
  /** Track events attributed to at least one launch. */
  attributed: number;
  /** Track events whose name a running launch's KPI uses, but whose unit has no exposure: dropped. */
  unattributed: number;
  /** Events no running launch asked for (unknown launch, excluded arm, event no KPI uses): dropped. */
  ignored: number;
  /** Exposures refused by the integrity checks (wrong arm, phase not live, token scope or cap): never folded. */
  quarantined: number;
  /** Stored batches not yet projected. */
  pendingBatches: number;
}

/** Everything a launch needs to read its evidence for one phase. */
export interface AggregateQuery {
  launchId: string;
  phase: string;
  kpis: Kpi[];
  /** Only data at or after this time (ms), e.g. phase start or a KPI window. */
  sinceMs?: number;
  /** "Now" for burn-rate windows (ms). */
  nowMs: number;
}

export interface Aggregates {
  /** Exposed units per arm in the phase. */
  units: { treatment: number; control: number };
  /** Per KPI name. KPIs of other sources (prometheus, http) are absent. */
  kpis: Record<string, ArmAggregates>;
}

/** What one token contributed to one phase of a launch (summed over minutes). */
export interface EvidenceContribution {
  launchId: string;
  phase: string;
  tokenId: string;
  /** New units it exposed (folded into the evidence). */
  units: number;
  /** Exposures quarantined, per reason (see docs/security.md). */
  quarantined: {
    'arm-mismatch': number;
    'phase-not-live': number;
    'out-of-scope': number;
    'over-cap': number;
  };
}

/** A transaction sees the same store API; everything inside commits or nothing does. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Apply pending migrations in order; returns the status of every migration. */
  migrate(): Promise<MigrationStatus[]>;
  migrationStatus(): Promise<MigrationStatus[]>;
  close(): Promise<void>;
  /**
   * Run fn in one transaction (serializable enough that a launch's seq never forks).
   * Use only `tx` inside fn: on SQLite the outer store waits for the transaction to
   * end, so calling it from inside would never finish. Nested calls reuse `tx`.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  /**
   * Store a plan version unless its source equals the latest version's (or, with
   * `reuse: 'any'`, any version's): then that version comes back with `created`
   * false. Decided under a per-plan lock, so concurrent identical uploads (even
   * across PostgreSQL replicas) create one version and see `created` true once.
   */
  putPlan(
    input: Omit<PlanVersion, 'version' | 'createdAt' | 'sourceHash' | 'createdBySubject'> & {
      createdBySubject?: string | null;
    },
    options?: { reuse?: 'latest' | 'any' },
  ): Promise<PlanVersion & { created: boolean }>;
  getPlanVersion(name: string, version?: number): Promise<PlanVersion | undefined>;
  listPlanVersions(name: string): Promise<PlanVersion[]>;
  listPlans(): Promise<PlanSummary[]>;

  /**
   * Create a launch (status running, phase 0, seq 1) and its first event, type
   * 'created', in one transaction; the next append expects seq 1.
   */
  createLaunch(
    input: Pick<
      LaunchRecord,
      'id' | 'planName' | 'planVersion' | 'salt' | 'createdBy' | 'traffic'
    > & {
      createdBySubject?: string | null;
    } & Partial<Pick<LaunchRecord, 'environment' | 'retryOf'>>,
  ): Promise<LaunchRecord>;
  getLaunch(id: string): Promise<LaunchRecord | undefined>;
  listLaunches(filter?: { status?: LaunchStatus[]; environment?: string }): Promise<LaunchRecord[]>;
  /**
   * Append an event and apply its patch to the launch row atomically. Fails with
   * a conflict when `expectedSeq` is not the launch's current seq (optimistic
   * concurrency: no decision is applied twice).
   */
  appendLaunchEvent(
    input: Omit<LaunchEvent, 'seq' | 'at'> & { at?: string },
    expectedSeq: number,
    patch?: LaunchPatch,
  ): Promise<LaunchEvent>;
  listLaunchEvents(launchId: string, afterSeq?: number): Promise<LaunchEvent[]>;

  addApproval(
    input: Omit<ApprovalRecord, 'at' | 'subject'> & { at?: string; subject?: string | null },
  ): Promise<ApprovalRecord>;
  listApprovals(launchId: string): Promise<ApprovalRecord[]>;

  createToken(
    input: Omit<
      TokenRecord,
      'createdAt' | 'revokedAt' | 'flags' | 'maxUnitsPerMinute' | 'ownerSubject' | 'environment'
    > &
      Partial<Pick<TokenRecord, 'flags' | 'maxUnitsPerMinute' | 'ownerSubject' | 'environment'>>,
  ): Promise<TokenRecord>;
  /** The token with this hash, revoked or not: callers must reject `revokedAt !== null`. */
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  revokeToken(id: string): Promise<boolean>;

  /** Records an attestation of a readiness check. */
  addAttestation(
    input: Omit<AttestationRecord, 'id' | 'at'> & { at?: string },
  ): Promise<AttestationRecord>;
  /** A plan's attestations, oldest first (the latest per check is the one in force). */
  listAttestations(planName: string): Promise<AttestationRecord[]>;
  /** Records a result CI posted for a readiness check. */
  addCheckResult(
    input: Omit<CheckResultRecord, 'id' | 'at'> & { at?: string },
  ): Promise<CheckResultRecord>;
  /** The latest posted result of each check of a plan (one per check). */
  latestCheckResults(planName: string): Promise<CheckResultRecord[]>;

  /** Records a rehearsal of a stored plan version (call in a transaction with its audit entry). */
  addRehearsal(
    input: Omit<RehearsalRecord, 'id' | 'at'> & { at?: string },
  ): Promise<RehearsalRecord>;
  /** A plan's recorded rehearsals (of one version, when given), oldest first. */
  listRehearsals(planName: string, planVersion?: number): Promise<RehearsalRecord[]>;

  /** Stores a new session (its id is the secret's hash). */
  createSession(input: Omit<SessionRecord, 'createdAt' | 'endedAt'>): Promise<SessionRecord>;
  /** The session with this id (hash), ended or not: callers check `endedAt` and `expiresAt`. */
  findSession(id: string): Promise<SessionRecord | undefined>;
  /** Ends a session (sign-out); false when it was unknown or already ended. */
  endSession(id: string): Promise<boolean>;
  /** Remembers an authorization request until its callback (or `expiresAt`). */
  putLoginAttempt(input: LoginAttempt): Promise<void>;
  /** Takes (reads and deletes, so it is used once) the attempt with this state. */
  takeLoginAttempt(state: string): Promise<LoginAttempt | undefined>;

  appendAudit(input: AuditInput): Promise<AuditEntry>;
  listAudit(filter?: {
    afterSeq?: number;
    limit?: number;
    action?: string;
    subject?: string;
  }): Promise<AuditEntry[]>;
  /**
   * Recomputes the chain. With `expectHeads` (heads published earlier), also
   * fails when such an entry is gone (truncation) or has another hash (rewritten).
   */
  verifyAudit(options?: { expectHeads?: readonly AuditHead[] }): Promise<AuditVerification>;
  /** The newest audit entry's seq and hash, or null for an empty log. */
  auditHead(): Promise<AuditHead | null>;

  enqueueOutbox(
    input: Pick<OutboxMessage, 'idempotencyKey' | 'kind' | 'payload'> & { dueAt?: string },
  ): Promise<OutboxMessage>;
  /** Messages due at `now` and not done, oldest first, at most `limit`. */
  dueOutbox(now: string, limit: number): Promise<OutboxMessage[]>;
  completeOutbox(id: number): Promise<void>;
  /** The messages with these idempotency keys (done or not), in no particular order. */
  outboxByKeys(keys: readonly string[]): Promise<OutboxMessage[]>;
  retryOutbox(id: number, error: string, dueAt: string): Promise<void>;

  /**
   * Store a batch of SDK events durably (resolves only after commit+fsync).
   * A repeated `batchId` for the same token is a no-op reported as duplicate.
   */
  ingest(tokenId: string, batchId: string | undefined, events: SdkEvent[]): Promise<IngestResult>;
  /**
   * Fold ingested events not yet projected into per-unit aggregates (resumable,
   * exactly once: the cursor moves in the same transaction). Returns events folded.
   * Folds at most `limitBatches` (default 10) batches per call, in one
   * transaction; call again until it returns 0. On SQLite a call holds the
   * connection (and the event loop) while it runs: keep the limit small.
   */
  project(limitBatches?: number): Promise<number>;
  /** Counters of the projection and its backlog (for /metrics: dropped events, lag). */
  projectionStatus(): Promise<ProjectionStatus>;
  /**
   * Per token and phase, what the projection folded and quarantined: one launch's,
   * or every launch's when `launchId` is omitted (for /metrics).
   */
  evidenceContributions(launchId?: string): Promise<EvidenceContribution[]>;
  /** Per-arm aggregates of the launch's KPIs from projected data. */
  readAggregates(query: AggregateQuery): Promise<Aggregates>;
}
