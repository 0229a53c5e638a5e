import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'threshold-cli-property-'));

// Text that looks like plans: YAML punctuation, plan keys and values mixed with noise.
const planish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'launch: x\n',
        'owner: web\n',
        'phases:\n',
        '  - ',
        '{ name: a, traffic: 1% }\n',
        'traffic: 100%\n',
        'kpis:\n',
        '  operational-health:\n',
        'guard: { max_increase: 10% }\n',
        'kind: quantile\n',
        'signoff: { roles: { sre: 0 } }\n',
        '&a ',
        '*a',
        '[',
        ']',
        '{',
        '}',
        ':',
        '- ',
        '"',
        "'",
        '#',
        '\t',
        '\n',
        '  ',
        '%',
        '!!binary ',
        '---\n',
        '...\n',
      ),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('property: validate never throws', () => {
  it('returns 0 or 1 for arbitrary file contents, with output only in the documented forms', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), planish), async (text) => {
        const file = `p${n++}.yaml`;
        writeFileSync(join(tmp, file), text);
        const run = await runCli(['validate', file], tmp);
        expect([0, 1]).toContain(run.code);
        for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
          expect(line).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: `));
        }
        expect(run.stderr).toMatch(/^[✓✗] .*\n$/);
        const json = await runCli(['validate', '--json', file], tmp);
        expect(json.code).toBe(run.code);
        expect((JSON.parse(json.stdout) as { valid: boolean }).valid).toBe(run.code === 0);
      }),
      { numRuns: 200 },
    );
  });
});
