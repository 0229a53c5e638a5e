/** `threshold plan schema`: the plan's JSON Schema, exactly as committed at schema/plan.schema.json. */
import { planJsonSchema } from '@threshold/core';
import { parseCommandArgs } from '../args.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';

/** The text `plan schema` prints (and schema/plan.schema.json holds). */
export function planSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

export function runPlanSchema(args: readonly string[], io: Io): number {
  const parsed = parseCommandArgs(args, { name: 'plan schema', flags: [], positionals: 'none' });
  io.stdout.write(parsed.help ? (helpText('plan schema') ?? '') : planSchemaText());
  return 0;
}
