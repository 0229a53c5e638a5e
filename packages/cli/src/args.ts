/** Command-line flags: node:util parseArgs, with our own messages for mistakes. */
import { parseArgs } from 'node:util';
import { didYouMeanSuffix } from '@threshold/core';
import { UsageError } from './usage-error.js';

/** What a command accepts. Every flag is a boolean switch; -h/--help is always accepted. */
export interface CommandSpec {
  /** Full command name as typed after `threshold`, e.g. "plan explain". */
  name: string;
  /** Boolean flags, by long name. */
  flags: readonly string[];
  /** How many positional arguments: exactly one, one or more, or none. */
  positionals: 'one' | 'many' | 'none';
  /** Name of the positional for messages, e.g. "PLAN". */
  positionalName?: string;
}

export interface ParsedArgs {
  flags: Set<string>;
  positionals: string[];
  help: boolean;
}

/** Parse a command's arguments; throws UsageError for unknown flags and wrong argument counts. */
export function parseCommandArgs(args: readonly string[], spec: CommandSpec): ParsedArgs {
  const { tokens } = parseArgs({
    args: [...args],
    options: {},
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  const known = ['help', ...spec.flags];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help' || token.name === 'h') {
      help = true;
      continue;
    }
    if (!spec.flags.includes(token.name)) {
      const candidates = known.map((k) => `--${k}`);
      throw new UsageError(
        `unknown option '${token.rawName}'${didYouMeanSuffix(token.rawName, candidates)}`,
        spec.name,
      );
    }
    if (token.inlineValue === true) {
      throw new UsageError(`option '--${token.name}' takes no value`, spec.name);
    }
    flags.add(token.name);
  }
  if (help) return { flags, positionals, help };
  const what = spec.positionalName ?? 'argument';
  if (spec.positionals === 'none' && positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`, spec.name);
  }
  if (spec.positionals !== 'none' && positionals.length === 0) {
    throw new UsageError(`missing ${what}: name a plan file, e.g. plan.yaml`, spec.name);
  }
  if (spec.positionals === 'one' && positionals.length > 1) {
    throw new UsageError(
      `takes one ${what}, got ${positionals.length}: ${positionals.join(' ')}`,
      spec.name,
    );
  }
  return { flags, positionals, help };
}
