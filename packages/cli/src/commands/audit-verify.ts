/** `threshold audit verify [--json]`: recompute the audit hash chain and name the first broken entry. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AUDIT_GENESIS_HASH } from '@threshold/server';
import type { AuditHead } from '@threshold/server';
import { lastValue, parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { openLocalStore, storeLocation } from '../server/open-local-store.js';
import { UsageError } from '../usage-error.js';

const NAME = 'audit verify';
const HEAD = /^(0|[1-9][0-9]{0,15}):([0-9a-f]{64})$/;

/** `SEQ:HASH` as a head, or undefined when malformed. */
function parseHead(text: string): AuditHead | undefined {
  const m = HEAD.exec(text.trim());
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { seq: Number(m[1]), hash: m[2] };
}

/** The head saved in a checkpoint file, undefined when there is no file yet. */
async function readCheckpoint(path: string, shown: string): Promise<AuditHead | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`--checkpoint ${shown}: cannot read: ${(e as Error).message}`, NAME);
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    saved = undefined;
  }
  const head =
    typeof saved === 'object' && saved !== null
      ? parseHead(`${String((saved as AuditHead).seq)}:${String((saved as AuditHead).hash)}`)
      : undefined;
  if (head === undefined) {
    throw new UsageError(
      `--checkpoint ${shown}: not a checkpoint (expected { "seq": N, "hash": "<64 hex>" })`,
      NAME,
    );
  }
  return head;
}

/** Exit 0 when the chain is intact (and reaches every known head), 1 when not. */
export async function runAuditVerify(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: NAME,
    flags: ['json'],
    values: ['data-dir', 'expect-head', 'checkpoint'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(NAME) ?? '');
    return 0;
  }
  const expectHeads: AuditHead[] = [];
  for (const text of parsed.values.get('expect-head') ?? []) {
    const head = parseHead(text);
    if (head === undefined) {
      throw new UsageError(
        `--expect-head must be SEQ:HASH (a number, a colon, 64 hex digits), got '${text}'`,
        NAME,
      );
    }
    expectHeads.push(head);
  }
  const checkpointName = lastValue(parsed, 'checkpoint');
  const checkpoint = checkpointName === undefined ? undefined : resolve(io.cwd, checkpointName);
  if (checkpoint !== undefined && checkpointName !== undefined) {
    const saved = await readCheckpoint(checkpoint, checkpointName);
    if (saved !== undefined) expectHeads.push(saved);
  }

  const where = storeLocation(io, lastValue(parsed, 'data-dir'));
  const store = await openLocalStore(where, NAME, { mustExist: true });
  let result;
  try {
    result = await store.verifyAudit({ expectHeads });
  } finally {
    await store.close();
  }
  const entries = `${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}`;
  if (parsed.flags.has('json')) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.ok) {
    const head = result.head === null ? 'empty' : `${result.head.seq}:${result.head.hash}`;
    const known =
      expectHeads.length === 0
        ? ''
        : `; reaches the known head${expectHeads.length === 1 ? '' : 's'} ${expectHeads.map((h) => h.seq).join(', ')}`;
    io.stdout.write(
      `✓ audit log intact: ${entries} verified (${where.describe})\n  head ${head}${known}\n`,
    );
  } else {
    const broken = result.firstBroken;
    io.stdout.write(
      `✗ audit log broken at entry ${broken?.seq ?? '?'}: ${broken?.reason ?? 'unknown'}\n` +
        `  ${entries} before it verified (${where.describe})\n`,
    );
  }
  if (result.ok && checkpoint !== undefined && checkpointName !== undefined) {
    const head = result.head ?? { seq: 0, hash: AUDIT_GENESIS_HASH };
    // Through a rename, so a crash never leaves half a checkpoint.
    const temporary = `${checkpoint}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(head)}\n`, 'utf8');
      await rename(temporary, checkpoint);
    } catch (e) {
      io.stderr.write(`${checkpointName}: cannot write the checkpoint: ${(e as Error).message}\n`);
      return 2;
    }
    if (!parsed.flags.has('json')) io.stdout.write(`  saved the head to ${checkpointName}\n`);
  }
  return result.ok ? 0 : 1;
}
