import type { Io } from '../io.js';

export function runPlanExplain(_args: readonly string[], io: Io): number {
  io.stderr.write('threshold plan explain: coming next\n');
  return 2;
}
