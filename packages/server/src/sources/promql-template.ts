/**
 * Query templating for the Prometheus source: `{{arm}}`, `{{launch}}`, `{{phase}}`,
 * `{{interval}}` (the KPI's step, or a burn window, to the millisecond),
 * `{{window}}` (the KPI's window, else the phase so far) and `{{phase_range}}`
 * (the phase so far) as PromQL durations in whole seconds. The filled-in text keeps a map back to the
 * original, so a parse error Prometheus reports in the filled-in query points at
 * the right column of the plan's field.
 */

/** Names a query may use. */
export const TEMPLATE_NAMES = [
  'arm',
  'launch',
  'phase',
  'interval',
  'window',
  'phase_range',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** A filled-in query and, per output offset where a segment starts, the original offset. */
export interface FilledQuery {
  text: string;
  /** [output offset, original offset, is a filled-in value] at each segment start, ascending. */
  map: [number, number, boolean][];
}

/** Placeholders a query uses that are not template names. */
export function unknownPlaceholders(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) out.push(name);
  }
  return out;
}

/** Fill in the placeholders (an unknown one stays as written, so Prometheus rejects it visibly). */
export function fillQuery(query: string, values: Record<TemplateName, string>): FilledQuery {
  let text = '';
  const map: [number, number, boolean][] = [];
  let last = 0;
  for (const m of query.matchAll(PLACEHOLDER)) {
    const name = m[1] as TemplateName;
    const value = (values as Record<string, string | undefined>)[name];
    if (value === undefined) continue;
    const at = m.index;
    map.push([text.length, last, false]);
    text += query.slice(last, at);
    map.push([text.length, at, true]);
    text += value;
    last = at + m[0].length;
  }
  map.push([text.length, last, false]);
  text += query.slice(last);
  return { text, map };
}

/** The original offset of an offset in the filled-in text (inside a value: the placeholder's start). */
export function originalOffset(filled: FilledQuery, offset: number): number {
  let best: [number, number, boolean] = [0, 0, false];
  for (const entry of filled.map) if (entry[0] <= offset) best = entry;
  const [out, orig, isValue] = best;
  return isValue ? orig : orig + (offset - out);
}

/** A duration in whole seconds as PromQL writes it (at least 1s). */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/**
 * An `{{interval}}` exactly as long as the step or window it stands for: whole
 * seconds when it is a whole number of them, else milliseconds. Rounded to seconds,
 * a 500ms or 1.5s step would count each request in two neighbouring intervals.
 */
export function promInterval(ms: number): string {
  const exact = Math.max(1, Math.round(ms));
  return exact % 1000 === 0 ? `${exact / 1000}s` : `${exact}ms`;
}

/** Line and column (1-based) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
