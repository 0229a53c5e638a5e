// Golden vectors for plan parsing errors: every broken example plan with the
// exact structured errors (line, col, path, message) any implementation of the
// plan format must report. Regenerate after an intended change with
// UPDATE_VECTORS=1 npx vitest run packages/core/test/plan-error-vectors.test.ts
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../src/index.js';

const examples = new URL('../../../examples/invalid/', import.meta.url);
const vectorsFile = new URL('./vectors/plan-errors.json', import.meta.url);

interface Vector {
  name: string;
  source: string;
  errors: { line: number; col: number; path: string; message: string }[];
}

function compute(): Vector[] {
  return readdirSync(examples)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const source = readFileSync(new URL(name, examples), 'utf8');
      const r = parsePlan(source, { file: name });
      return {
        name,
        source,
        errors: r.errors.map(({ line, col, path, message }) => ({ line, col, path, message })),
      };
    });
}

if (process.env['UPDATE_VECTORS'] === '1') {
  const doc = {
    description:
      'Plan parsing errors: for each source, the exact errors (1-based line and column of the offending YAML node, path, message) in order. Generated from examples/invalid/.',
    vectors: compute(),
  };
  writeFileSync(vectorsFile, `${JSON.stringify(doc, null, 2)}\n`);
}

const golden = JSON.parse(readFileSync(vectorsFile, 'utf8')) as { vectors: Vector[] };

describe('plan error vectors', () => {
  it('cover every invalid example', () => {
    expect(golden.vectors.map((v) => v.name)).toEqual(compute().map((v) => v.name));
    expect(golden.vectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(golden.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const r = parsePlan(v.source, { file: v.name });
    expect(r.valid).toBe(false);
    expect(r.errors.map(({ line, col, path, message }) => ({ line, col, path, message }))).toEqual(
      v.errors,
    );
  });
});
