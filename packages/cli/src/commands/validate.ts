/**
 * `threshold validate PLAN... [--json] [--server URL]`: every problem of every
 * plan, one line each. With --server, a plan valid here is also checked by that
 * server against its metric sources (configured? PromQL parses?).
 */
import { formatPlanError, parsePlan } from '@threshold/core';
import type { PlanError } from '@threshold/core';
import { parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { cannotRead, maxBytesOption, readPlanFile } from '../read-plan-file.js';
import { terminalSafe } from '../terminal-text.js';
import { ApiCallError, callApi, connectionOf } from './launch-http.js';
import type { Connection } from './launch-http.js';

/** What validate found across all files. */
export interface ValidationTally {
  plans: number;
  invalidPlans: number;
  problems: number;
  unreadable: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The summary line validate prints on stderr, e.g. "✗ 3 problems in 1 of 2 plans". */
export function summaryLine(t: ValidationTally): string {
  const unreadable =
    t.unreadable === 0
      ? ''
      : `${t.unreadable === t.plans ? '' : '; '}${plural(t.unreadable, 'plan')} could not be read`;
  if (t.unreadable === t.plans) return `✗ ${unreadable}`;
  if (t.invalidPlans === 0 && t.unreadable === 0) return `✓ ${plural(t.plans, 'plan')} valid`;
  if (t.invalidPlans === 0) {
    return `✗ ${t.plans - t.unreadable} of ${plural(t.plans, 'plan')} valid${unreadable}`;
  }
  return `✗ ${plural(t.problems, 'problem')} in ${t.invalidPlans} of ${plural(t.plans, 'plan')}${unreadable}`;
}

export async function runValidate(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(args, {
    name: 'validate',
    flags: ['json'],
    values: ['server', 'token', 'max-bytes'],
    positionals: 'many',
    positionalName: 'PLAN',
  });
  if (parsed.help) {
    io.stdout.write(helpText('validate') ?? '');
    return 0;
  }
  const json = parsed.flags.has('json');
  const conn = parsed.values.has('server') ? connectionOf(parsed, io, 'validate') : undefined;
  const maxBytes = maxBytesOption(parsed, 'validate');
  const tally: ValidationTally = {
    plans: parsed.positionals.length,
    invalidPlans: 0,
    problems: 0,
    unreadable: 0,
  };
  const errors: PlanError[] = [];
  let omittedErrors = 0;
  for (const file of parsed.positionals) {
    const read = await readPlanFile(file, io.cwd, maxBytes);
    if (!read.ok) {
      tally.unreadable++;
      io.stderr.write(terminalSafe(cannotRead(file, read.reason)));
      continue;
    }
    const result = parsePlan(read.source, { file });
    let found: PlanError[] = result.errors;
    if (result.valid && conn !== undefined) {
      const remote = await checkOnServer(conn, file, read.source);
      if (typeof remote === 'string') {
        tally.unreadable++;
        io.stderr.write(`${file}: ${remote}\n`);
        continue;
      }
      found = remote;
    }
    if (found.length === 0) continue;
    tally.invalidPlans++;
    const omitted = result.valid ? 0 : result.omittedErrors;
    tally.problems += found.length + omitted;
    omittedErrors += omitted;
    // A loop, not a spread: spreading a huge array overflows the call stack.
    for (const e of found) errors.push(e);
    if (!json) {
      io.stdout.write(terminalSafe(found.map((e) => `${formatPlanError(e)}\n`).join('')));
      if (omitted > 0) {
        io.stdout.write(terminalSafe(`${file}: ... and ${plural(omitted, 'more problem')}\n`));
      }
    }
  }
  const valid = tally.invalidPlans === 0 && tally.unreadable === 0;
  if (json) {
    io.stdout.write(`${JSON.stringify({ valid, errors, omittedErrors }, null, 2)}\n`);
  } else {
    io.stderr.write(`${summaryLine(tally)}\n`);
  }
  if (tally.unreadable > 0) return 2;
  return valid ? 0 : 1;
}

/** The server's problems with a plan (its sources), or why it could not say. */
async function checkOnServer(
  conn: Connection,
  file: string,
  source: string,
): Promise<PlanError[] | string> {
  try {
    await callApi(conn, 'POST', '/api/v1/plans/validate', {
      text: source,
      contentType: 'application/yaml',
    });
    return [];
  } catch (err) {
    if (!(err instanceof ApiCallError)) throw err;
    const listed = (err.details as { errors?: unknown } | undefined)?.errors;
    if (err.code !== 'PLAN_INVALID' || !Array.isArray(listed))
      return `the server could not check it: ${err.message}`;
    return (listed as { path: string; line: number; column: number; message: string }[]).map(
      (e) => ({ file, line: e.line, col: e.column, path: e.path, message: e.message }),
    );
  }
}
