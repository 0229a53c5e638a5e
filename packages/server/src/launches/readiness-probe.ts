/**
 * Automated readiness checks (ADR 0036): the server GETs each blocking check's
 * probe URL before a launch starts and at every look, and the check passes
 * when the answer has the plan's status. decide() holds the phase while one
 * fails (rule readiness-check); the start is refused naming it.
 */
import type { CheckEvidence, Plan } from '@threshold/core';

/** How long one probe may take before it counts as failing. */
export const PROBE_TIMEOUT_MS = 5000;

/** Whether the plan has any blocking probe (so looks need not probe otherwise). */
export function hasBlockingProbes(plan: Plan): boolean {
  return plan.readiness.some((r) => r.blocking && r.probe !== undefined);
}

/** Probes every blocking probe check of `plan`, in parallel. */
export async function probeReadiness(plan: Plan, signal?: AbortSignal): Promise<CheckEvidence[]> {
  const items = plan.readiness.filter((r) => r.blocking && r.probe !== undefined);
  return Promise.all(
    items.map(async (r): Promise<CheckEvidence> => {
      const probe = r.probe;
      if (probe === undefined) return { check: r.check, passed: true, reason: 'no probe' };
      const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
      try {
        const res = await fetch(probe.url, {
          redirect: 'manual',
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        await res.body?.cancel();
        return res.status === probe.status
          ? { check: r.check, passed: true, reason: `GET ${probe.url} answered ${res.status}` }
          : {
              check: r.check,
              passed: false,
              reason: `GET ${probe.url} answered ${res.status}, expected ${probe.status}`,
            };
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (err as { name?: string }).name === 'TimeoutError'
            ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
            : (cause?.code ?? cause?.message ?? String(err));
        return { check: r.check, passed: false, reason: `GET ${probe.url} failed: ${why}` };
      }
    }),
  );
}
