/** Read a plan file named on the command line; failures become one-line reasons, never throws. */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParsedArgs } from './args.js';
import { lastValue } from './args.js';
import { UsageError } from './usage-error.js';

export type ReadResult = { ok: true; source: string } | { ok: false; reason: string };

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a plan file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/**
 * Largest plan file read by default (1 MiB, as the server accepts): a real plan
 * is a few KB, and a huge one costs seconds and GBs to check. `--max-bytes` raises it.
 */
export const DEFAULT_MAX_PLAN_BYTES = 1024 * 1024;

/** Read `file` (as the user typed it) relative to `cwd`, refusing more than `maxBytes`. */
export async function readPlanFile(
  file: string,
  cwd: string,
  maxBytes = DEFAULT_MAX_PLAN_BYTES,
): Promise<ReadResult> {
  try {
    const handle = await open(resolve(cwd, file), 'r');
    try {
      // Read in chunks up to one byte past the limit instead of trusting the
      // size: pipes have none and files grow.
      const chunks: Buffer[] = [];
      let length = 0;
      while (length <= maxBytes) {
        const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        length += bytesRead;
      }
      if (length > maxBytes) {
        return {
          ok: false,
          reason: `larger than ${maxBytes} bytes (raise the limit with --max-bytes N)`,
        };
      }
      return { ok: true, source: Buffer.concat(chunks, length).toString('utf8') };
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      (code !== undefined ? REASONS[code] : undefined) ??
      (e instanceof Error ? e.message : String(e));
    return { ok: false, reason };
  }
}

/** The line printed on stderr for a file that cannot be read. */
export function cannotRead(file: string, reason: string): string {
  return `${file}: cannot read: ${reason}\n`;
}

/** The `--max-bytes N` of a command (a whole number of bytes), or the default. */
export function maxBytesOption(parsed: ParsedArgs, command: string): number {
  const text = lastValue(parsed, 'max-bytes');
  if (text === undefined) return DEFAULT_MAX_PLAN_BYTES;
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--max-bytes must be a whole number of bytes, got '${text}'`, command);
  }
  return Number(text);
}
