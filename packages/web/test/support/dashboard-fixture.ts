/**
 * A real Threshold for the dashboard's browser tests: the dashboard built by
 * Vite, the server started in-process on a temp SQLite folder with its
 * controller looking every few hundred ms, tokens per person, and Debian's
 * Chromium driven by playwright-core (never a downloaded browser).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer, Scope, StartServerOptions } from '@threshold/server';
import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
const WEB = fileURLToPath(new URL('../../', import.meta.url));

/** Test files build one at a time (they share dist-app/); a lock older than 2 minutes is stale. */
const BUILD_LOCK = join(tmpdir(), 'threshold-dashboard-build.lock');

/** Newest modification time of the files a build reads (the app and the packages it bundles). */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['src', 'app', '../core/src', '../sdk/src']) walk(join(WEB, dir));
  return Math.max(newest, statSync(join(WEB, 'vite.config.ts')).mtimeMs);
}

/** Builds the dashboard into packages/web/dist-app (what the server hosts), unless it is up to date. */
export async function buildDashboard(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      const age =
        Date.now() - (statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const built = statSync(join(WEB, 'dist-app', 'index.html'), { throwIfNoEntry: false });
    if (built !== undefined && built.mtimeMs > newestSource()) return;
    // vitest sets NODE_ENV=test, which would make Vite and the React plugin build for development.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: join(WEB, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface Fixture {
  server: RunningServer;
  url: string;
  token(name: string, scopes: Scope[]): Promise<string>;
  close(): Promise<void>;
}

/** Starts the server with a fast controller on a temp folder (`options` override the defaults). */
export async function startFixture(options: Partial<StartServerOptions> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-web-'));
  const server = await startServer({
    port: 0,
    dataDir: dir,
    logger: pino({ level: 'silent' }),
    controller: { lookIntervalMs: 300, lookRecordIntervalMs: 300 },
    outbox: false,
    projectIntervalMs: 100,
    ...options,
  });
  return {
    server,
    url: server.url,
    async token(name, scopes) {
      return (await createToken(server.store, { name, scopes })).token;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON over the API with a bearer token. */
export async function api<T = Record<string, unknown>>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page that records console errors (CSP violations show up there). */
export async function openPage(
  browser: Browser,
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors, close: () => context.close() };
}

/** Where the tests save screenshots for the docs. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
