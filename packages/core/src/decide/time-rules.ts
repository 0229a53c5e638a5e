/**
 * Time rules of an environment: freeze windows and allowed hours. Outside
 * them nothing advances (a rollback and a pause always may). Pure: the live
 * controller and the rehearsal both pass the rules with the evidence, so a
 * rehearsal meets the same closed hours a launch will.
 */

/** Weekdays as the rules name them (in the rules' time zone, UTC by default). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** One weekday. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A window in which nothing advances. */
export interface FreezeWindow {
  /** Start and end (ms since the epoch, end exclusive). */
  from: number;
  to: number;
  reason?: string;
}

/** When advancing is allowed: these weekdays, between two times of day (in the rules' time zone). */
export interface AllowedHours {
  days: Weekday[];
  /** Minutes after local midnight: from inclusive, to exclusive. */
  fromMinute: number;
  toMinute: number;
}

/** The time rules of one environment. */
export interface TimeRules {
  /** The environment's name, for the words. */
  environment?: string;
  freezes?: FreezeWindow[];
  allowedHours?: AllowedHours;
  /**
   * IANA time zone (e.g. Europe/Berlin) the allowed hours are read in, so
   * 09:00 stays 09:00 across daylight saving. Default UTC. Freeze windows are
   * instants already; their words name this zone's offset.
   */
  timezone?: string;
}

/** Whether advancing is allowed at a time, and if not, why and until when. */
export type TimeRuleVerdict =
  | { open: true }
  | { open: false; reason: string; /** When it opens again (ms), when known. */ until: number };

/** The verdict of `rules` at `now` (open when there are no rules). Never throws. */
export function timeRuleAt(rules: TimeRules | undefined, now: number): TimeRuleVerdict {
  if (rules === undefined || rules === null || !Number.isFinite(now)) return { open: true };
  const where = rules.environment === undefined ? '' : ` of ${rules.environment}`;
  const zone = zoneOf(rules.timezone);
  const iso = (ms: number) => zone.iso(ms);
  for (const f of Array.isArray(rules.freezes) ? rules.freezes : []) {
    if (now >= f.from && now < f.to)
      return {
        open: false,
        reason: `the freeze window${where} until ${iso(f.to)}${f.reason === undefined ? '' : ` (${f.reason})`}`,
        until: f.to,
      };
  }
  const h = rules.allowedHours;
  if (h !== undefined && !inHours(h, zone, now)) {
    const until = nextOpening(h, zone, now);
    return {
      open: false,
      reason: `outside the allowed hours${where} (${hoursText(h, zone)})${until === null ? '' : `; next opening ${iso(until)}`}`,
      until: until ?? Number.POSITIVE_INFINITY,
    };
  }
  return { open: true };
}

/** The rules in words, for a rehearsal's report: which time rules applied. */
export function describeTimeRules(rules: TimeRules): string {
  const zone = zoneOf(rules.timezone);
  const parts: string[] = [];
  const freezes = rules.freezes ?? [];
  if (freezes.length > 0)
    parts.push(
      `no advance in the freeze window${freezes.length === 1 ? '' : 's'} ${freezes
        .map(
          (f) =>
            `${zone.iso(f.from)}–${zone.iso(f.to)}${f.reason === undefined ? '' : ` (${f.reason})`}`,
        )
        .join(', ')}`,
    );
  if (rules.allowedHours !== undefined)
    parts.push(`advance only in the allowed hours ${hoursText(rules.allowedHours, zone)}`);
  const what = parts.length === 0 ? 'none' : parts.join('; ');
  return `Time rules${rules.environment === undefined ? '' : ` of ${rules.environment}`}: ${what}.`;
}

/** A time zone's wall clock: UTC without a database, else Intl's. */
interface Zone {
  name: string;
  /** The local weekday and minute of the day at `ms`. */
  local(ms: number): { day: Weekday; minute: number; y: number; m: number; d: number };
  /** The instant of a local date and minute (the later reading in a repeated hour). */
  instant(y: number, m: number, d: number, minute: number): number;
  iso(ms: number): string;
}

const zones = new Map<string, Zone>();

