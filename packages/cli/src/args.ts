/** Command-line flags: node:util parseArgs, with our own messages for mistakes. */
import { parseArgs } from 'node:util';
import { didYouMeanSuffix } from '@threshold/core';
import { UsageError } from './usage-error.js';

/** What a command accepts: boolean switches and options with a value; -h/--help is always accepted. */
export interface CommandSpec {
  /** Full command name as typed after `threshold`, e.g. "plan explain". */
  name: string;
  /** Boolean flags, by long name. */
  flags: readonly string[];
  /** Options that take a value (`--port 4600` or `--port=4600`), each may repeat. */
  values?: readonly string[];
  /** How many positional arguments: exactly one, one or more, or none. */
  positionals: 'one' | 'many' | 'none';
  /** Name of the positional for messages, e.g. "PLAN". */
  positionalName?: string;
  /** What to say when the positional is missing (default: name a plan file). */
  positionalHint?: string;
}

export interface ParsedArgs {
  flags: Set<string>;
  /** Values of value options, in order, by long name. */
  values: Map<string, string[]>;
  positionals: string[];
  help: boolean;
}

/** Parse a command's arguments; throws UsageError for unknown flags and wrong argument counts. */
export function parseCommandArgs(args: readonly string[], spec: CommandSpec): ParsedArgs {
  const valueNames = spec.values ?? [];
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(
      valueNames.map((n) => [n, { type: 'string' as const, multiple: true }]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  let help = false;
  const known = ['help', ...spec.flags, ...valueNames];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help' || token.name === 'h') {
      help = true;
      continue;
    }
    if (valueNames.includes(token.name)) {
      // `--port --json` would take '--json' as the port: refuse it unless written --port=--json.
      if (
        token.value === undefined ||
        token.value === '' ||
        (token.inlineValue === false && token.value.startsWith('--'))
      ) {
        throw new UsageError(`option '--${token.name}' needs a value`, spec.name);
      }
      values.set(token.name, [...(values.get(token.name) ?? []), token.value]);
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
  if (help) return { flags, values, positionals, help };
  const what = spec.positionalName ?? 'argument';
  if (spec.positionals === 'none' && positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`, spec.name);
  }
  if (spec.positionals !== 'none' && positionals.length === 0) {
    throw new UsageError(
      `missing ${what}: ${spec.positionalHint ?? 'name a plan file, e.g. plan.yaml'}`,
      spec.name,
    );
  }
  if (spec.positionals === 'one' && positionals.length > 1) {
    throw new UsageError(
      `takes one ${what}, got ${positionals.length}: ${positionals.join(' ')}`,
      spec.name,
    );
  }
  return { flags, values, positionals, help };
}

/** The last value of a value option, or undefined. */
export function lastValue(parsed: ParsedArgs, name: string): string | undefined {
  const all = parsed.values.get(name);
  return all === undefined ? undefined : all[all.length - 1];
}
