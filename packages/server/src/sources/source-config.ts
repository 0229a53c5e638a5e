/**
 * Which metric sources a server has: named sources from a JSON file
 * (`THRESHOLD_SOURCES_FILE`) and the default source of each kind from environment
 * variables (`THRESHOLD_PROMETHEUS_URL` → the source named `prometheus`). An
 * environment variable wins over a file entry of the same name. A bad entry stops
 * the start with the entry and field named, never a source silently missing.
 *
 * File shape:
 *   { "sources": { "prometheus-eu": { "kind": "prometheus", "url": "https://…",
 *       "bearer_token_env": "EU_PROM_TOKEN", "timeout": "5s", "ca_file": "/etc/ca.pem" } } }
 * Secrets are never written in the file: `bearer_token_env`, `password_env` name
 * the environment variables that hold them.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_SOURCE_TIMEOUT_MS } from './metric-source.js';
import type { SourceAuth, SourceConfig, SourceKind } from './metric-source.js';

/** Kinds configured on the server (events is built in and needs no entry). */
export const CONFIGURABLE_KINDS: readonly SourceKind[] = ['prometheus', 'sql', 'http'];

/** A source configuration that cannot be used, naming where it came from. */
export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceConfigError';
  }
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/** Parse "5s", "500ms", "2m" or a number of ms. */
export function parseTimeout(raw: unknown, where: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return raw;
  if (typeof raw === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
    if (m !== null) {
      const value = Number(m[1]);
      const unit = m[2] === 'm' ? 60_000 : m[2] === 'ms' || m[2] === undefined ? 1 : 1000;
      if (value > 0) return value * unit;
    }
  }
  throw new SourceConfigError(
    `${where}: timeout must be a duration like "5s" or "500ms", got ${JSON.stringify(raw)}`,
  );
}

function envVar(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function checkUrl(kind: SourceKind, url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceConfigError(`${where}: url is not a URL: ${JSON.stringify(url)}`);
  }
  const ok =
    kind === 'sql'
      ? parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:'
      : parsed.protocol === 'http:' || parsed.protocol === 'https:';
  if (!ok)
    throw new SourceConfigError(
      `${where}: a ${kind} source needs a ${kind === 'sql' ? 'postgres://' : 'http(s)://'} url, got ${parsed.protocol}`,
    );
  // Credentials in an http(s) url would be logged at start and bypass the auth options.
  if (kind !== 'sql' && (parsed.username !== '' || parsed.password !== ''))
    throw new SourceConfigError(
      `${where}: credentials in the url are not allowed; use basic auth (USERNAME/PASSWORD, username/password_env) or a bearer token`,
    );
  return url.replace(/\/+$/, '');
}

/** A CA only acts on https (or postgres TLS); with an http url it would be ignored, so it is refused. */
function checkCaUrl(kind: SourceKind, url: string, caFile: string, where: string): string {
  if (kind !== 'sql' && !url.startsWith('https:'))
    throw new SourceConfigError(`${where}: a CA file needs an https:// url, got ${url}`);
  return caFile;
}

function fromEnv(
  kind: SourceKind,
  env: Record<string, string | undefined>,
): SourceConfig | undefined {
  const prefix = `THRESHOLD_${kind.toUpperCase()}_`;
  const url = envVar(env, `${prefix}URL`);
  if (url === undefined) return undefined;
  const config: SourceConfig = {
    name: kind,
    kind,
    url: checkUrl(kind, url, `${prefix}URL`),
    timeoutMs: DEFAULT_SOURCE_TIMEOUT_MS,
  };
  const timeout = envVar(env, `${prefix}TIMEOUT`);
  if (timeout !== undefined) config.timeoutMs = parseTimeout(timeout, `${prefix}TIMEOUT`);
  const token = envVar(env, `${prefix}BEARER_TOKEN`);
  const username = envVar(env, `${prefix}USERNAME`);
  const password = envVar(env, `${prefix}PASSWORD`);
  // One way to authenticate; a half-set or doubly-set pair is refused, not guessed at.
  if (token !== undefined && username !== undefined)
    throw new SourceConfigError(
      `${prefix}BEARER_TOKEN and ${prefix}USERNAME are both set: use a bearer token or basic auth, not both`,
    );
  if (password !== undefined && username === undefined)
    throw new SourceConfigError(`${prefix}PASSWORD is set without ${prefix}USERNAME`);
  if (token !== undefined) config.auth = { type: 'bearer', token };
  else if (username !== undefined)
    config.auth = { type: 'basic', username, password: password ?? '' };
  const ca = envVar(env, `${prefix}CA_FILE`);
  if (ca !== undefined) config.caFile = checkCaUrl(config.kind, config.url, ca, `${prefix}CA_FILE`);
  return config;
}

