/**
 * Automated readiness checks (ADRs 0036, 0042), asked before a launch starts
 * and at every look: a probe passes when its URL answers the plan's status; a
 * query passes when its metric source's value now lies within min/max.
 * decide() holds the phase while one fails (rule readiness-check); the start
 * is refused naming it.
 */
import { isAutomatedCheck } from '@threshold/core';
import type { CheckEvidence, Plan, ReadinessItem } from '@threshold/core';
import type { MetricSource } from '../sources/metric-source.js';
import type { CheckResultRecord } from '../store/store.js';

/** What automated checks are asked of: the metric sources, and the results CI posted. */
export interface CheckInputs {
  sources: ReadonlyMap<string, MetricSource>;
  /** The latest posted result per check of the plan (needed only when it has `ci:` checks). */
  results: () => Promise<readonly CheckResultRecord[]>;
  /** Now, in ms (a posted result's age). */
  now: number;
}

/** How long one probe may take before it counts as failing. */
export const PROBE_TIMEOUT_MS = 5000;

/** Whether the plan has any blocking automated check (so looks need not check otherwise). */
export function hasBlockingChecks(plan: Plan): boolean {
  return plan.readiness.some((r) => r.blocking && isAutomatedCheck(r));
}

/** Checks every blocking automated check of `plan`, in parallel. */
export async function runReadinessChecks(
  plan: Plan,
  inputs: CheckInputs,
  signal?: AbortSignal,
): Promise<CheckEvidence[]> {
  const items = plan.readiness.filter((r) => r.blocking && isAutomatedCheck(r));
  const posted = items.some((r) => r.ci !== undefined) ? await inputs.results() : [];
  return Promise.all(
    items.map((r) =>
      r.ci !== undefined
        ? Promise.resolve(postedCheck(r, posted, inputs.now))
        : r.query !== undefined
          ? queryCheck(r, inputs.sources, signal)
          : probeCheck(r, signal),
    ),
  );
}

/** A `ci:` check: the latest result CI posted, if it passed and is not older than max_age. */
function postedCheck(
  r: ReadinessItem,
  posted: readonly CheckResultRecord[],
  now: number,
): CheckEvidence {
  const latest = posted.find((p) => p.check === r.check);
  if (latest === undefined)
    return { check: r.check, passed: false, reason: 'CI has posted no result' };
  const what = `CI posted ${latest.passed ? 'passed' : 'failed'}${latest.commit === null ? '' : ` for ${latest.commit}`} at ${latest.at}${latest.link === null ? '' : ` (${latest.link})`}`;
  const maxAge = r.ci?.max_age;
  if (maxAge !== undefined && now - Date.parse(latest.at) > maxAge)
    return { check: r.check, passed: false, reason: `${what}, older than max_age` };
  return { check: r.check, passed: latest.passed, reason: what };
}

/** The value of a query check now, against its min/max. */
async function queryCheck(
  r: ReadinessItem,
  sources: ReadonlyMap<string, MetricSource>,
  signal?: AbortSignal,
): Promise<CheckEvidence> {
  const query = r.query;
  if (query === undefined) return { check: r.check, passed: true, reason: 'no query' };
  const source = sources.get(query.source);
  if (source?.value === undefined)
    return {
      check: r.check,
      passed: false,
      reason: `source ${query.source} is not a Prometheus source configured on this server`,
    };
  const got = await source.value(query.promql, signal);
  if (!got.ok) return { check: r.check, passed: false, reason: got.reason };
  const bounds = [
    query.min === undefined ? undefined : `≥ ${query.min}`,
    query.max === undefined ? undefined : `≤ ${query.max}`,
  ]
    .filter((b) => b !== undefined)
    .join(' and ');
  const passed =
    (query.min === undefined || got.value >= query.min) &&
    (query.max === undefined || got.value <= query.max);
  return {
    check: r.check,
    passed,
    reason: `${query.promql} is ${got.value}${passed ? `, ${bounds}` : `, expected ${bounds}`}`,
  };
}

/** GET a probe check's URL; it passes on the plan's status. */
async function probeCheck(r: ReadinessItem, signal?: AbortSignal): Promise<CheckEvidence> {
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
}
