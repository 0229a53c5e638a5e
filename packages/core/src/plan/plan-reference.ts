/**
 * The plan reference in Markdown, generated from the JSON Schema so that the
 * documentation cannot drift from what the validator accepts.
 */
import { alternatives, planJsonSchema } from './plan-json-schema.js';
import type { JsonSchemaNode } from './plan-json-schema.js';

interface Section {
  title: string;
  description?: string;
  rows: string[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function isObject(n: JsonSchemaNode): boolean {
  return n.properties !== undefined || typeof n.additionalProperties === 'object';
}

/** A short human type for a schema node; nested mappings refer to their own section. */
function typeOf(node: JsonSchemaNode, childTitle: string, sections: Map<string, Section>): string {
  const alts = alternatives(node);
  if (alts.length > 1)
    return [...new Set(alts.map((a) => typeOf(a, childTitle, sections)))].join(', or ');
  const n = alts[0] ?? node;
  if (n.enum) return `one of ${n.enum.map(code).join(', ')}`;
  if (n.const !== undefined) return code(n.const);
  if (n.type === 'array' && n.items) return `list of ${typeOf(n.items, childTitle, sections)}`;
  if (isObject(n)) return `mapping (see [${childTitle}](#${anchor(childTitle)}))`;
  if (n.type === 'string' && n.pattern?.includes('ms|s|m|h|d|w'))
    return 'duration (`30s`, `30m`, `2h`, `1d`, `1h30m`)';
  if (n.type === 'string' && n.pattern?.includes('%')) return 'percentage (`"5%"`)';
  if (n.type === 'number' && n.maximum === 1 && (n.minimum === 0 || n.minimum === 0.0001))
    return 'fraction (`0.05`)';
  if (n.type === 'string' && n.format === 'uri') return 'URL';
  if (n.type === 'string') return 'text';
  if (n.type === 'integer') return n.minimum !== undefined ? `integer ≥ ${n.minimum}` : 'integer';
  if (n.type === 'number') return 'number';
  if (n.type === 'boolean') return '`true` or `false`';
  if (Array.isArray(n.type)) return n.type.join(' or ');
  return 'any';
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function collect(node: JsonSchemaNode, title: string, sections: Map<string, Section>): void {
  const objects = alternatives(node).filter(isObject);
  for (const obj of objects) {
    if (sections.has(title)) return;
    const section: Section = { title, rows: [] };
    if (node.description !== undefined) section.description = node.description;
    sections.set(title, section);
    const required = new Set(obj.required ?? []);
    for (const [key, prop] of Object.entries(obj.properties ?? {})) {
      const childTitle = childTitleOf(title, key, prop);
      const type = typeOf(prop, childTitle, sections);
      const dflt = required.has(key)
        ? '**required**'
        : prop.default !== undefined
          ? code(prop.default)
          : '—';
      section.rows.push(
        `| \`${key}\` | ${cell(type)} | ${cell(dflt)} | ${cell(prop.description ?? '')} |`,
      );
      collectChildren(prop, childTitle, sections);
    }
    if (typeof obj.additionalProperties === 'object') {
      const childTitle = `${title}.<name>`;
      const type = typeOf(obj.additionalProperties, childTitle, sections);
      section.rows.push(
        `| *any name* | ${cell(type)} | — | ${cell(obj.additionalProperties.description ?? '')} |`,
      );
      collectChildren(obj.additionalProperties, childTitle, sections);
    }
  }
}

function childTitleOf(title: string, key: string, prop: JsonSchemaNode): string {
  // The three KPI categories share one item schema: one section for all.
  if (title === 'kpis') return 'kpis.<category>[]';
  const isList = alternatives(prop).some(
    (a) => a.type === 'array' && a.items !== undefined && alternatives(a.items).some(isObject),
  );
  return `${title === 'plan' ? '' : `${title}.`}${key}${isList ? '[]' : ''}`;
}

function collectChildren(
  prop: JsonSchemaNode,
  childTitle: string,
  sections: Map<string, Section>,
): void {
  for (const alt of alternatives(prop)) {
    if (alt.type === 'array' && alt.items) collect(alt.items, childTitle, sections);
    else if (isObject(alt)) collect(alt, childTitle, sections);
  }
}

/** The plan reference as Markdown (headings start at level 3). */
export function planReference(): string {
  const schema = planJsonSchema();
  const sections = new Map<string, Section>();
  collect(schema, 'plan', sections);
  const out: string[] = [];
  if (schema.description !== undefined) out.push(schema.description, '');
  out.push(
    'Shares are written `"5%"` or `0.05`; durations `30s`, `30m`, `2h`, `1d` or `1h30m`. Every key not marked **required** has the default shown. Unknown keys are errors.',
    '',
  );
  for (const s of sections.values()) {
    out.push(`### ${s.title}`, '');
    if (s.description !== undefined && s.title !== 'plan') out.push(s.description, '');
    out.push('| key | type | default | meaning |', '|---|---|---|---|', ...s.rows, '');
  }
  return out.join('\n');
}
