import type { z } from 'zod';

/** One validation problem: where (a JSON path like `flags.0.traffic`) and what. */
export interface WireIssue {
  /** Dotted path of the offending field (`''` for the document itself). */
  path: string;
  /** Human-readable description, suitable for a 400 response body. */
  message: string;
}

/** Result of the wire parsers: they never throw. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: WireIssue[] };

/** Turns zod issues into {@link WireIssue}s (internal helper shared by the parsers). */
export function toWireIssues(error: z.ZodError): WireIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => String(p)).join('.'),
    message: issue.message,
  }));
}

/** Runs a schema without throwing and returns a {@link ParseResult}. */
export function safeParseWith<T>(schema: z.ZodType<T>, json: unknown): ParseResult<T> {
  try {
    const result = schema.safeParse(json);
    return result.success
      ? { ok: true, value: result.data }
      : { ok: false, errors: toWireIssues(result.error) };
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `unparseable input: ${String(err)}` }] };
  }
}
