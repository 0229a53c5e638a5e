/**
 * Table shapes as Kysely sees them. Times of records are ISO-8601 UTC text
 * (`toISOString()`, so text order is time order); event times are epoch ms;
 * JSON is stored as text on both databases so the bytes read back are the
 * bytes written (jsonb would reorder keys).
 */
import type { Generated } from 'kysely';

export interface MigrationsTable {
  id: string;
  applied_at: string;
}

export interface PlanVersionsTable {
  name: string;
  version: number;
  source: string;
  format: string;
  plan_json: string;
  source_hash: string;
  created_by: string;
  created_at: string;
  /** Verified subject of the person who uploaded it (0006_people); null when unknown. */
  created_by_subject: string | null;
}

export interface LaunchesTable {
  id: string;
  plan_name: string;
  plan_version: number;
  salt: string;
  status: string;
  phase_index: number;
  phase_started_at: string;
  traffic: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  seq: number;
  last_decision: string | null;
  /** The plan's flag (migration one_live_launch_per_flag); null only on rows a failed backfill could not read. */
  flag: string | null;
  /** The router and service the plan moves (migration router_claims); null without a router. */
  router_key: string | null;
  /** Verified subject of the person who started it (0006_people); null when unknown. */
  created_by_subject: string | null;
  /** Migration 0005_environments: the environment (default production) and the launch retried. */
  environment: string;
  retry_of: string | null;
}

export interface LaunchEventsTable {
  launch_id: string;
  seq: number;
  type: string;
  actor: string;
  data: string;
  at: string;
}

export interface ApprovalsTable {
  id: Generated<number>;
  launch_id: string;
  phase: string;
  role: string;
  decision: string;
  actor: string;
  comment: string;
  plan_version: number;
  at: string;
  /** Verified subject of the person who answered (0006_people); null when unknown. */
  subject: string | null;
}

export interface TokensTable {
  id: string;
  name: string;
  scopes: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
  /** JSON array of flag keys the token is limited to; null = every flag. */
  flags: string | null;
  /** New units per launch and minute; null = the server default. */
  max_units_per_minute: number | null;
  /** Migration 0005_environments: the environment an sdk token sees. */
  environment: string;
  /** Subject of the person the token acts for (0006_people); null = nobody named. */
  owner_subject: string | null;
}

export interface SessionsTable {
  /** sha256 hex of the session secret. */
  id: string;
  kind: string;
  subject: string;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  csrf: string;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface AttestationsTable {
  id: Generated<number>;
  plan_name: string;
  check_name: string;
  role: string;
  subject: string | null;
  actor: string;
  note: string;
  link: string | null;
  at: string;
  expires_at: string;
}

export interface RehearsalsTable {
  id: Generated<number>;
  plan_name: string;
  plan_version: number;
  actor: string;
  subject: string | null;
  at: string;
  settings_json: string;
  scenarios_json: string;
  audit_seq: number | null;
}

export interface CheckResultsTable {
  id: Generated<number>;
  plan_name: string;
  check_name: string;
  /** 1 passed, 0 failed. */
  passed: number;
  link: string | null;
  commit_sha: string | null;
  note: string | null;
  subject: string | null;
  actor: string;
  at: string;
}

export interface LoginAttemptsTable {
  state: string;
  verifier: string;
  nonce: string;
  return_to: string;
  expires_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: string;
  prev_hash: string;
  hash: string;
}

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  kind: string;
  payload: string;
  attempts: number;
  due_at: string;
  done_at: string | null;
  last_error: string | null;
}

export interface EventBatchesTable {
  id: Generated<number>;
  token_id: string;
  batch_id: string | null;
  event_count: number;
  /** Compact JSON, see event-codec.ts. */
  events: string;
  received_at: number;
}

export interface ProjectionStateTable {
  name: string;
  last_batch_id: number;
  batches: number;
  events: number;
  exposures: number;
  attributed: number;
  unattributed: number;
  ignored: number;
  quarantined: number;
}

export interface ExposuresTable {
  launch_id: string;
  phase: string;
  unit: string;
  arm: string;
  first_ts: number;
}

export interface UnitAggregatesTable {
  launch_id: string;
  phase: string;
  event: string;
  arm: string;
  unit: string;
  minute: number;
  count: number;
  value_count: number;
  value_sum: number;
  value_min: number | null;
  value_max: number | null;
}

export interface SketchBucketsTable {
  launch_id: string;
  phase: string;
  event: string;
  arm: string;
  minute: number;
  /** 1 positive, -1 negative (bucket of |v|), 0 zero (bucket 0). */
  sign: number;
  bucket: number;
  count: number;
}

export interface MinuteCountsTable {
  launch_id: string;
  event: string;
  arm: string;
  minute: number;
  count: number;
}

/** What one token contributed to one launch phase per server minute, and what was quarantined. */
export interface EvidenceContributionsTable {
  launch_id: string;
  phase: string;
  token_id: string;
  minute: number;
  units: number;
  arm_mismatch: number;
  phase_not_live: number;
  out_of_scope: number;
  over_cap: number;
}

/** Every table of the store. */
export interface Database {
  migrations: MigrationsTable;
  plan_versions: PlanVersionsTable;
  launches: LaunchesTable;
  launch_events: LaunchEventsTable;
  approvals: ApprovalsTable;
  tokens: TokensTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  event_batches: EventBatchesTable;
  projection_state: ProjectionStateTable;
  exposures: ExposuresTable;
  unit_aggregates: UnitAggregatesTable;
  sketch_buckets: SketchBucketsTable;
  minute_counts: MinuteCountsTable;
  evidence_contributions: EvidenceContributionsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  attestations: AttestationsTable;
  rehearsals: RehearsalsTable;
  check_results: CheckResultsTable;
}
