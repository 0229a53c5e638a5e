/** Bundles the SDK sources with esbuild (tests only), so child processes and browsers run today's code. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const src = (p: string): string =>
  fileURLToPath(new URL(`../../../${p}/src/index.ts`, import.meta.url));

/** Writes the bundle to a fresh temp dir and returns its path. */
export async function bundleSdk(format: 'esm' | 'iife'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-sdk-'));
  const outfile = join(dir, format === 'esm' ? 'sdk.mjs' : 'sdk.js');
  await build({
    entryPoints: [src('sdk')],
    bundle: true,
    format,
    globalName: format === 'iife' ? 'Threshold' : undefined,
    platform: format === 'esm' ? 'neutral' : 'browser',
    mainFields: ['module', 'main'],
    target: 'es2022',
    alias: { '@threshold/core': src('core') },
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}
