/**
 * The HAProxy router: sets the weights of the two servers of a backend through
 * the Runtime API (`set weight <backend>/<server> <0-256>`) and confirms them by
 * reading them back (`get weight`), so "applied" means HAProxy holds the share,
 * not that a command was sent. Reads are what make reconciliation
 * level-triggered: a restarted HAProxy (its weights back to the config file's)
 * is seen at the next read and corrected.
 */
import { formatShare } from '@threshold/core';
import { haproxyWeights, nearestHaproxyShare, shareOfWeights } from './haproxy-weights.js';
import {
  RuntimeApiError,
  parseRuntimeAddress,
  runtimeAddressText,
  runtimeCommand,
} from './haproxy-runtime.js';
import { healthTracker } from './traffic-router.js';
import type {
  RouterConfig,
  RouterProblem,
  RouterTarget,
  TrafficRouter,
  WeightResult,
} from './traffic-router.js';

const WEIGHT = /^(\d+) \(initial \d+\)$/;

/** One answer per command of a line: HAProxy ends each with an empty line. */
function answers(output: string): string[] {
  return output
    .split('\n\n')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** A HAProxy router over the Runtime API at `config.address`. */
export function haproxyRouter(config: Extract<RouterConfig, { kind: 'haproxy' }>): TrafficRouter {
  const address = parseRuntimeAddress(config.address);
  const target = `haproxy at ${runtimeAddressText(address)}`;
  const health = healthTracker(config.name, 'haproxy', target);
  let closed = false;

  async function call(command: string, signal?: AbortSignal): Promise<string> {
    if (closed) throw new RuntimeApiError('the router is closed', 'closed');
    return runtimeCommand(address, command, {
      timeoutMs: config.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  function failure(err: unknown): string {
    if (err instanceof RuntimeApiError) {
      if (err.failure === 'timeout') return `${target} timed out: ${err.message}`;
      if (err.failure === 'unreachable') return `${target} is ${err.message}`;
      return `${target}: ${err.message}`;
    }
    return `${target} failed: ${err instanceof Error ? err.message : String(err)}`;
  }

  /** Words for an answer that is not a weight, naming the server asked about. */
  function refusal(answer: string, service: string, server: string): string {
    if (answer.startsWith('No such backend')) return `${target} has no backend ${service}`;
    if (answer.startsWith('No such server'))
      return `${target} has no server ${server} in backend ${service}`;
    return `${target} answered "${answer.slice(0, 200)}" for ${service}/${server}`;
  }

  async function readWeights(t: RouterTarget): Promise<WeightResult> {
    const servers = [t.arms.treatment, t.arms.control];
    let output: string;
    try {
      output = await call(servers.map((s) => `get weight ${t.service}/${s}`).join('; '), t.signal);
    } catch (err) {
      return { ok: false, reason: failure(err) };
    }
    const got = answers(output);
    const weights: number[] = [];
    for (const [i, server] of servers.entries()) {
      const answer = got[i] ?? '(nothing)';
      const m = WEIGHT.exec(answer);
      if (m === null) return { ok: false, reason: refusal(answer, t.service, server) };
      weights.push(Number(m[1]));
    }
    const [treatment = 0, control = 0] = weights;
    const share = shareOfWeights(treatment, control);
    if (share === null)
      return {
        ok: false,
        reason: `${target} has both ${t.service}/${t.arms.treatment} and ${t.service}/${t.arms.control} at weight 0: the backend serves neither version`,
      };
    return { ok: true, traffic: share, weights: { treatment, control } };
  }

  async function read(t: RouterTarget): Promise<WeightResult> {
    const r = await readWeights(t);
    if (r.ok) health.ok();
    else health.failed(r.reason);
    return r;
  }

  return {
    name: config.name,
    kind: 'haproxy',
    target,
    read,
    async apply(req) {
      const want = haproxyWeights(req.traffic);
      if (want === null) {
        const reason = `${target} cannot set ${formatShare(req.traffic)} exactly (weights are whole numbers up to 256)`;
        health.failed(reason);
        return { ok: false, reason };
      }
      // Reading first: a missing backend or server is said as such, and the order of the sets below needs it.
      const now = await read(req);
      if (!now.ok) return now;
      if (now.weights.treatment === want.treatment && now.weights.control === want.control)
        return now;
      // Raise before lowering: every moment in between serves a share between the
      // old and the new one, and never both servers at weight 0.
      const sets = [
        { server: req.arms.treatment, from: now.weights.treatment, to: want.treatment },
        { server: req.arms.control, from: now.weights.control, to: want.control },
      ].sort((a, b) => b.to - b.from - (a.to - a.from));
      let output: string;
      try {
        output = await call(
          sets.map((s) => `set weight ${req.service}/${s.server} ${s.to}`).join('; '),
          req.signal,
        );
      } catch (err) {
        const reason = failure(err);
        health.failed(reason);
        return { ok: false, reason };
      }
      const refused = answers(output)[0];
      if (refused !== undefined) {
        const reason = `${target} refused set weight on backend ${req.service}: "${refused.slice(0, 200)}"`;
        health.failed(reason);
        return { ok: false, reason };
      }
      const after = await read(req);
      if (!after.ok) return after;
      if (after.weights.treatment !== want.treatment || after.weights.control !== want.control) {
        const reason = `${target} holds ${formatShare(after.traffic)} (weights ${after.weights.treatment}/${after.weights.control}) right after being set to ${formatShare(req.traffic)}: another writer?`;
        health.failed(reason);
        return { ok: false, reason };
      }
      return after;
    },
    async check(plan, signal) {
      const problems: RouterProblem[] = [];
      plan.phases.forEach((phase, i) => {
        if (haproxyWeights(phase.traffic) !== null) return;
        problems.push({
          path: ['phases', i, 'traffic'],
          message: `router ${config.name} (HAProxy) cannot set ${formatShare(phase.traffic)} exactly: its weights are whole numbers up to 256, so a share must be a fraction with a denominator of at most 256; the nearest it can set is ${formatShare(nearestHaproxyShare(phase.traffic))}`,
        });
      });
      const { service, arms } = plan.router;
      for (const arm of ['treatment', 'control'] as const) {
        let answer: string;
        try {
          answer = answers(await call(`get weight ${service}/${arms[arm]}`, signal))[0] ?? '';
        } catch (err) {
          problems.push({ path: ['router', 'name'], message: failure(err) });
          break;
        }
        if (WEIGHT.test(answer)) continue;
        const noBackend = answer.startsWith('No such backend');
        problems.push({
          path: noBackend ? ['router', 'service'] : ['router', 'arms', arm],
          message: refusal(answer, service, arms[arm]),
        });
        if (noBackend) break;
      }
      return problems;
    },
    health: () => health.get(),
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
