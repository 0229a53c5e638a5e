/**
 * The runnable example (examples/infra-canary) as an end-to-end test on real
 * parts: HAProxy in front of two versions, Prometheus scraping HAProxy's
 * exporter, Threshold moving the weight through the Runtime API, and load
 * through HAProxy the whole time. The share of requests measured reaching the
 * new version follows each phase's weight within 2 points, and a faulty new
 * version is rolled back to 0% at HAProxy.
 */
import { describe, expect, it } from 'vitest';
import { HAVE_PROMETHEUS } from '../sources/prometheus-harness.js';
import { HAVE_HAPROXY } from './haproxy-harness.js';

interface PhaseShare {
  phase: string;
  weight: number;
  measured: number;
  requests: number;
}
interface Result {
  outcome: 'completed' | 'rolled-back';
  phases: PhaseShare[];
  events: { type: string; data: Record<string, unknown> }[];
  heldShare: number | null;
}
type Run = (options: { fault?: boolean; say?: (line: string) => void }) => Promise<Result>;

// The example is plain JavaScript outside the packages: imported as it ships.
const example = new URL('../../../../examples/infra-canary/infra-canary.mjs', import.meta.url).href;
const run = async (fault: boolean): Promise<Result> => {
  const lines: string[] = [];
  const { runInfraCanary } = (await import(example)) as { runInfraCanary: Run };
  try {
    return await runInfraCanary({ fault, say: (l) => lines.push(l) });
  } catch (err) {
    throw new Error(`${String(err)}\n${lines.join('\n')}`, { cause: err });
  }
};

describe.skipIf(!HAVE_HAPROXY || !HAVE_PROMETHEUS)('the infrastructure canary example', () => {
  it('moves real traffic phase by phase: each weight measured at HAProxy within 2 points, to 100%', async () => {
    const result = await run(false);
    expect(result.outcome).toBe('completed');
    expect(result.phases.map((p) => [p.phase, p.weight])).toEqual([
      ['canary', 0.1],
      ['half', 0.5],
      ['full', 1],
    ]);
    for (const p of result.phases) {
      expect(p.requests, `${p.phase}: requests measured`).toBeGreaterThan(100);
      expect(Math.abs(p.measured - p.weight), `${p.phase}: ${p.measured}`).toBeLessThanOrEqual(
        0.02,
      );
    }
    expect(result.heldShare).toBe(1);
    // Each weight was applied after (and apart from) the decision that set it.
    const advances = result.events.filter(
      (e) => e.type === 'decision' && e.data.type === 'advance',
    );
    const applied = result.events.filter((e) => e.type === 'router' && e.data.status === 'applied');
    expect(advances).toHaveLength(2);
    for (const a of advances)
      expect(
        applied.some(
          (r) => r.data.traffic === a.data.traffic && typeof r.data.latencyMs === 'number',
        ),
      ).toBe(true);
  }, 180_000);

  it('rolls a faulty new version back to 0% at HAProxy', async () => {
    const result = await run(true);
    expect(result.outcome).toBe('rolled-back');
    const rollback = result.events.find((e) => e.type === 'decision' && e.data.type === 'rollback');
    expect(rollback?.data.reason).toMatch(/^availability_burn breached its guard/);
    expect(result.heldShare).toBe(0);
    const last = result.phases.at(-1);
    expect(last).toMatchObject({ phase: 'rolled back', weight: 0, measured: 0 });
    expect(last?.requests).toBeGreaterThan(50);
  }, 120_000);
});
