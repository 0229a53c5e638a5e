/**
 * What the launch view and the controller say about a launch's evidence integrity
 * (ADR 0019): exposures quarantined per reason, and who supplied the current
 * phase's units, per token, with the dominant token if one supplies too much.
 */
import { z } from 'zod';
import type { Plan } from '@threshold/core';
import type { EvidenceContribution, LaunchRecord, Store } from '../store/store.js';

/** A token holding at least this share of a phase's units dominates its evidence... */
export const DOMINANCE_SHARE = 0.8;
/** ...once the phase has this many units (fewer say little)... */
export const DOMINANCE_MIN_UNITS = 100;
/** ...and the launch has evidence from more than one token (with one token there is no one to compare). */
export const DOMINANCE_MIN_TOKENS = 2;

const quarantinedSchema = z.object({
  'arm-mismatch': z.number().int(),
  'phase-not-live': z.number().int(),
  'out-of-scope': z.number().int(),
  'over-cap': z.number().int(),
});

const tokenShareSchema = z.object({
  tokenId: z.string(),
  name: z.string().meta({ description: 'The token name, or its id if it was deleted.' }),
  units: z.number().int().meta({ description: 'New units it exposed in the phase (folded).' }),
  share: z.number().meta({ description: 'Its share of the phase’s folded units, 0..1.' }),
});

/** The `integrity` field of a launch view. */
export const evidenceIntegritySchema = z
  .object({
    phase: z.string(),
    quarantined: quarantinedSchema.meta({
      description:
        'Exposures of the launch (all phases) refused by the projection, per reason; never folded into the evidence.',
    }),
    tokens: z
      .array(tokenShareSchema)
      .meta({ description: 'Who supplied the current phase’s units.' }),
    dominant: tokenShareSchema.nullable().meta({
      description: `A token supplying at least ${DOMINANCE_SHARE * 100}% of the phase's units (at ${DOMINANCE_MIN_UNITS}+ units, with ${DOMINANCE_MIN_TOKENS}+ tokens feeding the launch), else null.`,
    }),
  })
  .meta({ title: 'EvidenceIntegrity' });

/** A launch's evidence integrity. */
export type EvidenceIntegrity = z.infer<typeof evidenceIntegritySchema>;

/** Integrity of a launch from its contributions (token names from `names`, else the id). */
export function evidenceIntegrityOf(
  phase: string,
  rows: readonly EvidenceContribution[],
  names: ReadonlyMap<string, string>,
): EvidenceIntegrity {
  const quarantined = { 'arm-mismatch': 0, 'phase-not-live': 0, 'out-of-scope': 0, 'over-cap': 0 };
  const feeding = new Set<string>();
  const units = new Map<string, number>();
  for (const r of rows) {
    for (const k of Object.keys(quarantined) as (keyof typeof quarantined)[])
      quarantined[k] += r.quarantined[k];
    if (r.units > 0) feeding.add(r.tokenId);
    if (r.phase === phase && r.units > 0)
      units.set(r.tokenId, (units.get(r.tokenId) ?? 0) + r.units);
  }
  const total = [...units.values()].reduce((a, b) => a + b, 0);
  const tokens = [...units]
    .map(([tokenId, n]) => ({
      tokenId,
      name: names.get(tokenId) ?? tokenId,
      units: n,
      share: total === 0 ? 0 : n / total,
    }))
    .sort((a, b) => b.units - a.units || (a.tokenId < b.tokenId ? -1 : 1));
  const top = tokens[0];
  const dominant =
    top !== undefined &&
    total >= DOMINANCE_MIN_UNITS &&
    feeding.size >= DOMINANCE_MIN_TOKENS &&
    top.share >= DOMINANCE_SHARE
      ? top
      : null;
  return { phase, quarantined, tokens, dominant };
}

/** Read a launch's evidence integrity from the store. */
export async function readEvidenceIntegrity(
  store: Store,
  launch: LaunchRecord,
  plan: Plan,
): Promise<EvidenceIntegrity> {
  const rows = await store.evidenceContributions(launch.id);
  const names = new Map<string, string>();
  if (rows.length > 0) for (const t of await store.listTokens()) names.set(t.id, t.name);
  const phase = plan.phases[launch.phaseIndex]?.name ?? '';
  return evidenceIntegrityOf(phase, rows, names);
}
