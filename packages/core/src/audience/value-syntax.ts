import type { AudienceValue } from './audience-constraint.js';

// JSON's number grammar: `007` stays text (a zip code), `1.` and `.5` are text too.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** Characters that end a bare (unquoted) value. */
export const BARE_STOP = /[\s,[\]]/;

/** The value a bare token denotes: a number, a boolean, or else the text itself. */
export function bareValue(token: string): AudienceValue {
  if (NUMBER.test(token)) return Number(token);
  if (token === 'true') return true;
  if (token === 'false') return false;
  return token;
}

/** Whether a string can be written bare and still read back as that same string. */
export function canWriteBare(text: string): boolean {
  if (text === '' || text.startsWith('"') || text.startsWith("'")) return false;
  if (BARE_STOP.test(text)) return false;
  return typeof bareValue(text) === 'string';
}
