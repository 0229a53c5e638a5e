/** `threshold audit verify [--json]`: recompute the audit hash chain and name the first broken entry. */
import { lastValue, parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { openLocalStore, storeLocation } from '../server/open-local-store.js';

/** Exit 0 when the chain is intact, 1 when an entry was changed, removed or reordered. */
export async function runAuditVerify(args: readonly string[], io: Io): Promise<number> {
  const name = 'audit verify';
  const parsed = parseCommandArgs(args, {
    name,
    flags: ['json'],
    values: ['data-dir'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const where = storeLocation(io, lastValue(parsed, 'data-dir'));
  const store = await openLocalStore(where, name, { mustExist: true });
  let result;
  try {
    result = await store.verifyAudit();
  } finally {
    await store.close();
  }
  if (parsed.flags.has('json')) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.ok) {
    io.stdout.write(
      `✓ audit log intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} verified (${where.describe})\n`,
    );
  } else {
    const broken = result.firstBroken;
    io.stdout.write(
      `✗ audit log broken at entry ${broken?.seq ?? '?'}: ${broken?.reason ?? 'unknown'}\n` +
        `  ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} before it verified (${where.describe})\n`,
    );
  }
  return result.ok ? 0 : 1;
}
