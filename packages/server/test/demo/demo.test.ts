/**
 * The `npm start` demo, in-process and 5x faster: real server on SQLite, plans
 * and launches through the HTTP API, simulated users through real SDK clients,
 * decisions by the controller. One launch must reach 100% and complete; the
 * other must be rolled back automatically with its reason and evidence recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '@threshold/core';
import { startDemo } from '@threshold/server';
import type { RunningDemo } from '@threshold/server';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

/** mulberry32: the simulated users' behaviour is the same every run (their timing is not). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the demo (npm start), 5x faster', () => {
  let demo: RunningDemo | undefined;
  let printed = '';
  const dir = mkdtempSync(join(tmpdir(), 'threshold-demo-'));

  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'walks one launch to 100% and rolls the other back with the reason recorded',
    { timeout: 90_000 },
    async () => {
      demo = await startDemo({
        port: 0,
        dataDir: dir,
        speed: 5,
        out: { write: (s: string) => (printed += s) },
        logger: pino({ level: 'silent' }),
        random: seeded(6),
      });
      const { server, launches } = demo;
      expect(demo.signInUrl).toMatch(/^http:\/\/localhost:\d+\/#token=thr_/);
      expect(printed).toContain(demo.signInUrl);
      expect(printed).toContain(launches.healthy);

      // Wait for both outcomes (the test's timeout bounds this; no assertion on time).
      for (;;) {
        const healthy = await server.store.getLaunch(launches.healthy);
        const regressing = await server.store.getLaunch(launches.regressing);
        if (healthy?.status === 'rolled-back')
          throw new Error(`the healthy launch rolled back:\n${printed}`);
        if (regressing?.status === 'completed')
          throw new Error(`the regressing launch completed:\n${printed}`);
        if (healthy?.status === 'completed' && regressing?.status === 'rolled-back') break;
        await new Promise((r) => setTimeout(r, 250));
      }

      const decisionsOf = async (id: string) =>
        (await server.store.listLaunchEvents(id))
          .filter((e) => e.type === 'decision')
          .map((e) => e.data as Decision);

      const healthy = await decisionsOf(launches.healthy);
      expect(healthy.filter((d) => d.type !== 'notify').map((d) => d.type)).toEqual([
        'advance',
        'advance',
        'complete',
      ]);
      expect(healthy.map((d) => (d.type === 'advance' ? d.toPhase : d.type))).toEqual([
        'half',
        'full',
        'complete',
      ]);
      for (const d of healthy)
        if (d.type === 'advance')
          expect(d.evidence.guards?.every((g) => g.verdict === 'pass')).toBe(true);

      const regressing = await decisionsOf(launches.regressing);
      const rollback = regressing.find((d) => d.type === 'rollback');
      expect(rollback).toMatchObject({
        rule: expect.stringMatching(/guard-breach|risk-contingency/),
        phase: 'half',
        traffic: 0,
      });
      expect(rollback?.reason).toContain('error_rate');
      expect(rollback?.evidence.guards?.find((g) => g.kpi === 'error_rate')?.verdict).toBe(
        'breach',
      );
      // It passed the canary first: the regression shows only under load.
      expect(regressing[0]).toMatchObject({ type: 'advance', toPhase: 'half' });
      // The reason is on the launch row and in the audit log.
      expect((await server.store.getLaunch(launches.regressing))?.lastDecision).toMatchObject({
        type: 'rollback',
        reason: rollback?.reason,
      });
      const audit = await server.store.listAudit({
        subject: `launch:${launches.regressing}`,
        action: 'controller.decision',
      });
      expect(
        audit.some((a) => (a.data as { decision: Decision }).decision.type === 'rollback'),
      ).toBe(true);
      expect((await server.store.verifyAudit()).ok).toBe(true);

      // One line per decision on the console.
      expect(printed).toMatch(/checkout-v2: advanced canary → half at 50% \(3 of 3 guards pass/);
      expect(printed).toMatch(/checkout-v2: COMPLETED: fully live at 100%/);
      expect(printed).toMatch(
        /search-v3: ROLLED BACK: error_rate \+[\d.]+ points \[\+[\d.]+, \+[\d.]+\] exceeds the 3-point margin/,
      );
      // Looks were recorded for the charts.
      const looks = await server.store.listLaunchEvents(launches.healthy);
      expect(looks.filter((e) => e.type === 'look').length).toBeGreaterThan(2);
    },
  );
});
