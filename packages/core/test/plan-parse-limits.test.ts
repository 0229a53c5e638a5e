import { describe, expect, it } from 'vitest';
import { MAX_PLAN_DEPTH, MAX_REPORTED_ERRORS, parsePlan } from '../src/index.js';

/** A 1 MiB plan of tiny wrong entries: `- 0` lines under phases. */
function manyWrongPhases(bytes: number): string {
  return `launch: x\nowner: y\nphases:\n${'- 0\n'.repeat(Math.floor(bytes / 4))}`;
}

/** `depth` flow sequences nested under `phases`. */
const deepFlow = (depth: number) => `launch: x\nphases: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;

/** `depth` block mappings, each indented one more space. */
function deepBlock(depth: number): string {
  let out = '';
  for (let i = 0; i < depth; i++) out += `${' '.repeat(i)}a:\n`;
  return out;
}

/** Call `f` under `frames` extra stack frames, to show a result does not depend on stack left. */
function underFrames<T>(frames: number, f: () => T): T {
  return frames === 0 ? f() : underFrames(frames - 1, f);
}

describe('parsePlan: bounded output', () => {
  it('lists the first MAX_REPORTED_ERRORS problems in source order and counts the rest', () => {
    const r = parsePlan(manyWrongPhases(1 << 20));
    expect(r.valid).toBe(false);
    expect(r.errors).toHaveLength(MAX_REPORTED_ERRORS);
    // Every `- 0` is one wrong entry; "missing kpis" is one more.
    expect(r.errors.length + r.omittedErrors).toBe((1 << 20) / 4 + 1);
    const positions = r.errors.map((e) => e.line * 1e7 + e.col);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(r.errors[1]).toMatchObject({ line: 4, col: 3, path: 'phases[0]' });
  });

  it('reads a mapping of 100,000 unknown keys in linear time (no per-key scan of the map)', () => {
    let source = 'launch: x\n';
    for (let i = 0; i < 100_000; i++) source += `k${i.toString(36)}: 0\n`;
    const r = parsePlan(source);
    expect(r.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(r.errors[0]?.message).toBe("missing required key 'owner'");
    expect(r.errors.filter((e) => e.message.startsWith('unknown key')).length).toBeGreaterThan(90);
    expect(r.omittedErrors).toBeGreaterThan(99_000);
  }, 30_000);

  it('still reports duplicate keys, at the repeated key, in flow and block maps', () => {
    const r = parsePlan('launch: a\nowner: b\nlaunch: c\nx: { y: 1, y: 2 }\n', { file: 'p.yaml' });
    expect(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).toEqual([
      '3:1: invalid YAML: Map keys must be unique',
      '4:12: invalid YAML: Map keys must be unique',
    ]);
  });

  it('gives a valid result omittedErrors 0', () => {
    const r = parsePlan(
      'launch: t\nowner: w\nphases:\n  - { name: full, traffic: 100% }\nkpis:\n  operational-health:\n    - { name: e, kind: occurrence, event: e, guard: { max: 0.05 } }\n',
    );
    expect(r).toMatchObject({ valid: true, omittedErrors: 0 });
  });
});

describe('parsePlan: nesting depth from input', () => {
  it.each([
    ['flow sequences', deepFlow(780), 2, 72],
    ['flow sequences, 100,000 deep', deepFlow(100_000), 2, 72],
    ['block mappings', deepBlock(780), MAX_PLAN_DEPTH + 1, MAX_PLAN_DEPTH + 1],
  ])('refuses %s past the limit with one error at a fixed line:col', (_, source, line, col) => {
    const results = [0, 2000, 5000].map((frames) => underFrames(frames, () => parsePlan(source)));
    for (const r of results) {
      expect(r.errors).toEqual([
        {
          file: 'plan.yaml',
          line,
          col,
          path: '',
          message: `the plan nests deeper than ${MAX_PLAN_DEPTH} levels`,
        },
      ]);
    }
  });

  it('accepts nesting up to the limit (the plan as a whole counts as the first level)', () => {
    const r = parsePlan(deepFlow(MAX_PLAN_DEPTH - 1));
    expect(r.errors.some((e) => e.message.includes('nests deeper'))).toBe(false);
    const over = parsePlan(deepFlow(MAX_PLAN_DEPTH));
    expect(over.errors.map((e) => e.message)).toEqual([
      `the plan nests deeper than ${MAX_PLAN_DEPTH} levels`,
    ]);
  });
});
