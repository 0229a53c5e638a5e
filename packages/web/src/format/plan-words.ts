/**
 * Plan parts in words for the dashboard: core's phrasing (the one `threshold plan
 * explain` prints), re-exported so the screens import words from one place. Core's
 * words modules are zod-free, so this pulls no schema into the bundle (a test
 * checks the built app).
 */
export { actionInWords, actionsInWords, guardInWords, kindInWords } from '@threshold/core';
