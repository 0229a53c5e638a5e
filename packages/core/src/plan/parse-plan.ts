/** Read a plan from YAML text: every problem at once, each pointing at its node; never throws. */
import { Composer, LineCounter, Parser, YAMLParseError, isMap, isScalar, isSeq } from 'yaml';
import type { CST, Document, Pair, YAMLMap, Node as YamlNode } from 'yaml';
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
  | { valid: true; plan: Plan; errors: []; omittedErrors: 0 }
  | {
      valid: false;
      plan?: undefined;
      /** The first MAX_REPORTED_ERRORS problems, in source order. */
      errors: PlanError[];
      /** How many further problems were found but not listed. */
      omittedErrors: number;
    };

/** Options for parsePlan. */
export interface ParsePlanOptions {
  /** Name used in error locations (default "plan.yaml"). */
  file?: string;
}

// Guards against "billion laughs" documents; real plans use a handful of aliases.
const MAX_ALIAS_COUNT = 100;

/** At most this many problems are listed; the rest are only counted (the first ones are the useful ones). */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Collections may nest this deep; a real plan nests about six levels. yaml
 * composes nodes recursively, so deeper input is refused before composing
 * rather than left to overflow the stack at a depth that varies between runs.
 */
export const MAX_PLAN_DEPTH = 64;

/** Parse and validate a launch plan written in YAML. */
export function parsePlan(source: string, options: ParsePlanOptions = {}): PlanParseResult {
  const file = options.file ?? 'plan.yaml';
  try {
    return parseUnsafe(source, file);
  } catch (e) {
    // The parser and schema are meant to turn every input into errors; this is
    // the last line of defence so that a bug still yields an error, not a crash.
    const message = e instanceof Error ? e.message : String(e);
    return invalid([
      { file, line: 1, col: 1, path: '', message: `could not read the plan: ${message}` },
    ]);
  }
}

/** An invalid result listing the first MAX_REPORTED_ERRORS of `errors` (already in order). */
function invalid(errors: PlanError[]): PlanParseResult {
  const listed =
    errors.length > MAX_REPORTED_ERRORS ? errors.slice(0, MAX_REPORTED_ERRORS) : errors;
  return { valid: false, errors: listed, omittedErrors: errors.length - listed.length };
}

