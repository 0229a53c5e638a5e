/** The plan validator that runs parsePlan on the calling thread (tests from source, tiny tools). */
import { parsePlan } from '@threshold/core';
import type { PlanValidator } from './plan-validator.js';

/** Validates on the current thread. */
export function inlinePlanValidator(): PlanValidator {
  return {
    validate: (source, file) => Promise.resolve(parsePlan(source, { file })),
    close: () => Promise.resolve(),
  };
}
