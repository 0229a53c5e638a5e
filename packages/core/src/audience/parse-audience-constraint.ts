import {
  ATTRIBUTE_PATTERN,
  AUDIENCE_OPERATORS,
  checkAudienceConstraint,
  isAudienceOperator,
  operatorExample,
  operatorShape,
} from './audience-constraint.js';
import type { AudienceConstraint, AudienceOperator, AudienceValue } from './audience-constraint.js';
import { editDistance } from '../text/did-you-mean.js';
import { BARE_STOP, bareValue } from './value-syntax.js';

/** The outcome of parsing one constraint: the constraint, or a message for the plan's author. */
export type ParseAudienceResult =
  { ok: true; constraint: AudienceConstraint } | { ok: false; message: string };

const FORM =
  'expected `<attribute> <operator> <value>`, like `country in [NL, SE]` or `age gte 18`';

const ALIASES: Readonly<Record<string, AudienceOperator>> = {
  '=': 'eq',
  '==': 'eq',
  '===': 'eq',
  '!=': 'ne',
  '!==': 'ne',
  '<>': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  is: 'eq',
  equals: 'eq',
  neq: 'ne',
  includes: 'contains',
};

type Scan = { ok: true; value: AudienceValue; end: number } | { ok: false; message: string };

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function suggestOperator(word: string, nextWord: string): AudienceOperator | undefined {
  const joined = `${word}_${nextWord}`.toLowerCase();
  if (isAudienceOperator(joined)) return joined;
  const lower = word.toLowerCase();
  if (Object.hasOwn(ALIASES, lower)) return ALIASES[lower];
  const squashed = word.toLowerCase().replace(/[-_\s]/g, '');
  const same = AUDIENCE_OPERATORS.find((op) => op.replace(/_/g, '') === squashed);
  if (same !== undefined) return same;
  let best: AudienceOperator | undefined;
  let bestDistance = 3;
  for (const op of AUDIENCE_OPERATORS) {
    const d = editDistance(word.toLowerCase(), op);
    if (d < bestDistance && d < op.length) {
      best = op;
      bestDistance = d;
    }
  }
  return best;
}

function skipSpace(s: string, pos: number): number {
  while (pos < s.length && /\s/.test(s.charAt(pos))) pos++;
  return pos;
}

function scanValue(s: string, pos: number): Scan {
  const quote = s.charAt(pos);
  if (quote === "'") {
    const close = s.indexOf("'", pos + 1);
    if (close < 0) return fail(`missing closing ' in ${s.slice(pos)}`);
    return { ok: true, value: s.slice(pos + 1, close), end: close + 1 };
  }
  if (quote === '"') {
    let close = pos + 1;
    while (close < s.length && s.charAt(close) !== '"') close += s.charAt(close) === '\\' ? 2 : 1;
    if (close >= s.length) return fail(`missing closing " in ${s.slice(pos)}`);
    const literal = s.slice(pos, close + 1);
    try {
      return { ok: true, value: JSON.parse(literal) as string, end: close + 1 };
    } catch {
      return fail(
        `cannot read ${literal}: inside "double quotes" write \\\\ for a backslash and \\" for a quote, or use 'single quotes' to take text exactly as written`,
      );
    }
  }
  let end = pos;
  while (end < s.length && !BARE_STOP.test(s.charAt(end))) end++;
  if (end === pos) {
    const found = pos < s.length ? `'${s.charAt(pos)}'` : 'the end';
    return fail(`expected a value but found ${found}`);
  }
  return { ok: true, value: bareValue(s.slice(pos, end)), end };
}

