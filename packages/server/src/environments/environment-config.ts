/**
 * The environments a server defines (ADR 0032): names, each one's promotion
 * policy and time rules. `production` always exists, so a server configured
 * with nothing keeps working as before. A bad entry stops the start with the
 * entry and field named: a rule is never silently dropped.
 *
 * From THRESHOLD_ENVIRONMENTS_FILE (JSON), or THRESHOLD_ENVIRONMENTS (names,
 * comma-separated, no rules), or the `environments` start option (the file's shape):
 *   { "environments": {
 *       "staging": {},
 *       "production": {
 *         "requires": { "environment": "staging", "bake": "1h" },
 *         "freezes": [{ "from": "2026-12-20T00:00:00Z", "to": "2027-01-04T00:00:00Z", "reason": "holidays" }],
 *         "allowed_hours": { "days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "17:00" },
 *         "timezone": "Europe/Berlin" } } }
 * `timezone` (IANA, default UTC) is the clock of the allowed hours and of freeze
 * times written without an offset.
 */
import { readFileSync } from 'node:fs';
import { WEEKDAYS, isTimeZone, parseDuration, parseZonedTime } from '@threshold/core';
import type { TimeRules, Weekday } from '@threshold/core';
import { DEFAULT_ENVIRONMENT } from '../store/index.js';

/** One environment and its rules. */
export interface EnvironmentConfig {
  name: string;
  /** Promotion policy: a plan version must have completed in `environment` (at least `bakeMs` ago) before it starts here. */
  requires?: { environment: string; bakeMs: number };
  /** Freeze windows and allowed hours (none: always open). */
  timeRules?: TimeRules;
}

/** The shape of the file and the start option: environments by name. */
export type EnvironmentsInput = Record<string, unknown>;

/** A configuration that cannot be used, naming the entry and field. */
export class EnvironmentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentConfigError';
  }
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

type Env = Record<string, string | undefined>;

