/** `threshold plan explain PLAN [--json]`: a readable summary of a valid plan. */
import { formatPlanError, parsePlan } from '@threshold/core';
import { parseCommandArgs } from '../args.js';
import { renderExplain } from '../explain/render-explain.js';
import { summarizePlan } from '../explain/summarize-plan.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { cannotRead, maxBytesOption, readPlanFile } from '../read-plan-file.js';
import { terminalSafe } from '../terminal-text.js';

export async function runPlanExplain(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'plan explain',
    flags: ['json'],
    values: ['max-bytes'],
    positionals: 'one',
    positionalName: 'PLAN',
  });
  if (parsed.help) {
    io.stdout.write(helpText('plan explain') ?? '');
    return 0;
  }
  const json = parsed.flags.has('json');
  const file = parsed.positionals[0] ?? '';
  const read = await readPlanFile(file, io.cwd, maxBytesOption(parsed, 'plan explain'));
  if (!read.ok) {
    io.stderr.write(terminalSafe(cannotRead(file, read.reason)));
    return 2;
  }
  const result = parsePlan(read.source, { file });
  if (!result.valid) {
    if (json) {
      const { errors, omittedErrors } = result;
      io.stdout.write(`${JSON.stringify({ valid: false, errors, omittedErrors }, null, 2)}\n`);
    } else {
      io.stderr.write(terminalSafe(result.errors.map((e) => `${formatPlanError(e)}\n`).join('')));
      const n = result.errors.length + result.omittedErrors;
      io.stderr.write(`✗ cannot explain ${file}: ${n} problem${n === 1 ? '' : 's'} (see above)\n`);
    }
    return 1;
  }
  const summary = summarizePlan(result.plan);
  io.stdout.write(
    json
      ? `${JSON.stringify({ valid: true, file, ...summary }, null, 2)}\n`
      : terminalSafe(renderExplain(summary)),
  );
  return 0;
}