function describe(value: AudienceValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function parseList(op: AudienceOperator, rest: string): AudienceValue[] | { message: string } {
  const example = operatorExample(op);
  if (!rest.startsWith('['))
    return { message: `'${op}' needs a list like [NL, SE], as in \`${example}\`` };
  const values: AudienceValue[] = [];
  let pos = skipSpace(rest, 1);
  if (rest.charAt(pos) === ']') {
    return { message: `'${op}' needs at least one value in its list, like \`${example}\`` };
  }
  for (;;) {
    const scan = scanValue(rest, pos);
    if (!scan.ok) {
      return { message: pos >= rest.length ? `the list is missing its closing ']'` : scan.message };
    }
    values.push(scan.value);
    pos = skipSpace(rest, scan.end);
    const next = rest.charAt(pos);
    if (next === ']') break;
    if (next === '') return { message: `the list is missing its closing ']'` };
    if (next !== ',') {
      return {
        message: `expected ',' or ']' after ${describe(scan.value)} in the list, found '${next}' (quote text that has spaces, like "New York")`,
      };
    }
    pos = skipSpace(rest, pos + 1);
  }
  const trailing = rest.slice(pos + 1).trim();
  if (trailing !== '') return { message: `unexpected '${trailing}' after the list` };
  return values;
}

function parseSingle(op: AudienceOperator, rest: string): AudienceValue | { message: string } {
  const example = operatorExample(op);
  if (rest === '') return { message: `'${op}' needs a value, like \`${example}\`` };
  if (rest.startsWith('[')) {
    return { message: `'${op}' takes one value, not a list (use 'in' for several values)` };
  }
  const scan = scanValue(rest, 0);
  if (!scan.ok) return { message: scan.message };
  const trailing = rest.slice(scan.end).trim();
  if (trailing !== '') {
    return {
      message: `unexpected '${trailing}' after the value ${describe(scan.value)} (quote text that has spaces, like "${rest}")`,
    };
  }
  return scan.value;
}

/** Parse the plan's text form, e.g. `country in [NL, SE]`, `email ends_with @example.com`, `age gte 18`, `beta eq true`, `email exists`. */
export function parseAudienceConstraint(text: string): ParseAudienceResult {
  if (typeof text !== 'string') return fail(`an audience constraint must be text; ${FORM}`);
  const trimmed = text.trim();
  if (trimmed === '') return fail(`empty audience constraint: ${FORM}`);
  const head = /^(\S+)\s*/.exec(trimmed);
  const attribute = head?.[1] ?? '';
  if (!ATTRIBUTE_PATTERN.test(attribute)) {
    if (/[=<>!]/.test(attribute)) {
      return fail(
        `put spaces around the operator and use its name, like \`age gte 18\` (in '${trimmed}')`,
      );
    }
    return fail(
      `invalid attribute name '${attribute}': use letters, digits, '_', '.' or '-', starting with a letter or '_'`,
    );
  }
  const afterAttribute = trimmed.slice(head?.[0].length ?? 0);
  if (afterAttribute === '') return fail(`'${attribute}' has no operator: ${FORM}`);
  const opMatch = /^[^\s[\]"',]+/.exec(afterAttribute);
  const word = opMatch?.[0] ?? '';
  if (word === '') return fail(`'${attribute}' has no operator: ${FORM}`);
  const rest = afterAttribute.slice(word.length).trim();
  if (!isAudienceOperator(word)) {
    const suggestion = suggestOperator(word, /^\S*/.exec(rest)?.[0] ?? '');
    return fail(
      suggestion === undefined
        ? `unknown operator '${word}' (expected one of: ${AUDIENCE_OPERATORS.join(', ')})`
        : `unknown operator '${word}' (did you mean '${suggestion}'?)`,
    );
  }
  const op = word;
  const shape = operatorShape(op);
  let values: AudienceValue[];
  if (shape === 'none') {
    if (rest !== '') return fail(`'${op}' takes no value, like \`${operatorExample(op)}\``);
    values = [];
  } else if (shape === 'list') {
    const list = parseList(op, rest);
    if (!Array.isArray(list)) return fail(list.message);
    values = list;
  } else {
    const single = parseSingle(op, rest);
    if (typeof single === 'object') return fail(single.message);
    values = [single];
  }
  const constraint: AudienceConstraint = { attribute, op, values };
  const problem = checkAudienceConstraint(constraint);
  return problem === undefined ? { ok: true, constraint } : fail(problem);
}
