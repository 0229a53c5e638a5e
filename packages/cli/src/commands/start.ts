/** `threshold start`: the server lands in a later version; say so plainly and point at what works. */
import { parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';

export const START_MESSAGE = `The Threshold server is not part of this version yet: 'threshold start' has nothing to start.
What works now:
  threshold validate PLAN...       check launch plans and report every problem
  threshold plan explain PLAN      summarize a plan: phases, KPIs, risks, sign-off, readiness
  threshold plan schema            print the plan's JSON Schema
`;

export function runStart(args: readonly string[], io: Io): number {
  const parsed = parseCommandArgs(args, { name: 'start', flags: [], positionals: 'none' });
  io.stdout.write(parsed.help ? (helpText('start') ?? '') : START_MESSAGE);
  return 0;
}
