/** Turn zod issues into plain messages that name what is wrong and what would be right. */
import type { z } from 'zod';
import { didYouMeanSuffix } from '../text/did-you-mean.js';
import type { PlanPath } from './plan-error.js';

/** A validation problem before it is given a position. */
export interface PlanIssue {
  path: PlanPath;
  message: string;
  /** Point at the key of the last path segment rather than its value (unknown keys). */
  atKey?: boolean;
}

type ZodIssue = z.core.$ZodIssue;

/** Value at a path in plain data, or undefined. */
export function valueAt(root: unknown, path: PlanPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Whether the last key of a path exists in its parent object. */
function present(root: unknown, path: PlanPath): boolean {
  if (path.length === 0) return root !== undefined;
  const parent = valueAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  return parent !== null && typeof parent === 'object' && key !== undefined && key in parent;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

// zod's built-in messages start like this; anything else was written by us.
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized key|Expected)/;

/** Render one zod issue (recursing into unions) as plan issues. */
export function renderIssue(
  issue: ZodIssue,
  root: unknown,
  allowedKeys: (path: PlanPath) => string[],
  base: PlanPath = [],
): PlanIssue[] {
  const path: PlanPath = [...base, ...(issue.path as (string | number)[])];
  const value = valueAt(root, path);
  const key = path[path.length - 1];
  // Whatever the expected shape, an absent key is reported as missing.
  if (typeof key === 'string' && value === undefined && issue.code !== 'unrecognized_keys') {
    const parent = valueAt(root, path.slice(0, -1));
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
      return [{ path: path.slice(0, -1), message: `missing required key '${key}'` }];
    }
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: `unknown key '${key}'${didYouMeanSuffix(key, allowed)}`,
      }));
    }
    case 'invalid_union':
      return renderUnion(issue, root, allowedKeys, path);
    case 'invalid_type': {
      if (!present(root, path) || value === undefined) return [{ path, message: 'is required' }];
      if (!ZOD_DEFAULT.test(issue.message)) return [{ path, message: issue.message }];
      return [
        {
          path,
          message: `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${describe(value)})`,
        },
      ];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const hint = typeof value === 'string' ? didYouMeanSuffix(value, options) : '';
      return [
        { path, message: `must be one of: ${options.join(', ')} (got ${describe(value)})${hint}` },
      ];
    }
    case 'too_small': {
      if (!ZOD_DEFAULT.test(issue.message)) return [{ path, message: issue.message }];
      const min = Number(issue.minimum);
      if (issue.origin === 'array')
        return [{ path, message: `needs at least ${min} item${min === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path, message: 'must not be empty' }];
      return [
        {
          path,
          message: `must be ${issue.inclusive ? 'at least' : 'more than'} ${min} (got ${describe(value)})`,
        },
      ];
    }
    case 'too_big': {
      if (!ZOD_DEFAULT.test(issue.message)) return [{ path, message: issue.message }];
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return [{ path, message: `allows at most ${max} items` }];
      if (issue.origin === 'string')
        return [{ path, message: `must be at most ${max} characters` }];
      return [
        {
          path,
          message: `must be ${issue.inclusive ? 'at most' : 'less than'} ${max} (got ${describe(value)})`,
        },
      ];
    }
    case 'invalid_format':
      if (!ZOD_DEFAULT.test(issue.message)) return [{ path, message: issue.message }];
      return [
        {
          path,
          message: `must be a valid ${issue.format === 'url' ? 'URL' : issue.format} (got ${describe(value)})`,
        },
      ];
    case 'invalid_key':
      return issue.issues.flatMap((i) =>
        renderIssue(i, root, allowedKeys, path).map((r) => ({
          ...r,
          path: r.path.length > path.length ? r.path : path,
        })),
      );
    case 'invalid_element':
      return issue.issues.flatMap((i) =>
        renderIssue(i, root, allowedKeys, [...path, issue.key as string]),
      );
    default:
      return [{ path, message: issue.message }];
  }
}

function depth(issues: readonly ZodIssue[]): number {
  let d = 0;
  for (const i of issues) {
    const own = i.path.length;
    d = Math.max(d, i.code === 'invalid_union' ? own + Math.max(0, ...i.errors.map(depth)) : own);
  }
  return d;
}

/**
 * A union failed in every branch. The branch that got furthest into the input
 * is the one the author meant; when none got anywhere, list what would fit.
 */
function renderUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  root: unknown,
  allowedKeys: (path: PlanPath) => string[],
  path: PlanPath,
): PlanIssue[] {
  if (!ZOD_DEFAULT.test(issue.message)) return [{ path, message: issue.message }];
  const value = valueAt(root, path);
  const branches = issue.errors.filter((b) => b.length > 0);
  // A branch whose only complaint is the input's type did not match the author's intent.
  const typed = branches.filter(
    (b) => !(b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0),
  );
  const scored = typed.map((b) => ({ b, d: depth(b) })).sort((x, y) => y.d - x.d);
  const best = scored[0];
  if (best !== undefined && (best.d > 0 || scored.length === 1 || scored[1]?.d !== best.d)) {
    return best.b.flatMap((i) => renderIssue(i, root, allowedKeys, path));
  }
  // Several branches fit the type equally: string words vs. single-key mappings.
  const words = typed.flatMap((b) =>
    b.flatMap((i) => (i.code === 'invalid_value' ? i.values.map(String) : [])),
  );
  if (typeof value === 'string' && words.length > 0) {
    return [
      {
        path,
        message: `must be one of: ${words.join(', ')} (got ${describe(value)})${didYouMeanSuffix(value, words)}`,
      },
    ];
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = allowedKeys(path);
    const first = Object.keys(value)[0];
    if (first !== undefined && keys.length > 0 && !keys.includes(first)) {
      return [
        {
          path: [...path, first],
          atKey: true,
          message: `unknown key '${first}'${didYouMeanSuffix(first, keys)} (expected one of: ${keys.join(', ')})`,
        },
      ];
    }
  }
  const kinds = issue.errors.flatMap((b) =>
    b
      .filter((i) => i.path.length === 0 && i.code === 'invalid_type')
      .map(
        (i) =>
          EXPECTED[(i as { expected: string }).expected] ?? (i as { expected: string }).expected,
      ),
  );
  if (kinds.length === issue.errors.length && kinds.length > 0) {
    return [
      { path, message: `must be ${[...new Set(kinds)].join(' or ')} (got ${describe(value)})` },
    ];
  }
  return (best?.b ?? issue.errors[0] ?? []).flatMap((i) => renderIssue(i, root, allowedKeys, path));
}
