/** The `threshold` command: dispatch to subcommands; every failure becomes a message and an exit code. */
import { didYouMean } from '@threshold/core';
import { runPlanExplain } from './commands/plan-explain.js';
import { runPlanSchema } from './commands/plan-schema.js';
import { runLaunch } from './commands/launch.js';
import { runLogin, runLogout } from './commands/login.js';
import { runAuditVerify } from './commands/audit-verify.js';
import { runServe } from './commands/serve.js';
import { runStart } from './commands/start.js';
import { runTokenCreate, runTokenList, runTokenRevoke } from './commands/token.js';
import { runValidate } from './commands/validate.js';
import { runRehearse } from './commands/rehearse.js';
import { COMMAND_NAMES, helpText } from './help.js';
import type { Io } from './io.js';
import { withDefaults } from './io.js';
import { UsageError } from './usage-error.js';
import { cliVersion } from './version.js';

/** Exit codes: 0 success, 1 invalid plan or broken audit log, 2 usage or I/O problem, 3 internal error (a bug). */
export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

/**
 * Run `threshold` with the arguments after the program name. Never throws:
 * problems are printed on stderr and reflected in the exit code.
 */
export async function main(argv: string[], io?: Partial<Io>): Promise<number> {
  const out = withDefaults(io);
  try {
    return await dispatch(argv, out);
  } catch (e) {
    if (e instanceof UsageError) {
      const prefix = e.command === '' ? 'threshold' : `threshold ${e.command}`;
      const hint = e.command === '' ? 'threshold --help' : `threshold help ${e.command}`;
      out.stderr.write(`${prefix}: ${e.message}\nRun '${hint}' for usage.\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    out.stderr.write(
      `threshold: internal error: ${message}\nThis is a bug in threshold; please report it with the command you ran.\n`,
    );
    return EXIT.internal;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      io.stderr.write(helpText('') ?? '');
      return EXIT.usage;
    case '--help':
    case '-h':
      io.stdout.write(helpText('') ?? '');
      return EXIT.ok;
    case '--version':
      io.stdout.write(`${cliVersion()}\n`);
      return EXIT.ok;
    case 'help':
      return showHelp(rest, io);
    case 'validate':
      return runValidate(rest, io);
    case 'rehearse':
      return runRehearse(rest, io);
    case 'plan':
      return dispatchPlan(rest, io);
    case 'start':
      return runStart(rest, io);
    case 'serve':
      return runServe(rest, io);
    case 'token':
      return dispatchSub(
        'token',
        { create: runTokenCreate, list: runTokenList, revoke: runTokenRevoke },
        rest,
        io,
      );
    case 'audit':
      return dispatchSub('audit', { verify: runAuditVerify }, rest, io);
    case 'launch':
      return runLaunch(rest, io);
    case 'login':
      return runLogin(rest, io);
    case 'logout':
      return runLogout(rest, io);
    default:
      throw unknownCommand(command);
  }
}

async function dispatchPlan(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'explain':
      return runPlanExplain(rest, io);
    case 'schema':
      return runPlanSchema(rest, io);
    case '--help':
    case '-h':
      io.stdout.write(helpText('plan') ?? '');
      return EXIT.ok;
    case undefined:
      throw new UsageError("missing subcommand: 'explain' or 'schema'", 'plan');
    default: {
      const kind = sub.startsWith('-') ? 'option' : 'subcommand';
      const candidates = sub.startsWith('-') ? ['--help'] : ['explain', 'schema'];
      const guess = didYouMean(sub, candidates);
      const suffix = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
      throw new UsageError(`unknown ${kind} '${sub}'${suffix}`, 'plan');
    }
  }
}

/** `threshold <group> <sub> ...` for groups whose subcommands all run the same way. */
async function dispatchSub(
  group: string,
  subs: Record<string, (argv: readonly string[], io: Io) => Promise<number>>,
  argv: readonly string[],
  io: Io,
): Promise<number> {
  const [sub, ...rest] = argv;
  const names = Object.keys(subs);
  const listed = names.map((n) => `'${n}'`).join(names.length === 2 ? ' or ' : ', ');
  if (sub === undefined) throw new UsageError(`missing subcommand: ${listed}`, group);
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(helpText(group) ?? '');
    return EXIT.ok;
  }
  const run = subs[sub];
  if (run !== undefined) return run(rest, io);
  const kind = sub.startsWith('-') ? 'option' : 'subcommand';
  const guess = didYouMean(sub, sub.startsWith('-') ? ['--help'] : names);
  const suffix = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
  throw new UsageError(`unknown ${kind} '${sub}'${suffix}`, group);
}

function unknownCommand(command: string): UsageError {
  if (command.startsWith('-')) {
    const guess = didYouMean(command, ['--help', '--version']);
    const suffix = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
    return new UsageError(`unknown option '${command}'${suffix}`);
  }
  // "threshold explain" means "threshold plan explain": suggest full command names.
  const subcommands = ['explain', 'schema'];
  const guess = subcommands.includes(command)
    ? command
    : didYouMean(command, COMMAND_NAMES.concat(subcommands));
  const full = guess === 'explain' || guess === 'schema' ? `plan ${guess}` : guess;
  const suffix = full === undefined ? '' : ` (did you mean '${full}'?)`;
  return new UsageError(`unknown command '${command}'${suffix}`);
}

function showHelp(topic: readonly string[], io: Io): number {
  const name = topic.join(' ');
  const text = helpText(name);
  if (text === undefined) {
    const guess = didYouMean(name, COMMAND_NAMES);
    const suffix = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
    throw new UsageError(`no help for unknown command '${name}'${suffix}`);
  }
  io.stdout.write(text);
  return EXIT.ok;
}
