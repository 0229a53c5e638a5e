/**
 * Plan validation as a seam: a big or hostile plan takes seconds of CPU, which
 * must not run on the event loop that answers /healthz, the SDK and ingest.
 */
import type { PlanParseResult } from '@threshold/core';

/** Validates plan sources; implementations decide where the CPU work runs. */
export interface PlanValidator {
  /** parsePlan(source, { file }), wherever this validator runs it. */
  validate(source: string, file: string): Promise<PlanParseResult>;
  /** Ends any thread it started; pending validations reject. Idempotent. */
  close(): Promise<void>;
}