function zoneOf(name: string | undefined): Zone {
  const key = name ?? 'UTC';
  let z = zones.get(key);
  if (z === undefined) {
    // An unknown name is refused where the rules are read (isTimeZone); here UTC keeps this total.
    z = key === 'UTC' || !isTimeZone(key) ? UTC : intlZone(key);
    zones.set(key, z);
  }
  return z;
}

const UTC: Zone = {
  name: 'UTC',
  local(ms) {
    const d = new Date(ms);
    return {
      day: WEEKDAYS[d.getUTCDay()] as Weekday,
      minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
      y: d.getUTCFullYear(),
      m: d.getUTCMonth(),
      d: d.getUTCDate(),
    };
  },
  instant: (y, m, d, minute) => Date.UTC(y, m, d) + minute * 60_000,
  iso: (ms) => new Date(ms).toISOString().replace(':00.000Z', 'Z'),
};

/** Whether `name` is a time zone this runtime knows (IANA names, e.g. Europe/Berlin). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function intlZone(name: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const fields = (ms: number) => {
    const out: Record<string, number> = {};
    for (const p of format.formatToParts(ms))
      if (p.type !== 'literal') out[p.type] = Number(p.value);
    const y = out['year'] ?? 1970;
    const m = (out['month'] ?? 1) - 1;
    const d = out['day'] ?? 1;
    const minute = (out['hour'] ?? 0) * 60 + (out['minute'] ?? 0);
    return { y, m, d, minute };
  };
  // Local time minus UTC at an instant (ms), whole minutes.
  const offset = (ms: number) => {
    const f = fields(ms);
    return Date.UTC(f.y, f.m, f.d) + f.minute * 60_000 - Math.floor(ms / 60_000) * 60_000;
  };
  return {
    name,
    local(ms) {
      const f = fields(ms);
      return { ...f, day: WEEKDAYS[new Date(Date.UTC(f.y, f.m, f.d)).getUTCDay()] as Weekday };
    },
    instant(y, m, d, minute) {
      const wall = Date.UTC(y, m, d) + minute * 60_000;
      // Two passes settle on an offset valid at the result, across a change.
      const first = wall - offset(wall);
      return wall - offset(first);
    },
    iso(ms) {
      const o = offset(ms) / 60_000;
      const sign = o < 0 ? '-' : '+';
      const a = Math.abs(o);
      const local = new Date(Math.floor(ms / 60_000) * 60_000 + o * 60_000).toISOString();
      return `${local.slice(0, 16)}${sign}${hhmm(a)}`;
    },
  };
}

function inHours(h: AllowedHours, zone: Zone, now: number): boolean {
  const l = zone.local(now);
  return h.days.includes(l.day) && l.minute >= h.fromMinute && l.minute < h.toMinute;
}

/** The next time the hours open after `now`, or null when they never do. */
function nextOpening(h: AllowedHours, zone: Zone, now: number): number | null {
  const l = zone.local(now);
  for (let i = 0; i <= 7; i++) {
    const t = zone.instant(l.y, l.m, l.d + i, h.fromMinute);
    if (t > now && inHours(h, zone, t)) return t;
  }
  return null;
}

function hoursText(h: AllowedHours, zone: Zone): string {
  return `${h.days.join(', ')} ${hhmm(h.fromMinute)}–${hhmm(h.toMinute)} ${zone.name}`;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An ISO time as an instant (ms): with Z or an offset as written; without one
 * (2026-12-20 or 2026-12-20T00:00) on the clock of `timezone` (default UTC).
 * NaN when it is not a time.
 */
export function parseZonedTime(text: string, timezone?: string): number {
  const m = LOCAL_TIME.exec(text);
  if (m === null) return /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  if (
    (mo ?? 0) < 1 ||
    (mo ?? 0) > 12 ||
    (d ?? 0) < 1 ||
    (d ?? 0) > 31 ||
    (h ?? 0) > 23 ||
    (mi ?? 0) > 59
  )
    return Number.NaN;
  return (
    zoneOf(timezone).instant(y ?? 0, (mo ?? 1) - 1, d ?? 1, (h ?? 0) * 60 + (mi ?? 0)) +
    (sec ?? 0) * 1000
  );
}
