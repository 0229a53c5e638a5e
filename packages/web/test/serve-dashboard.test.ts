/**
 * The server hosts the built dashboard at `/`: index.html for every page path
 * (client routes), hashed assets cached for a year, a strict CSP, and API paths
 * untouched (their 404s keep the JSON error shape). The bundle ships no zod.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, startFixture } from './support/dashboard-fixture.js';
import type { Fixture } from './support/dashboard-fixture.js';

const ASSETS = fileURLToPath(new URL('../dist-app/assets/', import.meta.url));
const CORE = fileURLToPath(new URL('../../core/src/index.ts', import.meta.url));

/** zod's own names survive minification: its classes are built from these strings. */
const ZOD = /\$ZodType|\b_zod\b/;

/** A minified, tree-shaken bundle of `code` importing @threshold/core from its sources. */
async function bundleOf(code: string): Promise<string> {
  const out = await build({
    stdin: {
      contents: code,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    alias: { '@threshold/core': CORE },
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

describe('dashboard hosting', () => {
  let fx: Fixture;
  let script = '';
  beforeAll(async () => {
    await buildDashboard();
    script = readdirSync(ASSETS).find((f) => f.endsWith('.js')) ?? '';
    fx = await startFixture();
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
  });

  it('answers index.html with a strict CSP at / and at client routes', async () => {
    for (const path of ['/', '/launches/some-launch', '/plans/checkout?version=2', '/audit']) {
      const res = await fetch(fx.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(await res.text()).toContain(`/assets/${script}`);
    }
  });

  it('serves hashed assets gzipped with a year of cache, and 404s unknown ones as JSON', async () => {
    const res = await fetch(`${fx.url}/assets/${script}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect((await res.text()).length).toBeGreaterThan(1000);
    const missing = await fetch(`${fx.url}/assets/nope.js`);
    expect(missing.status).toBe(404);
    const traversal = await fetch(`${fx.url}/assets/..%2F..%2Fpackage.json`);
    expect(traversal.status).toBe(404);
  });

  it('leaves API paths to the API', async () => {
    const res = await fetch(`${fx.url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const who = await fetch(`${fx.url}/api/v1/whoami`);
    expect(who.status).toBe(401);
    const token = await fx.token('vera', ['viewer', 'approver:product']);
    const me = await fetch(`${fx.url}/api/v1/whoami`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await me.json()).toEqual({
      name: 'vera',
      subject: null,
      via: 'token',
      scopes: ['viewer', 'approver:product'],
    });
  });

  it("ships no zod: plans are put in words by core's zod-free modules", async () => {
    const js = readdirSync(ASSETS)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(ASSETS, f), 'utf8'))
      .join('\n');
    // The words are in the bundle (guardInWords' phrasing), and zod is not.
    expect(js).toContain('hard limit');
    expect(js).toContain('burn-rate windows');
    expect(js).not.toMatch(ZOD);
    // The check can fail: importing the plan schema's vocabulary from core drags zod in.
    expect(
      await bundleOf(
        "import { KPI_CATEGORIES } from '@threshold/core'; console.log(KPI_CATEGORIES);",
      ),
    ).toMatch(ZOD);
    expect(
      await bundleOf(
        "import { guardInWords, actionsInWords, kindInWords } from '@threshold/core'; console.log(guardInWords, actionsInWords, kindInWords);",
      ),
    ).not.toMatch(ZOD);
  });

  it('ships at most 300 kB of gzipped JavaScript', async () => {
    const { gzipSync } = await import('node:zlib');
    const { readFileSync } = await import('node:fs');
    const total = readdirSync(ASSETS)
      .filter((f) => f.endsWith('.js'))
      .reduce((sum, f) => sum + gzipSync(readFileSync(join(ASSETS, f)), { level: 9 }).length, 0);
    console.log(`dashboard JavaScript: ${(total / 1000).toFixed(1)} kB gzipped`);
    expect(total).toBeLessThanOrEqual(300_000);
  });
});
