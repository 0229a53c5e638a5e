/** `threshold plan explain PLAN [--json]`: a readable summary of a valid plan. */
import { formatPlanError, parsePlan } from '@threshold/core';
import { parseCommandArgs } from '../args.js';
import { renderExplain } from '../explain/render-explain.js';
import { summarizePlan } from '../explain/summarize-plan.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { cannotRead, readPlanFile } from '../read-plan-file.js';

export async function runPlanExplain(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'plan explain',
    flags: ['json'],
    positionals: 'one',
    positionalName: 'PLAN',
  });
  if (parsed.help) {
    io.stdout.write(helpText('plan explain') ?? '');
    return 0;
  }
  const json = parsed.flags.has('json');
  const file = parsed.positionals[0] ?? '';
  const read = await readPlanFile(file, io.cwd);
  if (!read.ok) {
    io.stderr.write(cannotRead(file, read.reason));
    return 2;
  }
  const result = parsePlan(read.source, { file });
  if (!result.valid) {
    if (json) {
      io.stdout.write(`${JSON.stringify({ valid: false, errors: result.errors }, null, 2)}\n`);
    } else {
      io.stderr.write(result.errors.map((e) => `${formatPlanError(e)}\n`).join(''));
      const n = result.errors.length;
      io.stderr.write(`✗ cannot explain ${file}: ${n} problem${n === 1 ? '' : 's'} (see above)\n`);
    }
    return 1;
  }
  const summary = summarizePlan(result.plan);
  io.stdout.write(
    json
      ? `${JSON.stringify({ valid: true, file, ...summary }, null, 2)}\n`
      : renderExplain(summary),
  );
  return 0;
}
