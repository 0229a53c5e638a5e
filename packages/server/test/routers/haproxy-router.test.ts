/**
 * The HAProxy router on a real HAProxy: the contract over the Runtime API on TCP
 * and on a unix socket, real requests through the frontend splitting as the
 * weights say, the plan checks, and a restart seen as drift.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '@threshold/core';
import type { Plan, PlanRouter } from '@threshold/core';
import { haproxyRouter } from '../../src/routers/haproxy-router.js';
import { haproxyWeights, nearestHaproxyShare } from '../../src/routers/haproxy-weights.js';
import { DEFAULT_ROUTER_TIMEOUT_MS } from '../../src/routers/traffic-router.js';
import type { RouterTarget } from '../../src/routers/traffic-router.js';
import { freePort } from '../sources/prometheus-harness.js';
import { HAVE_HAPROXY, sendRequests, startHaproxy, startUpstream } from './haproxy-harness.js';
import type { TestHaproxy, Upstream } from './haproxy-harness.js';
import { trafficRouterContract } from './traffic-router-contract.js';

let v1: Upstream;
let v2: Upstream;
let haproxy: TestHaproxy;
const hung: Server[] = [];

async function up(): Promise<void> {
  v1 = await startUpstream('web-v1');
  v2 = await startUpstream('web-v2');
  haproxy = await startHaproxy(v1, v2);
}
async function down(): Promise<void> {
  await haproxy?.close();
  await v1?.close();
  await v2?.close();
  for (const s of hung.splice(0)) {
    s.close();
  }
}

const target = (): RouterTarget => ({
  launchId: 'web-v2-test',
  launch: 'web-v2',
  service: 'web',
  arms: { treatment: 'web-v2', control: 'web-v1' },
});

async function observe(): Promise<number | null> {
  const out = await haproxy.runtime('get weight web/web-v2; get weight web/web-v1');
  const [t, c] = [...out.matchAll(/(\d+) \(initial/g)].map((m) => Number(m[1]));
  if (t === undefined || c === undefined || t + c === 0) return null;
  return t / (t + c);
}

const harness = (over: 'tcp' | 'unix') => ({
  async setup() {
    await up();
    return {
      router: haproxyRouter({
        name: 'edge',
        kind: 'haproxy',
        address: over === 'tcp' ? haproxy.tcpAddress : haproxy.unixAddress,
        timeoutMs: DEFAULT_ROUTER_TIMEOUT_MS,
      }),
      target: target(),
      observe,
      refused: { ...target(), arms: { treatment: 'web-v3', control: 'web-v1' } },
    };
  },
  async unreachable() {
    return haproxyRouter({
      name: 'edge',
      kind: 'haproxy',
      address: `tcp://127.0.0.1:${await freePort()}`,
      timeoutMs: 1000,
    });
  },
  async hanging() {
    // Accepts and never answers: what a wedged HAProxy looks like.
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hung.push(server);
    return haproxyRouter({
      name: 'edge',
      kind: 'haproxy',
      address: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 300,
    });
  },
  teardown: down,
});

describe.skipIf(!HAVE_HAPROXY)('the HAProxy router', () => {
  trafficRouterContract('haproxy over TCP', harness('tcp'));
  trafficRouterContract('haproxy over a unix socket', harness('unix'));

  describe('on real traffic', () => {
    beforeAll(up, 60_000);
    afterAll(down, 60_000);
    const router = () =>
      haproxyRouter({
        name: 'edge',
        kind: 'haproxy',
        address: haproxy.tcpAddress,
        timeoutMs: DEFAULT_ROUTER_TIMEOUT_MS,
      });

    it('splits real requests through HAProxy as each share says (within 2 points)', async () => {
      const r = router();
      for (const share of [0.1, 0.25, 0.5, 1, 0]) {
        const applied = await r.apply({
          ...target(),
          phase: 'p',
          status: 'running',
          traffic: share,
          decisionId: 'x:1',
        });
        expect(applied.ok).toBe(true);
        const counts = await sendRequests(haproxy.url, 400);
        const measured = (counts['web-v2'] ?? 0) / 400;
        expect(Math.abs(measured - share), `measured ${measured} for ${share}`).toBeLessThanOrEqual(
          0.02,
        );
        expect((counts['web-v1'] ?? 0) + (counts['web-v2'] ?? 0)).toBe(400);
      }
    });

    it('reads the weights HAProxy falls back to after a restart, so drift is seen', async () => {
      const r = router();
      const applied = await r.apply({
        ...target(),
        phase: 'p',
        status: 'running',
        traffic: 0.5,
        decisionId: 'x:2',
      });
      expect(applied.ok).toBe(true);
      await haproxy.kill();
      const down = await r.read?.(target());
      expect(down?.ok === false && down.reason).toMatch(
        /^haproxy at 127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/,
      );
      await haproxy.start();
      // The config file's weights: stable 256, canary 0.
      expect(await r.read?.(target())).toEqual({
        ok: true,
        traffic: 0,
        weights: { treatment: 0, control: 256 },
      });
    });

    it('refuses, before a launch, a backend or server HAProxy lacks and a share it cannot set exactly', async () => {
      const parsed = parsePlan(
        `launch: web-v2
owner: platform
phases:
  - { name: canary, traffic: 0.1% }
  - { name: early, traffic: 12.5% }
  - { name: full, traffic: 100% }
kpis:
  operational-health:
    - { name: errors, kind: mean, source: prometheus, query: 'up', guard: { max: 1 } }
router: { name: edge, service: web, arms: { treatment: web-v3, control: web-v1 } }
`,
        { file: 'p.yaml' },
      );
      if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
      const plan = parsed.plan as Plan & { router: PlanRouter };
      expect(await router().check(plan)).toEqual([
        {
          path: ['phases', 0, 'traffic'],
          message:
            'router edge (HAProxy) cannot set 0.1% exactly: its weights are whole numbers up to 256, so a share must be a fraction with a denominator of at most 256; the nearest it can set is 0.4%',
        },
        {
          path: ['router', 'arms', 'treatment'],
          message: expect.stringMatching(
            /^haproxy at 127\.0\.0\.1:\d+ has no server web-v3 in backend web$/,
          ),
        },
      ]);
      const noBackend = { ...plan, router: { ...plan.router, service: 'api' } };
      expect(await router().check(noBackend)).toEqual([
        expect.objectContaining({ path: ['phases', 0, 'traffic'] }),
        {
          path: ['router', 'service'],
          message: expect.stringMatching(/has no backend api$/),
        },
      ]);
    });
  });
});

describe('HAProxy weights', () => {
  it('set a share exactly when its denominator is at most 256, scaled up as far as 256 allows', () => {
    expect(haproxyWeights(0)).toEqual({ treatment: 0, control: 256 });
    expect(haproxyWeights(1)).toEqual({ treatment: 256, control: 0 });
    expect(haproxyWeights(0.5)).toEqual({ treatment: 128, control: 128 });
    expect(haproxyWeights(0.1)).toEqual({ treatment: 25, control: 225 });
    expect(haproxyWeights(0.01)).toEqual({ treatment: 2, control: 198 });
    expect(haproxyWeights(0.125)).toEqual({ treatment: 32, control: 224 });
    expect(haproxyWeights(0.001)).toBeNull();
    expect(haproxyWeights(0.1234)).toBeNull();
    expect(nearestHaproxyShare(0.001)).toBe(0.004);
    expect(nearestHaproxyShare(0.1234)).toBe(0.124); // 31/250
  });
});
