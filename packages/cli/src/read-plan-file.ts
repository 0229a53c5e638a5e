/** Read a plan file named on the command line; failures become one-line reasons, never throws. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

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

/** Read `file` (as the user typed it) relative to `cwd`. */
export async function readPlanFile(file: string, cwd: string): Promise<ReadResult> {
  try {
    return { ok: true, source: await readFile(resolve(cwd, file), 'utf8') };
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
