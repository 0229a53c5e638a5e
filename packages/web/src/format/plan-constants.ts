/**
 * Plan vocabulary the screens need at run time. Core defines these next to the
 * plan's zod schema; importing them from there would ship the whole schema (and
 * zod) to the browser, so they are repeated here and type-checked against core's
 * types so they cannot drift silently.
 */
import type { KpiCategory } from '@threshold/core';

/** The three categories of the KPI matrix, in the plan's order. */
export const KPI_CATEGORIES = [
  'efficiency',
  'user-impact',
  'operational-health',
] as const satisfies readonly KpiCategory[];

/** Likelihood 1–5 in words. */
export const LIKELIHOOD_WORDS = [
  'rare',
  'unlikely',
  'possible',
  'likely',
  'almost-certain',
] as const;

/** Impact 1–5 in words. */
export const IMPACT_WORDS = ['negligible', 'minor', 'moderate', 'major', 'severe'] as const;
