/**
 * Hosts the built dashboard (from @threshold/web's dist-app/) at `/`: hashed files
 * under /assets/ are cached for a year, every other page path answers index.html
 * (the app routes on the client), and everything carries a strict
 * Content-Security-Policy. API, SDK and operations paths are never touched, so
 * their 404s keep the JSON error shape.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_ASSETS_URL, DASHBOARD_BUILD_COMMAND } from '@threshold/web';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from '../http/app-env.js';

/**
 * Same-origin only, no inline script or style, no framing, no plugins. The app
 * talks to this origin's API (connect-src 'self') with a bearer token.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

/** Paths that belong to the API and operations, never to the dashboard. */
function isServerPath(path: string): boolean {
  return (
    path.startsWith('/api/') ||
    path === '/api' ||
    path.startsWith('/v1/') ||
    path === '/v1' ||
    path === '/metrics' ||
    path === '/healthz' ||
    path === '/readyz'
  );
}

export interface ServeDashboardOptions {
  /** Folder of the built app (default: @threshold/web's dist-app/). */
  dir?: string;
}

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer | null;
}

/** Middleware serving the dashboard; register it after the API routes. */
export function serveDashboard(options: ServeDashboardOptions = {}): MiddlewareHandler<AppEnv> {
  const dir = options.dir ?? fileURLToPath(DASHBOARD_ASSETS_URL);
  const cache = new Map<string, CachedFile>();

  const load = async (file: string): Promise<CachedFile | undefined> => {
    let info;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit !== undefined && hit.mtimeMs === info.mtimeMs) return hit;
    const body = await readFile(file);
    const entry: CachedFile = {
      mtimeMs: info.mtimeMs,
      body,
      gzip: COMPRESSIBLE.has(extname(file)) && body.length > 1024 ? gzipSync(body) : null,
    };
    cache.set(file, entry);
    return entry;
  };

  const send = (c: Context<AppEnv>, file: string, entry: CachedFile, cacheControl: string) => {
    const headers = new Headers(SECURITY_HEADERS);
    headers.set('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    headers.set('Cache-Control', cacheControl);
    headers.set('Vary', 'Accept-Encoding');
    const gzip = entry.gzip !== null && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    const body = gzip && entry.gzip !== null ? entry.gzip : entry.body;
    if (gzip) headers.set('Content-Encoding', 'gzip');
    headers.set('Content-Length', String(body.length));
    return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers,
    });
  };

  return async (c: Context<AppEnv>, next: Next) => {
    const path = c.req.path;
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || isServerPath(path)) {
      return next();
    }
    if (path.startsWith('/assets/')) {
      const file = normalize(join(dir, decodeURIComponent(path)));
      const asset = file.startsWith(join(dir, 'assets') + sep) ? await load(file) : undefined;
      if (asset === undefined) return next();
      return send(c, file, asset, 'public, max-age=31536000, immutable');
    }
    const index = join(dir, 'index.html');
    const page = await load(index);
    if (page === undefined) return notBuilt(dir);
    // Revalidated on every visit, so a new build is picked up at once.
    return send(c, index, page, 'no-cache');
  };
}

function notBuilt(dir: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Threshold: dashboard not built</title></head>
<body>
<h1>The Threshold dashboard is not built yet</h1>
<p>The server is running and its API works (see <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>),
but the dashboard's files are missing from <code>${escapeHtml(dir)}</code>.</p>
<p>Build it with <code>${DASHBOARD_BUILD_COMMAND}</code> in the repository, then reload this page.</p>
</body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
    },
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
