/**
 * The audit chain's hash, reproducible by any tool:
 *
 *   hash = lowercase hex sha256( UTF-8( canonicalJson([seq, at, actor, action, subject, data, prevHash]) ) )
 *
 * where `data` is the entry's data as a JSON value (not a string), `prevHash` is
 * the previous entry's hash and the first entry's prevHash is 64 zeros. An array
 * (not concatenated fields) keeps field boundaries unambiguous.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AuditEntry } from './store.js';

/** prevHash of the first audit entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The exact text that is hashed for an entry (see the module comment). */
export function auditHashInput(entry: Omit<AuditEntry, 'hash'>): string {
  return canonicalJson([
    entry.seq,
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.data,
    entry.prevHash,
  ]);
}

/** sha256 hex of {@link auditHashInput}. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(auditHashInput(entry), 'utf8').digest('hex');
}
