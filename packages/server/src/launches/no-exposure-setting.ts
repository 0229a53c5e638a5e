/**
 * When a running launch warns that nobody is exposed: a server setting, not a
 * plan field, because it watches the server's own plumbing (SDKs reaching it,
 * an audience that matches someone) rather than the launch's evidence; a
 * rehearsal has no plumbing to watch (ADR 0027).
 */
import { parseDuration } from '@threshold/core';

/** Default time without any exposure in a live phase before the warning: 5 minutes. */
export const DEFAULT_NO_EXPOSURE_WARNING_MS = 5 * 60_000;

/** The environment variable of the setting: a duration (`5m`, `90s`) or `off`. */
export const NO_EXPOSURE_WARNING_VARIABLE = 'THRESHOLD_NO_EXPOSURE_WARNING';

/**
 * The setting from the environment: null for `off`, the default when unset. A
 * bad value stops the start with a message naming the variable.
 */
export function noExposureWarningFromEnv(
  env: Record<string, string | undefined> = process.env,
): number | null {
  const raw = env[NO_EXPOSURE_WARNING_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_NO_EXPOSURE_WARNING_MS;
  if (raw === 'off') return null;
  const parsed = parseDuration(raw);
  if (!parsed.ok || parsed.value <= 0)
    throw new RangeError(
      `${NO_EXPOSURE_WARNING_VARIABLE}: expected a duration such as 5m or 90s, or 'off', got '${raw}'`,
    );
  return parsed.value;
}
