/**
 * A plan's readiness checklist as it stands (ADR 0036): each check with the
 * attestation in force (the latest for it), and whether that one has expired.
 * A blocking check lets a launch start only with a live attestation by someone
 * holding the owner's role; the plan's `evidence` text says where the evidence
 * lives and no longer counts on its own.
 */
import { isAutomatedCheck } from '@threshold/core';
import type { CheckEvidence, Plan } from '@threshold/core';
import type { AttestationRecord, CheckResultRecord, Store } from '../store/store.js';

/** One check of the checklist. */
export interface ReadinessCheckStatus {
  check: string;
  owner: string;
  blocking: boolean;
  /** Where the plan says the evidence lives, if it says. */
  evidence: string | null;
  /**
   * attested: live attestation; expired: the latest one lapsed; missing: never
   * attested; automated: checked by its probe, query or CI's posted result, not attested.
   */
  status: 'attested' | 'expired' | 'missing' | 'automated';
  /** The automated check's probe, if it has one. */
  probe: { url: string; status: number } | null;
  /** The automated check's metric-source query, if it has one (ADR 0042). */
  query: { source: string; promql: string; min: number | null; max: number | null } | null;
  /** A check whose result CI posts (ADR 0042): how old a result may be (ms; null: any age). */
  ci: { maxAgeMs: number | null } | null;
  /** The latest result CI posted for it, if any. */
  result: Omit<CheckResultRecord, 'planName' | 'check'> | null;
  attestation: Omit<AttestationRecord, 'planName' | 'check'> | null;
}

/** The stored plan `planName`'s checklist as it stands at `now`, read from the store. */
export async function readChecklist(
  store: Pick<Store, 'listAttestations' | 'latestCheckResults'>,
  plan: Plan,
  planName: string,
  now: number,
): Promise<ReadinessCheckStatus[]> {
  return readinessStatus(
    plan,
    await store.listAttestations(planName),
    now,
    await store.latestCheckResults(planName),
  );
}

/** The checklist of `plan` given its attestations and CI results, at `now` (ms). */
export function readinessStatus(
  plan: Plan,
  attestations: readonly AttestationRecord[],
  now: number,
  results: readonly CheckResultRecord[] = [],
): ReadinessCheckStatus[] {
  return plan.readiness.map((item) => {
    let latest: AttestationRecord | undefined;
    for (const a of attestations) if (a.check === item.check) latest = a;
    const attestation =
      latest === undefined
        ? null
        : {
            id: latest.id,
            role: latest.role,
            subject: latest.subject,
            actor: latest.actor,
            note: latest.note,
            link: latest.link,
            at: latest.at,
            expiresAt: latest.expiresAt,
          };
    return {
      check: item.check,
      owner: item.owner,
      blocking: item.blocking,
      evidence: item.evidence ?? null,
      ci: item.ci === undefined ? null : { maxAgeMs: item.ci.max_age ?? null },
      result: resultOf(results, item.check),
      probe: item.probe === undefined ? null : { url: item.probe.url, status: item.probe.status },
      query:
        item.query === undefined
          ? null
          : {
              source: item.query.source,
              promql: item.query.promql,
              min: item.query.min ?? null,
              max: item.query.max ?? null,
            },
      status: isAutomatedCheck(item)
        ? 'automated'
        : latest === undefined
          ? 'missing'
          : Date.parse(latest.expiresAt) > now
            ? 'attested'
            : 'expired',
      attestation,
    };
  });
}

/** Why each blocking check holds a start: never attested, or the attestation expired. */
export function blockingReasons(
  checklist: readonly ReadinessCheckStatus[],
): { check: string; owner: string; reason: string }[] {
  return checklist
    .filter((c) => c.blocking && c.status !== 'attested' && c.status !== 'automated')
    .map((c) => ({
      check: c.check,
      owner: c.owner,
      reason:
        c.attestation === null
          ? `not attested by ${c.owner}`
          : `attested by ${c.attestation.actor} on ${c.attestation.at}, expired ${c.attestation.expiresAt}`,
    }));
}

function resultOf(
  results: readonly CheckResultRecord[],
  check: string,
): ReadinessCheckStatus['result'] {
  let latest: CheckResultRecord | undefined;
  for (const r of results)
    if (r.check === check && (latest === undefined || r.id > latest.id)) latest = r;
  if (latest === undefined) return null;
  const { planName: _p, check: _c, ...view } = latest;
  return view;
}

/**
 * The attested blocking checks as look evidence (ADR 0042): one whose latest
 * attestation has lapsed fails, so a running launch holds its next advance
 * until the owner attests again. A check never attested passes here: only
 * launches from before attestations existed can run without one, and the
 * start already refused every other.
 */
export function attestedCheckEvidence(checklist: readonly ReadinessCheckStatus[]): CheckEvidence[] {
  return checklist
    .filter((c) => c.blocking && c.status !== 'automated')
    .map((c) =>
      c.status === 'expired' && c.attestation !== null
        ? {
            check: c.check,
            passed: false,
            reason: `the attestation by ${c.attestation.actor} expired ${c.attestation.expiresAt}; ${c.owner} must attest it again`,
          }
        : {
            check: c.check,
            passed: true,
            reason:
              c.attestation === null
                ? 'not attested'
                : `attested by ${c.attestation.actor} until ${c.attestation.expiresAt}`,
          },
    );
}
