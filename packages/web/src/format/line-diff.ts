/** The plan-version line diff lives in core (the launch report uses it too). */
export { lineDiff } from '@threshold/core';
export type { DiffLine } from '@threshold/core';