function parseUnsafe(source: string, file: string): PlanParseResult {
  const lines = new LineCounter();
  const at = (offset: number) => {
    const pos = lines.linePos(Math.max(0, Math.min(offset, source.length)));
    return { line: pos.line, col: pos.col };
  };
  // The CST parser works with an explicit stack, so any depth is safe to tokenize.
  const tokens = [...new Parser(lines.addNewLine).parse(source)];
  const tooDeep = firstTooDeep(tokens, MAX_PLAN_DEPTH);
  if (tooDeep !== undefined) {
    return invalid([
      {
        file,
        ...at(tooDeep),
        path: '',
        message: `the plan nests deeper than ${MAX_PLAN_DEPTH} levels`,
      },
    ]);
  }
  const doc = composeOne(tokens, source.length);
  if (doc === undefined)
    return invalid([{ file, line: 1, col: 1, path: '', message: 'the plan is empty' }]);

  if (doc.errors.length > 0) {
    return invalid(
      doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: yamlMessage(e.message) })),
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return invalid([{ file, line: 1, col: 1, path: '', message: 'the plan is empty' }]);
  }
  if (!isMap(doc.contents)) {
    return invalid([
      {
        file,
        ...at(doc.contents.range[0]),
        path: '',
        message: 'a plan is a mapping of keys (launch, phases, kpis, ...)',
      },
    ]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return invalid([{ file, line: 1, col: 1, path: '', message: `invalid YAML: ${message}` }]);
  }

  const issues: PlanIssue[] = [];
  const result = planSchema.safeParse(raw);
  // Loops, not spreads: a hostile plan yields hundreds of thousands of issues,
  // more than a spread may pass as arguments.
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const one of renderIssue(issue, raw, allowedKeysAt)) issues.push(one);
    }
  }
  for (const one of checkPlanSemantics(raw)) issues.push(one);

  if (issues.length === 0 && result.success) {
    return { valid: true, plan: result.data, errors: [], omittedErrors: 0 };
  }

  const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  const located = issues.map((issue, i) => ({ issue, offset: offsetOf(doc, issue, keyIndex), i }));
  located.sort((a, b) => a.offset - b.offset || a.i - b.i);
  const seen = new Set<string>();
  const unique: typeof located = [];
  for (const one of located) {
    const key = `${one.offset}:${one.issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(one);
  }
  const listed = unique.slice(0, MAX_REPORTED_ERRORS);
  return {
    valid: false,
    errors: listed.map(({ issue, offset }) => ({
      file,
      ...at(offset),
      path: formatPlanPath(issue.path),
      message: issue.message,
    })),
    omittedErrors: unique.length - listed.length,
  };
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
  const tokens = [...new Parser(lines.addNewLine).parse(source)];
  // Only ever called on plans parsePlan accepted, but never let depth recurse.
  if (firstTooDeep(tokens, MAX_PLAN_DEPTH) !== undefined) return { line: 1, col: 1 };
  const doc = composeOne(tokens, source.length);
  if (doc === undefined) return { line: 1, col: 1 };
  const pos = lines.linePos(offsetOf(doc, { path, message: '' }, new WeakMap()));
  return { line: pos.line, col: pos.col };
}

/** Source offset of the node an issue is about: the deepest node on its path that exists. */
function offsetOf(
  doc: Document,
  issue: PlanIssue,
  keyIndex: WeakMap<YAMLMap, Map<string, Pair>>,
): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (let i = 0; i < issue.path.length; i++) {
    const seg = issue.path[i];
    if (isMap(node)) {
      const pair = pairFor(node, String(seg), keyIndex);
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

/** The pair of `key` in a map, through an index built once per map (a map may hold 100,000s of keys). */
function pairFor(
  map: YAMLMap,
  key: string,
  keyIndex: WeakMap<YAMLMap, Map<string, Pair>>,
): Pair | undefined {
  let index = keyIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      // The first pair wins, as find() did; duplicates are a YAML error anyway.
      if (k !== undefined && !index.has(k)) index.set(k, pair as Pair);
    }
    keyIndex.set(map, index);
  }
  return index.get(key);
}

/** The first document of the token stream; later documents are an error, as in parseDocument. */
function composeOne(tokens: readonly CST.Token[], length: number): Document.Parsed | undefined {
  // yaml's own duplicate-key check compares each key with every earlier one
  // (quadratic: minutes for a map of 40,000 keys); duplicateKeyErrors does it in one pass.
  const composer = new Composer({ uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc === undefined) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  if (doc !== undefined) {
    for (const e of duplicateKeyErrors(doc)) doc.errors.push(e);
    doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return doc;
}

/** "Map keys must be unique" for each repeated scalar key, as yaml's uniqueKeys reports it. */
function duplicateKeyErrors(doc: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  const stack: unknown[] = [doc.contents];
  for (let node = stack.pop(); stack.length > 0 || node !== undefined; node = stack.pop()) {
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        stack.push(pair.key, pair.value);
        if (!isScalar(pair.key)) continue;
        const value: unknown = pair.key.value;
        if (keys.has(value)) {
          const start = pair.key.range?.[0] ?? 0;
          errors.push(
            new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'),
          );
        } else keys.add(value);
      }
    }
  }
  return errors;
}

/**
 * Source offset of the first collection nested deeper than `limit`, or
 * undefined. Walks the CST with an explicit stack, so depth costs no recursion.
 */
function firstTooDeep(tokens: readonly CST.Token[], limit: number): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  let first: number | undefined;
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    if (token.type === 'document') {
      if (token.value !== undefined) stack.push([token.value, depth]);
      continue;
    }
    if (
      token.type !== 'block-map' &&
      token.type !== 'block-seq' &&
      token.type !== 'flow-collection'
    ) {
      continue;
    }
    if (depth >= limit) {
      if (first === undefined || token.offset < first) first = token.offset;
      continue;
    }
    for (const item of token.items) {
      if ('key' in item && item.key != null) stack.push([item.key, depth + 1]);
      if (item.value !== undefined) stack.push([item.value, depth + 1]);
    }
  }
  return first;
}

/** yaml's messages sometimes end with a location we print ourselves. */
function yamlMessage(message: string): string {
  return `invalid YAML: ${message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim()}`;
}
