/** The server's version, read from packages/server/package.json (one level above src/ and dist/). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** e.g. "0.1.0"; "unknown" when package.json cannot be read. */
export function serverVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    const version =
      pkg !== null && typeof pkg === 'object' && 'version' in pkg ? pkg.version : undefined;
    cached = typeof version === 'string' ? version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
