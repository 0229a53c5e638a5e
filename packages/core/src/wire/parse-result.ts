import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/** One validation problem: where (a JSON path like `flags.0.traffic`) and what. */
export interface WireIssue {
  /** Dotted path of the offending field (`''` for the document itself). */
  path: string;
  /** Human-readable description, suitable for a 400 response body. */
  message: string;
}

/** Result of the wire parsers: they never throw. */
export type WireParseResult<T> = { ok: true; value: T } | { ok: false; errors: WireIssue[] };

/** English messages, passed per parse (no global zod config, only this locale is bundled). */
const errorMap = en().localeError;

/** A zod issue before its message is set, as the error map receives it. */
export type RawWireIssue = Parameters<typeof errorMap>[0];

/**
 * The message zod would give `issue` with the same English locale (internal, not
 * re-exported): hand-written validators report the spec's exact wording.
 */
export function issueMessage(issue: RawWireIssue): string {
  const m = errorMap(issue);
  return (typeof m === 'string' ? m : m?.message) ?? 'Invalid input';
}

/** Turns zod issues into {@link WireIssue}s (internal to the wire parsers, not re-exported). */
export function toWireIssues(error: { issues: readonly z.core.$ZodIssue[] }): WireIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => String(p)).join('.'),
    message: issue.message,
  }));
}

/**
 * Runs a schema without throwing and returns a {@link WireParseResult} (internal, not re-exported).
 * The wire schemas use
 * `zod/mini` (tree-shakable), so a browser bundle of the SDK carries only what it uses.
 */
export function safeParseWith<T>(schema: z.ZodMiniType<T>, json: unknown): WireParseResult<T> {
  try {
    const result = z.safeParse(schema, json, { error: errorMap });
    return result.success
      ? { ok: true, value: result.data }
      : { ok: false, errors: toWireIssues(result.error) };
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `unparseable input: ${String(err)}` }] };
  }
}
