/**
 * `{{name}}` placeholders in the query of a `sql` KPI and the url of an `http` KPI.
 * The server fills them at each look; SQL receives them as bind parameters, never
 * as text spliced into the query, and URLs receive them percent-encoded.
 */

/** Names a sql or http template may use, with what each one is at a look. */
export const SOURCE_TEMPLATE_NAMES = {
  launch: "the plan's launch name (its `launch:` key)",
  launch_id: 'the id of this run of the plan',
  phase: 'the name of the current phase',
  arm: 'treatment or control (the query then runs once per arm)',
  phase_start: 'when the current phase started (timestamptz; ISO 8601 in a url)',
  since: "start of the data this KPI judges: the phase start, or now minus the KPI's window",
  now: 'the time of the look (timestamptz; ISO 8601 in a url)',
} as const;

/** One name a template may use. */
export type SourceTemplateName = keyof typeof SOURCE_TEMPLATE_NAMES;

/** A template cut into literal text and placeholders, in order. */
export type TemplatePart = { text: string } | { name: SourceTemplateName };

/** The result of {@link parseSourceTemplate}. */
export type ParsedTemplate =
  | { ok: true; parts: TemplatePart[]; names: Set<SourceTemplateName> }
  | { ok: false; message: string };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isTemplateName(name: string): name is SourceTemplateName {
  return Object.hasOwn(SOURCE_TEMPLATE_NAMES, name);
}

/**
 * Split a template into text and placeholders. With `sql`, a placeholder inside a
 * quoted SQL literal is refused: it is a bind parameter, so `'{{arm}}'` would
 * compare with the text "$1" instead of the arm.
 */
export function parseSourceTemplate(
  template: string,
  options: { sql?: boolean } = {},
): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const names = new Set<SourceTemplateName>();
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!isTemplateName(name))
      return {
        ok: false,
        message: `unknown placeholder {{${name}}}: use ${Object.keys(SOURCE_TEMPLATE_NAMES)
          .map((n) => `{{${n}}}`)
          .join(', ')}`,
      };
    const before = template.slice(last, match.index);
    if (options.sql === true && insideQuotes(template.slice(0, match.index)))
      return {
        ok: false,
        message: `{{${name}}} is a bind parameter: write it without quotes (arm = {{arm}}, not arm = '{{arm}}')`,
      };
    if (before !== '') parts.push({ text: before });
    parts.push({ name });
    names.add(name);
    last = match.index + match[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes('{{') || rest.includes('}}'))
    return { ok: false, message: 'unbalanced {{ }}: placeholders look like {{arm}}' };
  if (rest !== '') parts.push({ text: rest });
  return { ok: true, parts, names };
}

/**
 * Whether the end of `sqlBefore` is inside a '...' or "..." literal (doubled
 * quotes escape; quotes in -- comments do not count).
 */
function insideQuotes(sqlBefore: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < sqlBefore.length; i++) {
    const ch = sqlBefore[i];
    if (quote === null) {
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '-' && sqlBefore[i + 1] === '-') {
        const end = sqlBefore.indexOf('\n', i);
        if (end === -1) return false;
        i = end;
      }
    } else if (ch === quote) quote = null;
  }
  return quote !== null;
}
