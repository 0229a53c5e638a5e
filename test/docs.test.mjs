// The README's references are generated from their sources of truth; this
// test fails when someone edits one side only. Fix with `npm run docs`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planReference } from '@threshold/core';
import { cliReference, renderReadme } from '../scripts/update-docs.mjs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('plan and CLI references match the code (run `npm run docs` to update)', () => {
    const expected = renderReadme(readme, {
      'plan-reference': planReference(),
      'cli-reference': cliReference(),
    });
    expect(readme).toBe(expected);
  });

  it('quick start is exactly the two commands', () => {
    const quick = readme.split('## Quick start')[1]?.split('```')[1];
    expect(quick?.trim().split('\n')).toEqual(['sh', 'npm install && npm start', 'npm test']);
  });
});
