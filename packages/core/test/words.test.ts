/** Plans in words: the one phrasing, and the promise that makes it safe for the browser (no zod). */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  actionInWords,
  actionsInWords,
  guardInWords,
  insufficientInWords,
  kindInWords,
  quantileLabel,
  sourceInWords,
} from '@threshold/core';

const WORDS = fileURLToPath(new URL('../src/words/', import.meta.url));

/** Relative modules a file imports as values (`import type` is erased and ships nothing). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    out.push(m[1] ?? '');
  }
  return out;
}

/** Every module reachable from `file` by value imports, with the bare packages they name. */
function reachable(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specs = valueImports(file);
  seen.set(file, specs);
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    reachable(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

describe('plans in words', () => {
  it('says guards, actions and kinds the way plan explain prints them', () => {
    expect(guardInWords({ compare: { bad: 'decrease', margin: 0.2, relative: false } })).toBe(
      'treatment ≥ control − 0.2 (absolute)',
    );
    expect(actionsInWords([{ type: 'rollback' }, { type: 'notify', to: ['search-oncall'] }])).toBe(
      'rollback + notify search-oncall',
    );
    expect(actionsInWords([])).toBe('nothing');
    expect(actionInWords({ type: 'notify', to: [] })).toBe('notify the owner');
    expect(actionInWords({ type: 'wait' })).toBe('wait');
    expect(insufficientInWords({ type: 'ask', roles: ['product', 'sre'] })).toBe(
      'ask product, sre',
    );
    expect(kindInWords({ kind: 'quantile', q: 0.999 })).toBe('quantile p99.9');
    expect(quantileLabel(0.95)).toBe('p95');
    expect(sourceInWords({ source: 'events', event: 'purchase' })).toBe('events: purchase');
  });

  it('imports nothing that imports zod, so the dashboard can bundle it', () => {
    const files = readdirSync(WORDS).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    const graph = new Map<string, string[]>();
    for (const f of files) reachable(join(WORDS, f), graph);
    const packages = [...graph.values()].flat().filter((s) => !s.startsWith('.'));
    expect(packages).toEqual([]);
    // The walk itself works: the plan schema, one step away from the words, does import zod.
    const schema = reachable(fileURLToPath(new URL('../src/plan/kpi-schema.ts', import.meta.url)));
    expect([...schema.values()].flat()).toContain('zod');
  });
});
