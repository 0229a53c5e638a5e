/** Database rows to the store's records (and the other way for JSON columns). */
import type { Selectable } from 'kysely';
import type { Plan } from '@threshold/core';
import type {
  ApprovalsTable,
  AttestationsTable,
  CheckResultsTable,
  AuditLogTable,
  LaunchEventsTable,
  LaunchesTable,
  OutboxTable,
  PlanVersionsTable,
  RehearsalsTable,
  SessionsTable,
  TokensTable,
} from './database-schema.js';
import type {
  ApprovalRecord,
  AttestationRecord,
  CheckResultRecord,
  AuditEntry,
  LaunchEvent,
  LaunchRecord,
  LaunchStatus,
  OutboxMessage,
  PlanVersion,
  RehearsalRecord,
  Scope,
  SessionRecord,
  TokenRecord,
} from './store.js';

/** Drivers return numbers for integer columns here (pg is told to), but be tolerant. */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** plan_versions row → PlanVersion. */
export function toPlanVersion(r: Selectable<PlanVersionsTable>): PlanVersion {
  return {
    name: r.name,
    version: num(r.version),
    source: r.source,
    format: r.format as PlanVersion['format'],
    plan: JSON.parse(r.plan_json) as Plan,
    sourceHash: r.source_hash,
    createdBy: r.created_by,
    createdAt: r.created_at,
    createdBySubject: r.created_by_subject ?? null,
  };
}

/** launches row → LaunchRecord. */
export function toLaunch(r: Selectable<LaunchesTable>): LaunchRecord {
  return {
    id: r.id,
    planName: r.plan_name,
    planVersion: num(r.plan_version),
    salt: r.salt,
    status: r.status as LaunchStatus,
    phaseIndex: num(r.phase_index),
    phaseStartedAt: r.phase_started_at,
    traffic: num(r.traffic),
    createdBy: r.created_by,
    createdBySubject: r.created_by_subject ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    seq: num(r.seq),
    lastDecision: r.last_decision === null ? null : (JSON.parse(r.last_decision) as unknown),
    environment: r.environment,
    retryOf: r.retry_of,
  };
}

/** launch_events row → LaunchEvent. */
export function toLaunchEvent(r: Selectable<LaunchEventsTable>): LaunchEvent {
  return {
    launchId: r.launch_id,
    seq: num(r.seq),
    type: r.type,
    actor: r.actor,
    data: JSON.parse(r.data) as unknown,
    at: r.at,
  };
}

/** approvals row → ApprovalRecord. */
export function toApproval(r: Selectable<ApprovalsTable>): ApprovalRecord {
  return {
    launchId: r.launch_id,
    phase: r.phase,
    role: r.role,
    decision: r.decision as ApprovalRecord['decision'],
    actor: r.actor,
    subject: r.subject ?? null,
    comment: r.comment,
    planVersion: num(r.plan_version),
    at: r.at,
  };
}

/** tokens row → TokenRecord. */
export function toToken(r: Selectable<TokensTable>): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as Scope[],
    hash: r.hash,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    flags: r.flags === null ? null : (JSON.parse(r.flags) as string[]),
    maxUnitsPerMinute: r.max_units_per_minute === null ? null : Number(r.max_units_per_minute),
    environment: r.environment,
    ownerSubject: r.owner_subject ?? null,
  };
}

/** attestations row → AttestationRecord. */
export function toAttestation(r: Selectable<AttestationsTable>): AttestationRecord {
  return {
    id: num(r.id),
    planName: r.plan_name,
    check: r.check_name,
    role: r.role,
    subject: r.subject,
    actor: r.actor,
    note: r.note,
    link: r.link,
    at: r.at,
    expiresAt: r.expires_at,
  };
}

/** rehearsals row → RehearsalRecord. */
export function toRehearsal(r: Selectable<RehearsalsTable>): RehearsalRecord {
  return {
    id: num(r.id),
    planName: r.plan_name,
    planVersion: num(r.plan_version),
    actor: r.actor,
    subject: r.subject,
    at: r.at,
    settings: JSON.parse(r.settings_json) as RehearsalRecord['settings'],
    scenarios: JSON.parse(r.scenarios_json) as RehearsalRecord['scenarios'],
    auditSeq: r.audit_seq === null ? null : num(r.audit_seq),
  };
}

/** sessions row → SessionRecord. */
export function toSession(r: Selectable<SessionsTable>): SessionRecord {
  return {
    id: r.id,
    kind: r.kind as SessionRecord['kind'],
    subject: r.subject,
    name: r.name,
    scopes: JSON.parse(r.scopes) as Scope[],
    csrf: r.csrf,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    endedAt: r.ended_at,
  };
}

/** audit_log row → AuditEntry (data parsed back from its canonical JSON). */
export function toAuditEntry(r: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: num(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: JSON.parse(r.data) as unknown,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** outbox row → OutboxMessage. */
export function toOutboxMessage(r: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: num(r.id),
    idempotencyKey: r.idempotency_key,
    kind: r.kind,
    payload: JSON.parse(r.payload) as unknown,
    attempts: num(r.attempts),
    dueAt: r.due_at,
    doneAt: r.done_at,
    lastError: r.last_error,
  };
}

/** True when `e` is a unique violation of the index or constraint `name` (both dialects). */
export function isUniqueViolationOf(e: unknown, name: string, sqliteColumns: string): boolean {
  if (!isUniqueViolation(e)) return false;
  const err = e as { constraint?: unknown; message?: unknown };
  // PostgreSQL names the index; SQLite names the columns ("UNIQUE constraint failed: t.c").
  return err.constraint === name || String(err.message).endsWith(sqliteColumns);
}

/** True when a driver error is a unique/primary-key violation (SQLite or PostgreSQL). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** check_results row → CheckResultRecord. */
export function toCheckResult(r: Selectable<CheckResultsTable>): CheckResultRecord {
  return {
    id: num(r.id),
    planName: r.plan_name,
    check: r.check_name,
    passed: Number(r.passed) === 1,
    link: r.link,
    commit: r.commit_sha,
    note: r.note,
    subject: r.subject,
    actor: r.actor,
    at: r.at,
  };
}
