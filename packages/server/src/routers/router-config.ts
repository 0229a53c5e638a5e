/**
 * Which traffic routers a server has: named routers from a JSON file
 * (`THRESHOLD_ROUTERS_FILE`) and two shortcuts from the environment
 * (`THRESHOLD_HAPROXY_ADDRESS` → the router named `haproxy`,
 * `THRESHOLD_WEBHOOK_ROUTER_URL` → the router named `webhook`). An environment
 * variable wins over a file entry of the same name. A bad entry stops the start
 * with the entry and field named: a router is never silently missing.
 *
 * File shape:
 *   { "routers": {
 *       "edge": { "kind": "haproxy", "address": "unix:///run/haproxy/admin.sock", "timeout": "2s" },
 *       "mesh": { "kind": "webhook", "url": "https://…", "secret_env": "MESH_ROUTER_SECRET",
 *                 "timeout": "5s", "resync": "1m" } } }
 * A webhook router signs with `THRESHOLD_WEBHOOK_SECRET` (the notifications'
 * secret) unless `secret_env` names another variable; it needs one of them.
 */
import { readFileSync } from 'node:fs';
import { parseTimeout } from '../sources/source-config.js';
import { parseRuntimeAddress } from './haproxy-runtime.js';
import { DEFAULT_RESYNC_MS, DEFAULT_ROUTER_TIMEOUT_MS } from './traffic-router.js';
import type { RouterConfig } from './traffic-router.js';

/** A router configuration that cannot be used, naming where it came from. */
export class RouterConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouterConfigError';
  }
}

const NAME = /^[a-z][a-z0-9_-]*$/;
const KINDS = ['haproxy', 'webhook'] as const;

type Env = Record<string, string | undefined>;

function envVar(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function timeout(raw: unknown, where: string, fallback: number): number {
  if (raw === undefined) return fallback;
  try {
    return parseTimeout(raw, where);
  } catch (err) {
    throw new RouterConfigError(err instanceof Error ? err.message : String(err));
  }
}

function address(raw: string, where: string): string {
  try {
    parseRuntimeAddress(raw);
  } catch (err) {
    throw new RouterConfigError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return raw.trim();
}

function webhookUrl(raw: string, where: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new RouterConfigError(`${where}: not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new RouterConfigError(
      `${where}: a webhook router needs an http(s):// url, got ${u.protocol}`,
    );
  return raw;
}

function secretFrom(env: Env, varName: string | undefined, where: string): string {
  const name = varName ?? 'THRESHOLD_WEBHOOK_SECRET';
  const value = envVar(env, name);
  if (value === undefined)
    throw new RouterConfigError(
      `${where}: a webhook router signs every request, and ${name} is not set${varName === undefined ? ' (or name another variable with secret_env)' : ''}`,
    );
  return value;
}

function fromEntry(name: string, entry: unknown, env: Env, file: string): RouterConfig {
  const where = `${file}: routers.${name}`;
  if (!NAME.test(name))
    throw new RouterConfigError(`${where}: a router name must be a lowercase identifier`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new RouterConfigError(`${where}: expected an object`);
  const e = entry as Record<string, unknown>;
  const kind = e['kind'];
  if (kind !== 'haproxy' && kind !== 'webhook')
    throw new RouterConfigError(`${where}.kind: must be one of ${KINDS.join(', ')}`);
  const known =
    kind === 'haproxy'
      ? ['kind', 'address', 'timeout']
      : ['kind', 'url', 'secret_env', 'timeout', 'resync'];
  for (const key of Object.keys(e))
    if (!known.includes(key))
      throw new RouterConfigError(
        `${where}.${key}: unknown field for a ${kind} router (known: ${known.join(', ')})`,
      );
  if (kind === 'haproxy') {
    if (typeof e['address'] !== 'string')
      throw new RouterConfigError(`${where}.address: required (the Runtime API socket)`);
    return {
      name,
      kind,
      address: address(e['address'], `${where}.address`),
      timeoutMs: timeout(e['timeout'], `${where}.timeout`, DEFAULT_ROUTER_TIMEOUT_MS),
    };
  }
  if (typeof e['url'] !== 'string') throw new RouterConfigError(`${where}.url: required`);
  const secretEnv = e['secret_env'];
  if (secretEnv !== undefined && (typeof secretEnv !== 'string' || secretEnv === ''))
    throw new RouterConfigError(`${where}.secret_env: must name an environment variable`);
  return {
    name,
    kind,
    url: webhookUrl(e['url'], `${where}.url`),
    secret: secretFrom(env, secretEnv, `${where}`),
    timeoutMs: timeout(e['timeout'], `${where}.timeout`, DEFAULT_ROUTER_TIMEOUT_MS),
    resyncMs: timeout(e['resync'], `${where}.resync`, DEFAULT_RESYNC_MS),
  };
}

/** Every configured router, by name. */
export function loadRouterConfigs(
  env: Env = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): RouterConfig[] {
  const byName = new Map<string, RouterConfig>();
  const file = envVar(env, 'THRESHOLD_ROUTERS_FILE');
  if (file !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFile(file));
    } catch (err) {
      throw new RouterConfigError(
        `THRESHOLD_ROUTERS_FILE ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const routers = (doc as { routers?: unknown } | null)?.routers;
    if (typeof routers !== 'object' || routers === null || Array.isArray(routers))
      throw new RouterConfigError(`${file}: expected { "routers": { "<name>": { … } } }`);
    for (const [name, entry] of Object.entries(routers))
      byName.set(name, fromEntry(name, entry, env, file));
  }
  const haproxy = envVar(env, 'THRESHOLD_HAPROXY_ADDRESS');
  if (haproxy !== undefined)
    byName.set('haproxy', {
      name: 'haproxy',
      kind: 'haproxy',
      address: address(haproxy, 'THRESHOLD_HAPROXY_ADDRESS'),
      timeoutMs: timeout(
        envVar(env, 'THRESHOLD_HAPROXY_TIMEOUT'),
        'THRESHOLD_HAPROXY_TIMEOUT',
        DEFAULT_ROUTER_TIMEOUT_MS,
      ),
    });
  const webhook = envVar(env, 'THRESHOLD_WEBHOOK_ROUTER_URL');
  if (webhook !== undefined)
    byName.set('webhook', {
      name: 'webhook',
      kind: 'webhook',
      url: webhookUrl(webhook, 'THRESHOLD_WEBHOOK_ROUTER_URL'),
      secret: secretFrom(env, undefined, 'THRESHOLD_WEBHOOK_ROUTER_URL'),
      timeoutMs: DEFAULT_ROUTER_TIMEOUT_MS,
      resyncMs: DEFAULT_RESYNC_MS,
    });
  return [...byName.values()];
}
