import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = (p: string): string =>
  fileURLToPath(new URL(`../../${p}/src/index.ts`, import.meta.url));

describe('browser bundle', () => {
  it('stays small: tree-shaken zod/mini, no plan parser, no OpenFeature runtime', async () => {
    const result = await build({
      entryPoints: [src('sdk')],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      alias: { '@threshold/core': src('core') },
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    expect(output).toBeDefined();
    const gz = gzipSync(output!.contents).length;
    // Modules that actually contribute bytes to the output.
    const inputs = Object.values(result.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([k]) => k),
    );
    expect(inputs.some((i) => i.includes('node_modules/yaml/'))).toBe(false);
    expect(inputs.some((i) => i.includes('node_modules/@openfeature/'))).toBe(false);
    expect(inputs.filter((i) => i.includes('/locales/')).every((i) => /\/en\.js$/.test(i))).toBe(
      true,
    );
    // About 17 KiB gzipped today; the budget leaves room to grow, not to regress to full zod (100 KiB).
    expect(gz).toBeLessThan(30 * 1024);
  });
});