/** The server's environments: from the start option, else the environment variables. */
export function loadEnvironmentConfigs(
  input: EnvironmentsInput | undefined,
  env: Env = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): EnvironmentConfig[] {
  if (input !== undefined) return parseEnvironments(input, 'environments');
  const file = env['THRESHOLD_ENVIRONMENTS_FILE']?.trim();
  if (file !== undefined && file !== '') {
    let doc: unknown;
    try {
      doc = JSON.parse(readFile(file));
    } catch (err) {
      throw new EnvironmentConfigError(
        `THRESHOLD_ENVIRONMENTS_FILE ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const envs = (doc as { environments?: unknown } | null)?.environments;
    if (typeof envs !== 'object' || envs === null || Array.isArray(envs))
      throw new EnvironmentConfigError(`${file}: expected { "environments": { "<name>": { … } } }`);
    return parseEnvironments(envs as EnvironmentsInput, file);
  }
  const names = env['THRESHOLD_ENVIRONMENTS']?.trim();
  if (names !== undefined && names !== '')
    return parseEnvironments(
      Object.fromEntries(names.split(',').map((n) => [n.trim(), {}])),
      'THRESHOLD_ENVIRONMENTS',
    );
  return [{ name: DEFAULT_ENVIRONMENT }];
}

/** Parse environments by name; production is added when missing. */
export function parseEnvironments(input: EnvironmentsInput, where: string): EnvironmentConfig[] {
  const out: EnvironmentConfig[] = [];
  for (const [name, raw] of Object.entries(input)) {
    const at = `${where}: environment ${JSON.stringify(name)}`;
    if (!NAME.test(name))
      throw new EnvironmentConfigError(
        `${at}: a name is lowercase letters, digits and dashes, starting with a letter`,
      );
    const entry = (raw ?? {}) as Record<string, unknown>;
    if (typeof entry !== 'object' || Array.isArray(entry))
      throw new EnvironmentConfigError(`${at}: expected an object`);
    for (const key of Object.keys(entry))
      if (!['requires', 'freezes', 'allowed_hours', 'timezone'].includes(key))
        throw new EnvironmentConfigError(
          `${at}: unknown field ${key} (fields: requires, freezes, allowed_hours, timezone)`,
        );
    const timezone = entry['timezone'];
    if (timezone !== undefined && (typeof timezone !== 'string' || !isTimeZone(timezone)))
      throw new EnvironmentConfigError(
        `${at}: timezone must be an IANA time zone name such as Europe/Berlin, got ${JSON.stringify(timezone)}`,
      );
    const config: EnvironmentConfig = { name };
    if (entry['requires'] !== undefined) config.requires = requires(entry['requires'], at);
    const freezes =
      entry['freezes'] === undefined ? undefined : freezeList(entry['freezes'], at, timezone);
    const hours =
      entry['allowed_hours'] === undefined ? undefined : allowedHours(entry['allowed_hours'], at);
    // A timezone alone is kept, so the listing names the clock the rules would use.
    if (freezes !== undefined || hours !== undefined || timezone !== undefined)
      config.timeRules = {
        environment: name,
        ...(timezone === undefined ? {} : { timezone }),
        ...(freezes === undefined ? {} : { freezes }),
        ...(hours === undefined ? {} : { allowedHours: hours }),
      };
    out.push(config);
  }
  if (!out.some((e) => e.name === DEFAULT_ENVIRONMENT)) out.push({ name: DEFAULT_ENVIRONMENT });
  const names = out.map((e) => e.name);
  for (const e of out) {
    const r = e.requires?.environment;
    if (r !== undefined && !names.includes(r))
      throw new EnvironmentConfigError(
        `${where}: environment ${e.name}: requires.environment ${r} is not defined (environments: ${names.join(', ')})`,
      );
    if (r === e.name)
      throw new EnvironmentConfigError(
        `${where}: environment ${e.name}: requires.environment cannot name itself`,
      );
  }
  return out;
}

function requires(raw: unknown, at: string): { environment: string; bakeMs: number } {
  const r = raw as { environment?: unknown; bake?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.environment !== 'string')
    throw new EnvironmentConfigError(
      `${at}: requires must be { "environment": "<name>", "bake": "<duration>" }`,
    );
  let bakeMs = 0;
  if (r.bake !== undefined) {
    const d = parseDuration(r.bake);
    if (!d.ok) throw new EnvironmentConfigError(`${at}: requires.bake: ${d.message}`);
    bakeMs = d.value;
  }
  return { environment: r.environment, bakeMs };
}

function freezeList(
  raw: unknown,
  at: string,
  timezone: string | undefined,
): NonNullable<TimeRules['freezes']> {
  if (!Array.isArray(raw))
    throw new EnvironmentConfigError(`${at}: freezes must be a list of { from, to, reason }`);
  return raw.map((f: unknown, i) => {
    const w = f as { from?: unknown; to?: unknown; reason?: unknown } | null;
    const from = typeof w?.from === 'string' ? parseZonedTime(w.from, timezone) : Number.NaN;
    const to = typeof w?.to === 'string' ? parseZonedTime(w.to, timezone) : Number.NaN;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
      throw new EnvironmentConfigError(
        `${at}: freezes[${i}]: from and to must be ISO times (without an offset: in the timezone) with to after from`,
      );
    if (w?.reason !== undefined && typeof w.reason !== 'string')
      throw new EnvironmentConfigError(`${at}: freezes[${i}].reason must be text`);
    return { from, to, ...(typeof w?.reason === 'string' ? { reason: w.reason } : {}) };
  });
}

function allowedHours(raw: unknown, at: string): NonNullable<TimeRules['allowedHours']> {
  const h = raw as { days?: unknown; from?: unknown; to?: unknown } | null;
  const days = h?.days ?? [...WEEKDAYS];
  if (
    !Array.isArray(days) ||
    days.length === 0 ||
    days.some((d) => !(WEEKDAYS as readonly unknown[]).includes(d))
  )
    throw new EnvironmentConfigError(
      `${at}: allowed_hours.days must list weekdays (${WEEKDAYS.join(', ')})`,
    );
  const minute = (v: unknown, field: string): number => {
    const m = typeof v === 'string' ? HHMM.exec(v) : null;
    if (m === null)
      throw new EnvironmentConfigError(
        `${at}: allowed_hours.${field} must be HH:MM (in the timezone)`,
      );
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const fromMinute = minute(h?.from, 'from');
  const toMinute = minute(h?.to, 'to');
  if (toMinute <= fromMinute)
    throw new EnvironmentConfigError(`${at}: allowed_hours.to must be after from (same day)`);
  return { days: days as Weekday[], fromMinute, toMinute };
}
