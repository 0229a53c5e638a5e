/**
 * Builds the dashboard into dist-app/, which the server hosts at `/`. Workspace
 * packages resolve to their sources (as in vitest), so the app never bundles a
 * stale dist. The size plugin prints the gzipped JavaScript shipped and fails the
 * build above the 300 kB budget of issue 8.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));
const outDir = join(here, 'dist-app');

/** The budget in bytes of gzipped JavaScript (kB = 1000 bytes). */
export const JS_BUDGET_GZIP_BYTES = 300_000;

function gzippedSize(): Plugin {
  return {
    name: 'threshold-gzipped-size',
    apply: 'build',
    closeBundle() {
      const assets = join(outDir, 'assets');
      let js = 0;
      let css = 0;
      const lines: string[] = [];
      for (const file of readdirSync(assets).sort()) {
        if (!file.endsWith('.js') && !file.endsWith('.css')) continue;
        const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length;
        if (file.endsWith('.js')) js += size;
        else css += size;
        lines.push(`  ${file.padEnd(40)} ${(size / 1000).toFixed(1).padStart(7)} kB gzip`);
      }
      const verdict = js <= JS_BUDGET_GZIP_BYTES ? 'within' : 'OVER';
      console.log(
        `\ndashboard assets:\n${lines.join('\n')}\n` +
          `JavaScript shipped: ${(js / 1000).toFixed(1)} kB gzipped (${verdict} the ${JS_BUDGET_GZIP_BYTES / 1000} kB budget); CSS ${(css / 1000).toFixed(1)} kB gzipped\n`,
      );
      if (js > JS_BUDGET_GZIP_BYTES) {
        throw new Error(`dashboard JavaScript is ${js} bytes gzipped, over the budget`);
      }
    },
  };
}

export default defineConfig({
  root: join(here, 'app'),
  base: '/',
  plugins: [react(), gzippedSize()],
  resolve: {
    alias: {
      '@threshold/core': src('core'),
      '@threshold/sdk': src('sdk'),
    },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Hashed names under assets/ are cached for a year by the server.
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // The budget that matters is the gzipped total printed below, not rollup's raw-size warning.
    chunkSizeWarningLimit: 1000,
  },
  server: { port: 4601, proxy: { '/api': 'http://127.0.0.1:4600' } },
});
