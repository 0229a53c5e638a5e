/**
 * Time rules of an environment: freeze windows and allowed hours. Outside
 * them nothing advances (a rollback and a pause always may). Pure: the live
 * controller and the rehearsal both pass the rules with the evidence, so a
 * rehearsal meets the same closed hours a launch will.
 */

/** Weekdays as the rules name them (UTC). */
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

/** When advancing is allowed: these weekdays, between two times of day (UTC). */
export interface AllowedHours {
  days: Weekday[];
  /** Minutes after midnight UTC: from inclusive, to exclusive. */
  fromMinute: number;
  toMinute: number;
}

/** The time rules of one environment. */
export interface TimeRules {
  /** The environment's name, for the words. */
  environment?: string;
  freezes?: FreezeWindow[];
  allowedHours?: AllowedHours;
}

/** Whether advancing is allowed at a time, and if not, why and until when. */
export type TimeRuleVerdict =
  | { open: true }
  | { open: false; reason: string; /** When it opens again (ms), when known. */ until: number };

const DAY = 86_400_000;

/** The verdict of `rules` at `now` (open when there are no rules). Never throws. */
export function timeRuleAt(rules: TimeRules | undefined, now: number): TimeRuleVerdict {
  if (rules === undefined || rules === null || !Number.isFinite(now)) return { open: true };
  const where = rules.environment === undefined ? '' : ` of ${rules.environment}`;
  for (const f of Array.isArray(rules.freezes) ? rules.freezes : []) {
    if (now >= f.from && now < f.to)
      return {
        open: false,
        reason: `the freeze window${where} until ${iso(f.to)}${f.reason === undefined ? '' : ` (${f.reason})`}`,
        until: f.to,
      };
  }
  const h = rules.allowedHours;
  if (h !== undefined && !inHours(h, now)) {
    const until = nextOpening(h, now);
    return {
      open: false,
      reason: `outside the allowed hours${where} (${h.days.join(', ')} ${hhmm(h.fromMinute)}–${hhmm(h.toMinute)} UTC)${until === null ? '' : `; next opening ${iso(until)}`}`,
      until: until ?? Number.POSITIVE_INFINITY,
    };
  }
  return { open: true };
}

function inHours(h: AllowedHours, now: number): boolean {
  const d = new Date(now);
  const day = WEEKDAYS[d.getUTCDay()] as Weekday;
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  return h.days.includes(day) && minute >= h.fromMinute && minute < h.toMinute;
}

/** The next time the hours open after `now`, or null when they never do. */
function nextOpening(h: AllowedHours, now: number): number | null {
  const midnight = Math.floor(now / DAY) * DAY;
  for (let i = 0; i <= 7; i++) {
    const t = midnight + i * DAY + h.fromMinute * 60_000;
    if (t > now && inHours(h, t)) return t;
  }
  return null;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(':00.000Z', 'Z');
}
