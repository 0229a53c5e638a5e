/**
 * The dominance alert (ADR 0019): when one token supplies most of a phase's units
 * (see launches/evidence-integrity.ts), one `integrity` message goes through the
 * outbox to the default channel, once per launch, phase and token (its
 * idempotency key), so a restart or a second replica never sends it twice.
 */
import type { Plan } from '@threshold/core';
import { readEvidenceIntegrity } from '../launches/evidence-integrity.js';
import type { EvidenceIntegrity } from '../launches/evidence-integrity.js';
import type { LaunchRecord, Store } from '../store/store.js';

/** What a receiver is sent when one token dominates a phase's evidence. */
export interface IntegrityEvent {
  event: 'launch.evidence-dominated';
  /** The idempotency key. */
  id: string;
  launch: { id: string; plan: string; planVersion: number; flag: string; owner: string };
  phase: string;
  /** ISO time the controller saw it. */
  at: string;
  token: { id: string; name: string; units: number; share: number };
  /** Units of the phase from every token. */
  units: number;
  reason: string;
}

/** Payload of an `integrity` outbox message. */
export interface IntegrityPayload {
  event: IntegrityEvent;
}

/** Looks for a dominant token at each look; enqueues each alert once. */
export function createIntegrityAlerts(store: Store): {
  check(launch: LaunchRecord, plan: Plan, now: number): Promise<EvidenceIntegrity>;
} {
  // Keys enqueued by this process: spares a write per look while the dominance lasts.
  const sent = new Set<string>();
  return {
    async check(launch, plan, now) {
      const integrity = await readEvidenceIntegrity(store, launch, plan);
      const d = integrity.dominant;
      if (d === null) return integrity;
      const id = `${launch.id}:dominance:${integrity.phase}:${d.tokenId}`;
      if (sent.has(id)) return integrity;
      const units = integrity.tokens.reduce((n, t) => n + t.units, 0);
      const percent = `${Math.round(d.share * 1000) / 10}%`;
      const event: IntegrityEvent = {
        event: 'launch.evidence-dominated',
        id,
        launch: {
          id: launch.id,
          plan: launch.planName,
          planVersion: launch.planVersion,
          flag: plan.flag,
          owner: plan.owner,
        },
        phase: integrity.phase,
        at: new Date(now).toISOString(),
        token: { id: d.tokenId, name: d.name, units: d.units, share: d.share },
        units,
        reason: `token '${d.name}' supplied ${percent} of the ${units} units of phase ${integrity.phase}: check it is not forging evidence (revoke it, or limit it with --flags and --max-units-per-minute)`,
      };
      const payload: IntegrityPayload = { event };
      await store.enqueueOutbox({ idempotencyKey: id, kind: 'integrity', payload });
      sent.add(id);
      return integrity;
    },
  };
}
