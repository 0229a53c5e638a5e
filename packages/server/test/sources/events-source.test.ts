/** The events source under the metric-source contract, on a real SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kpi, SdkEvent } from '@threshold/core';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { eventsSource } from '../../src/sources/events-source.js';
import { seedLaunch } from '../store/contract-records.js';
import { MIN, T0, contractPlan, exposure, track } from '../store/fixtures.js';
import { metricSourceContract } from './metric-source-contract.js';

const root = mkdtempSync(join(tmpdir(), 'threshold-events-source-'));
const stores: Store[] = [];
const kpis = Object.values(contractPlan().kpis).flatMap((l) => l ?? []);
const kpi = (name: string): Kpi => {
  const k = kpis.find((x) => x.name === name);
  if (k === undefined) throw new Error(`no KPI ${name}`);
  return k;
};

metricSourceContract('events', {
  async setup() {
    const store = await openStore({ dataDir: join(root, 'main') });
    stores.push(store);
    await seedLaunch(store);
    // 20 units per arm: treatment units click 3 times, control units twice.
    const events: SdkEvent[] = [];
    for (let i = 0; i < 20; i++) {
      events.push(exposure('L1', `t${i}`, 'treatment'), exposure('L1', `c${i}`, 'control'));
      events.push(...track(`t${i}`, 'click', 3), ...track(`c${i}`, 'click', 2));
      events.push(...track(`t${i}`, 'order', 1, 30), ...track(`c${i}`, 'order', 1, 20));
    }
    await store.ingest('tok', 'b1', events);
    await store.project();
    return {
      source: eventsSource(store),
      request: {
        launchId: 'L1',
        launch: 'contract',
        phase: 'canary',
        phaseStartedAt: T0,
        nowMs: T0 + 10 * MIN,
      },
      healthy: [
        { kpi: kpi('clicks'), expect: { treatment: 3, control: 2 } },
        { kpi: kpi('order_value'), expect: { treatment: 30, control: 20 } },
      ],
      empty: kpi('conversion'),
      // A KPI no store can aggregate (a kind the schema would never let through).
      broken: { ...kpi('clicks'), name: 'broken', kind: 'bogus' } as unknown as Kpi,
    };
  },
  async unreachable() {
    const store = await openStore({ dataDir: join(root, 'closed') });
    await store.close();
    return eventsSource(store);
  },
  async teardown() {
    for (const s of stores) await s.close();
    rmSync(root, { recursive: true, force: true });
  },
});