function fromEntry(
  name: string,
  entry: unknown,
  env: Record<string, string | undefined>,
  file: string,
): SourceConfig {
  const where = `${file}: sources.${name}`;
  if (!NAME.test(name))
    throw new SourceConfigError(`${where}: a source name must be a lowercase identifier`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new SourceConfigError(`${where}: expected an object`);
  const e = entry as Record<string, unknown>;
  const known = [
    'kind',
    'url',
    'timeout',
    'ca_file',
    'bearer_token_env',
    'username',
    'password_env',
  ];
  for (const key of Object.keys(e))
    if (!known.includes(key))
      throw new SourceConfigError(`${where}.${key}: unknown field (known: ${known.join(', ')})`);
  const kind = e['kind'];
  if (typeof kind !== 'string' || !CONFIGURABLE_KINDS.includes(kind as SourceKind))
    throw new SourceConfigError(`${where}.kind: must be one of ${CONFIGURABLE_KINDS.join(', ')}`);
  const url = e['url'];
  if (typeof url !== 'string') throw new SourceConfigError(`${where}.url: required`);
  const config: SourceConfig = {
    name,
    kind: kind as SourceKind,
    url: checkUrl(kind as SourceKind, url, `${where}.url`),
    timeoutMs:
      e['timeout'] === undefined
        ? DEFAULT_SOURCE_TIMEOUT_MS
        : parseTimeout(e['timeout'], `${where}.timeout`),
  };
  if (e['ca_file'] !== undefined) {
    if (typeof e['ca_file'] !== 'string' || e['ca_file'] === '')
      throw new SourceConfigError(`${where}.ca_file: must be the path of a PEM file`);
    config.caFile = checkCaUrl(config.kind, config.url, e['ca_file'], `${where}.ca_file`);
  }
  const secret = (key: string): string => {
    const varName = e[key];
    if (typeof varName !== 'string')
      throw new SourceConfigError(`${where}.${key}: must name an environment variable`);
    const value = envVar(env, varName);
    if (value === undefined)
      throw new SourceConfigError(`${where}.${key}: environment variable ${varName} is not set`);
    return value;
  };
  if (e['bearer_token_env'] !== undefined && e['username'] !== undefined)
    throw new SourceConfigError(
      `${where}: bearer_token_env and username are both set: use a bearer token or basic auth, not both`,
    );
  if (e['username'] !== undefined && (typeof e['username'] !== 'string' || e['username'] === ''))
    throw new SourceConfigError(`${where}.username: must be a non-empty string`);
  if (e['password_env'] !== undefined && e['username'] === undefined)
    throw new SourceConfigError(`${where}.password_env: set without username`);
  let auth: SourceAuth | undefined;
  if (e['bearer_token_env'] !== undefined)
    auth = { type: 'bearer', token: secret('bearer_token_env') };
  else if (typeof e['username'] === 'string')
    auth = {
      type: 'basic',
      username: e['username'],
      password: e['password_env'] === undefined ? '' : secret('password_env'),
    };
  if (auth !== undefined) config.auth = auth;
  return config;
}

/** Every configured source (events excluded), by name. */
export function loadSourceConfigs(
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): SourceConfig[] {
  const byName = new Map<string, SourceConfig>();
  const file = envVar(env, 'THRESHOLD_SOURCES_FILE');
  if (file !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFile(file));
    } catch (err) {
      throw new SourceConfigError(
        `THRESHOLD_SOURCES_FILE ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const sources = (doc as { sources?: unknown } | null)?.sources;
    if (typeof sources !== 'object' || sources === null || Array.isArray(sources))
      throw new SourceConfigError(`${file}: expected { "sources": { "<name>": { … } } }`);
    for (const [name, entry] of Object.entries(sources))
      byName.set(name, fromEntry(name, entry, env, file));
  }
  for (const kind of CONFIGURABLE_KINDS) {
    const config = fromEnv(kind, env);
    if (config !== undefined) byName.set(config.name, config);
  }
  for (const c of byName.values())
    if (c.kind === 'sql' && c.auth?.type === 'bearer')
      throw new SourceConfigError(
        `source ${c.name}: a sql source takes a username and password, not a bearer token`,
      );
  if (byName.has('events'))
    throw new SourceConfigError('the source name "events" is built in and cannot be configured');
  return [...byName.values()];
}
