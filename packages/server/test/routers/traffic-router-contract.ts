/**
 * The one contract every TrafficRouter passes, whatever it drives. Run it with
 * `trafficRouterContract(name, harness)` from a test file that starts the real
 * component (HAProxy, a webhook receiver) and can observe it on its own.
 *
 * What it holds a router to (ADR 0025): a share it reports applied is the share
 * the component holds (observed independently, not through the router); the
 * same share twice is fine; an unreachable, hanging, refusing or closed
 * component and an abandoned call are a reason naming the router, never a
 * throw and never "applied"; health follows the last call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  RouterTarget,
  TrafficRouter,
  WeightRequest,
  WeightResult,
} from '../../src/routers/traffic-router.js';

/** A real component and a router over it. */
export interface RouterScenario {
  router: TrafficRouter;
  target: RouterTarget;
  /** The new version's share the component itself says it holds (not through the router). */
  observe(): Promise<number | null>;
  /** A target the component refuses (HAProxy: no such server; a receiver: answers 503). */
  refused: RouterTarget;
}

/** How a test file gives the suite its component. */
export interface RouterContractHarness {
  setup(): Promise<RouterScenario>;
  /** A router of the same kind configured where nothing listens. */
  unreachable(): Promise<TrafficRouter>;
  /** A router whose component accepts connections but never answers (its timeout must fire). */
  hanging(): Promise<TrafficRouter>;
  teardown(): Promise<void>;
}

const request = (t: RouterTarget, traffic: number, seq = 1): WeightRequest => ({
  ...t,
  phase: 'canary',
  status: 'running',
  traffic,
  decisionId: `${t.launchId}:${seq}`,
});

function reasonOf(r: WeightResult, what: string): string {
  if (r.ok) throw new Error(`${what}: expected a reason, got applied ${r.traffic}`);
  expect(r.reason.trim().length, `${what}: the reason is words`).toBeGreaterThan(10);
  return r.reason;
}

/** Register the contract suite for one router implementation. */
export function trafficRouterContract(name: string, harness: RouterContractHarness): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    let s: RouterScenario;
    beforeAll(async () => {
      s = await harness.setup();
    }, 60_000);
    afterAll(async () => {
      await s?.router.close();
      await harness.teardown();
    }, 60_000);

    it('is unknown before its first call, names itself, and says where it is', () => {
      expect(s.router.name.length).toBeGreaterThan(0);
      expect(s.router.target).toMatch(new RegExp(`^${s.router.kind} at `));
      expect(s.router.health()).toMatchObject({ name: s.router.name, state: 'unknown' });
    });

    it('applies each share, and the component itself then holds it', async () => {
      let seq = 1;
      for (const share of [0.05, 0.1, 0.5, 1, 0.01, 0]) {
        const r = await s.router.apply(request(s.target, share, seq++));
        if (!r.ok) throw new Error(`apply ${share}: ${r.reason}`);
        expect(r.traffic).toBeCloseTo(share, 9);
        expect(await s.observe()).toBeCloseTo(share, 9);
        if (s.router.read !== undefined) {
          const read = await s.router.read(s.target);
          expect(read.ok && read.traffic).toBeCloseTo(share, 9);
        }
      }
      expect(s.router.health().state).toBe('ok');
    });

    it('applies the same share twice without harm', async () => {
      const first = await s.router.apply(request(s.target, 0.1, 20));
      const again = await s.router.apply(request(s.target, 0.1, 20));
      expect(first.ok && again.ok).toBe(true);
      expect(await s.observe()).toBeCloseTo(0.1, 9);
    });

    it('is not applied on a target the component refuses, with the reason', async () => {
      const r = await s.router.apply(request(s.refused, 0.25, 30));
      expect(reasonOf(r, 'refused')).toContain(s.router.target);
      expect(s.router.health()).toMatchObject({ state: 'failing' });
      // The refused target did not touch the real one.
      expect(await s.observe()).toBeCloseTo(0.1, 9);
    });

    it('is not applied when the component is unreachable: a reason, never a throw', async () => {
      const router = await harness.unreachable();
      try {
        const r = await router.apply(request(s.target, 0.5, 40));
        expect(reasonOf(r, 'unreachable')).toMatch(/unreachable/);
        expect(r.ok ? '' : r.reason).toContain(router.target);
        if (router.read !== undefined) expect((await router.read(s.target)).ok).toBe(false);
        expect(router.health()).toMatchObject({ state: 'failing', lastError: expect.any(String) });
      } finally {
        await router.close();
      }
    });

    it('is not applied when the component never answers: its timeout fires', async () => {
      const router = await harness.hanging();
      try {
        const r = await router.apply(request(s.target, 0.5, 50));
        expect(reasonOf(r, 'hanging')).toMatch(/timed out/);
      } finally {
        await router.close();
      }
    });

    it('is not applied when the call is abandoned or the router is closed', async () => {
      const aborted = new AbortController();
      aborted.abort();
      const r = await s.router.apply({ ...request(s.target, 0.5, 60), signal: aborted.signal });
      expect(reasonOf(r, 'aborted')).toMatch(/abandoned/);
      expect(await s.observe()).toBeCloseTo(0.1, 9);
      const router = await harness.unreachable();
      await router.close();
      expect(reasonOf(await router.apply(request(s.target, 0.5, 61)), 'closed')).toMatch(/closed/);
    });
  });
}
