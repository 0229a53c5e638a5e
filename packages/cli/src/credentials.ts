/**
 * Where `threshold login` keeps a person's session secret: one JSON file per
 * user, readable by that user only (0600 in a 0700 folder), written whole to a
 * temporary file and renamed so a crash never leaves half a file. Keyed by
 * server URL; an expired entry is ignored.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** One server's saved sign-in. */
export interface SavedLogin {
  token: string;
  subject: string;
  name: string;
  expiresAt: string;
}

interface CredentialsFile {
  servers: Record<string, SavedLogin>;
}

/** THRESHOLD_CREDENTIALS, else $XDG_CONFIG_HOME/threshold/credentials.json, else ~/.config/…. */
export function credentialsPath(env: Readonly<Record<string, string | undefined>>): string {
  const explicit = env['THRESHOLD_CREDENTIALS'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const base = env['XDG_CONFIG_HOME'] ?? join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'threshold', 'credentials.json');
}

function readFile(path: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { servers: {} };
  }
  try {
    const value = JSON.parse(text) as Partial<CredentialsFile>;
    return { servers: value.servers ?? {} };
  } catch {
    return { servers: {} };
  }
}

function writeFile(path: string, file: CredentialsFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  // The mode above is masked by umask; make sure nobody else can read the secret.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The live saved sign-in for `server`, if any. */
export function savedLogin(path: string, server: string, now = Date.now()): SavedLogin | undefined {
  const login = readFile(path).servers[server];
  if (login === undefined || Date.parse(login.expiresAt) <= now) return undefined;
  return login;
}

/** Saves (or replaces) the sign-in for `server`. */
export function saveLogin(path: string, server: string, login: SavedLogin): void {
  const file = readFile(path);
  file.servers[server] = login;
  writeFile(path, file);
}

/** Forgets the sign-in for `server`; true when there was one. */
export function forgetLogin(path: string, server: string): boolean {
  const file = readFile(path);
  if (file.servers[server] === undefined) return false;
  delete file.servers[server];
  writeFile(path, file);
  return true;
}
