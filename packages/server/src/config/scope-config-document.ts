/**
 * What a flag-limited sdk token sees of the config document: only its flags, with
 * a version of its own (the same hash buildConfigDocument uses, over the flags it
 * keeps), so ETags and SSE ids never leak that other flags changed.
 */
import { createHash } from 'node:crypto';
import type { ConfigDocument } from '@threshold/core';

/** The document limited to `flags` (null: the document itself). */
export function scopeConfigDocument(
  doc: ConfigDocument,
  flags: readonly string[] | null,
): ConfigDocument {
  if (flags === null) return doc;
  const kept = doc.flags.filter((f) => flags.includes(f.key));
  const version = createHash('sha256').update(JSON.stringify(kept)).digest('hex').slice(0, 24);
  return { ...doc, version, flags: kept };
}
