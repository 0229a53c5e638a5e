/**
 * The demo's two plans live in examples/demo/ where people read them; the demo
 * loads them from there. `speed` shortens every duration for tests, which also
 * send traffic that much faster, so each phase sees the same units.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo plans' folder in this repository (examples/demo). */
export const DEMO_PLAN_DIR = fileURLToPath(new URL('../../../../examples/demo/', import.meta.url));

/** The two demo launches: one healthy, one with a regression under load. */
export const DEMO_PLAN_FILES = {
  healthy: 'checkout-v2.yaml',
  regressing: 'search-v3.yaml',
} as const;

/** Divide every `min_duration` and `bake` written in seconds by `speed` (at least 1s). */
export function scaleDurations(source: string, speed: number): string {
  if (speed === 1) return source;
  return source.replace(
    /\b(min_duration|bake): (\d+)s\b/g,
    (_, key: string, secs: string) => `${key}: ${Math.max(1, Math.round(Number(secs) / speed))}s`,
  );
}

/** Read the demo plans (YAML text), durations scaled by `speed`. */
export async function readDemoPlans(
  dir: string = DEMO_PLAN_DIR,
  speed = 1,
): Promise<{ healthy: string; regressing: string }> {
  const read = (file: string) => readFile(join(dir, file), 'utf8');
  return {
    healthy: scaleDurations(await read(DEMO_PLAN_FILES.healthy), speed),
    regressing: scaleDurations(await read(DEMO_PLAN_FILES.regressing), speed),
  };
}
