import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

// Tests run against sources: workspace imports resolve to src, not dist.
export default defineConfig({
  resolve: {
    alias: {
      '@threshold/core': src('core'),
      '@threshold/sdk': src('sdk'),
      '@threshold/server': src('server'),
      '@threshold/cli': src('cli'),
      '@threshold/web': src('web'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.mjs'],
    testTimeout: 30_000,
  },
});
