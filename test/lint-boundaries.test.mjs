// The architecture rules live in eslint.config.js; this proves they fire, so
// a config change cannot silently switch them off.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function problems(filePath, code) {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'no Node API'],
    ["import path from 'path';", 'no Node API'],
    ["import { createClient } from '@threshold/sdk';", 'core imports no workspace package'],
  ])('core refuses %s', async (line, reason) => {
    const out = await problems('packages/core/src/x.ts', `${line}\nexport const x = 1;\n`);
    expect(out.join('\n')).toContain(reason);
  });

  it.each(['process', 'document', 'window', 'fetch', 'setTimeout', 'Buffer'])(
    'core refuses the global %s',
    async (name) => {
      const out = await problems('packages/core/src/x.ts', `export const x = () => ${name};\n`);
      expect(out.join('\n')).toContain('core is pure');
    },
  );

  it("no package imports another's src", async () => {
    for (const spec of ['../../core/src/index.js', '@threshold/core/src/index.js']) {
      const out = await problems(
        'packages/sdk/src/x.ts',
        `import { a } from '${spec}';\nexport const x = a;\n`,
      );
      expect(out.join('\n')).toMatch(/entry point|another package's src/);
    }
  });

  it('the SDK stays browser-safe', async () => {
    const out = await problems(
      'packages/sdk/src/x.ts',
      "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
    );
    expect(out.join('\n')).toContain('browsers too');
  });

  it('allowed imports pass', async () => {
    expect(
      await problems(
        'packages/sdk/src/x.ts',
        "import { bucketOf } from '@threshold/core';\nexport const x = bucketOf;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'packages/cli/src/x.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'packages/core/test/x.test.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
    ).toEqual([]);
  });
});
