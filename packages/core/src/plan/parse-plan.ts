/** Read a plan from YAML text: every problem at once, each pointing at its node; never throws. */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { checkPlanSemantics } from './check-plan-semantics.js';
import { renderIssue } from './issue-message.js';
import type { PlanIssue } from './issue-message.js';
import type { PlanError } from './plan-error.js';
import { formatPlanPath } from './plan-error.js';
import { allowedKeysAt } from './plan-json-schema.js';
import { planSchema } from './plan-schema.js';
import type { Plan } from './plan-schema.js';

/** The outcome of reading a plan. */
export type PlanParseResult =
  { valid: true; plan: Plan; errors: [] } | { valid: false; plan?: undefined; errors: PlanError[] };

/** Options for parsePlan. */
export interface ParsePlanOptions {
  /** Name used in error locations (default "plan.yaml"). */
  file?: string;
}

// Guards against "billion laughs" documents; real plans use a handful of aliases.
const MAX_ALIAS_COUNT = 100;

/** Parse and validate a launch plan written in YAML. */
export function parsePlan(source: string, options: ParsePlanOptions = {}): PlanParseResult {
  const file = options.file ?? 'plan.yaml';
  try {
    return parseUnsafe(source, file);
  } catch (e) {
    // The parser and schema are meant to turn every input into errors; this is
    // the last line of defence so that a bug still yields an error, not a crash.
    const message = e instanceof Error ? e.message : String(e);
    return {
      valid: false,
      errors: [{ file, line: 1, col: 1, path: '', message: `could not read the plan: ${message}` }],
    };
  }
}

function parseUnsafe(source: string, file: string): PlanParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lines.linePos(Math.max(0, Math.min(offset, source.length)));
    return { line: pos.line, col: pos.col };
  };

  if (doc.errors.length > 0) {
    return {
      valid: false,
      errors: doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        path: '',
        message: yamlMessage(e.message),
      })),
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      valid: false,
      errors: [{ file, line: 1, col: 1, path: '', message: 'the plan is empty' }],
    };
  }
  if (!isMap(doc.contents)) {
    return {
      valid: false,
      errors: [
        {
          file,
          ...at(doc.contents.range[0]),
          path: '',
          message: 'a plan is a mapping of keys (launch, phases, kpis, ...)',
        },
      ],
    };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      valid: false,
      errors: [{ file, line: 1, col: 1, path: '', message: `invalid YAML: ${message}` }],
    };
  }

  const issues: PlanIssue[] = [];
  const result = planSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(...renderIssue(issue, raw, allowedKeysAt));
  }
  issues.push(...checkPlanSemantics(raw));

  if (issues.length === 0 && result.success) return { valid: true, plan: result.data, errors: [] };

  const seen = new Set<string>();
  const errors: PlanError[] = [];
  for (const issue of issues) {
    const error: PlanError = {
      file,
      ...at(offsetOf(doc, issue)),
      path: formatPlanPath(issue.path),
      message: issue.message,
    };
    const key = `${error.line}:${error.col}:${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
  }
  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return { valid: false, errors };
}

/**
 * Line and column (1-based) of the node at `path` in a plan's YAML (the deepest
 * that exists), for problems found after parsing, e.g. a metric source refusing
 * a query.
 */
export function locatePlanPath(
  source: string,
  path: readonly (string | number)[],
): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const pos = lines.linePos(offsetOf(doc, { path, message: '' }));
  return { line: pos.line, col: pos.col };
}

/** Source offset of the node an issue is about: the deepest node on its path that exists. */
function offsetOf(doc: Document, issue: PlanIssue): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (let i = 0; i < issue.path.length; i++) {
    const seg = issue.path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      const keyNode = pair.key as YamlNode;
      const last = i === issue.path.length - 1;
      // Unknown keys point at the key; a key with no value points at the key too.
      if (
        (last && issue.atKey) ||
        pair.value === null ||
        (isScalar(pair.value) && pair.value.range?.[0] === undefined)
      ) {
        offset = keyNode.range?.[0] ?? offset;
        node = pair.value;
        if (last && issue.atKey) break;
        continue;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined || item === null) break;
      node = item;
    } else break;
    const range = (node as YamlNode | null)?.range;
    if (range) offset = range[0];
  }
  return offset;
}

/** yaml's messages sometimes end with a location we print ourselves. */
function yamlMessage(message: string): string {
  return `invalid YAML: ${message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim()}`;
}
