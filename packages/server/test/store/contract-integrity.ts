/** Contract: the projection's evidence-integrity checks (ADR 0019), the same on every store. */
import { expect, it } from 'vitest';
import type { Kpi } from '@threshold/core';
import type { Store } from '../../src/store/index.js';
import type { ContractContext } from './store-contract.js';
import { contractPlan, exposure, track, unitIn } from './fixtures.js';
import { seedLaunch } from './contract-records.js';

const KPIS: Kpi[] = (() => {
  const p = contractPlan();
  return [...p.kpis.efficiency, ...p.kpis['user-impact'], ...p.kpis['operational-health']];
})();

const clicks = async (s: Store) => {
  const a = await s.readAggregates({ launchId: 'L1', phase: 'canary', kpis: KPIS, nowMs: 0 });
  return { units: a.units, clicks: a.kpis['clicks'] };
};

const none = { 'arm-mismatch': 0, 'phase-not-live': 0, 'out-of-scope': 0, 'over-cap': 0 };

async function token(s: Store, id: string, limits: { flags?: string[]; cap?: number }) {
  return s.createToken({
    id,
    name: id,
    scopes: ['sdk'],
    hash: id
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, 'a'),
    ...(limits.flags !== undefined && { flags: limits.flags }),
    ...(limits.cap !== undefined && { maxUnitsPerMinute: limits.cap }),
  });
}

export function integrityContract(ctx: ContractContext): void {
  it('quarantines exposures whose arm is not the unit’s, and never folds their events', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    const real = unitIn('real', 'treatment');
    const forged = unitIn('forged', 'control'); // claims treatment below
    await s.ingest('tok', 'a', [
      exposure('L1', real, 'treatment'),
      exposure('L1', forged, 'treatment'),
      exposure('L1', unitIn('ctl', 'control'), 'control'),
      ...track(real, 'click', 2),
      ...track(forged, 'click', 50),
    ]);
    await s.project();
    expect(await clicks(s)).toMatchObject({
      units: { treatment: 1, control: 1 },
      clicks: { treatment: { units: 1, sum: 2 }, control: { units: 1, sum: 0 } },
    });
    expect(await s.projectionStatus()).toMatchObject({ quarantined: 1, unattributed: 50 });
    expect(await s.evidenceContributions('L1')).toEqual([
      {
        launchId: 'L1',
        phase: 'canary',
        tokenId: 'tok',
        units: 2,
        quarantined: { ...none, 'arm-mismatch': 1 },
      },
    ]);
    // The unit's real exposure still counts when it comes after the forged one.
    await s.ingest('tok', 'b', [exposure('L1', forged, 'control')]);
    await s.project();
    expect((await clicks(s)).units).toEqual({ treatment: 1, control: 2 });
    expect(await s.evidenceContributions()).toHaveLength(1);
  });

  it('quarantines exposures of a phase the launch has not reached', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    const u = unitIn('early-bird', 'treatment');
    await s.ingest('tok', 'a', [exposure('L1', u, 'treatment', undefined, 'early')]);
    await s.project();
    const early = await s.readAggregates({ launchId: 'L1', phase: 'early', kpis: [], nowMs: 0 });
    expect(early.units).toEqual({ treatment: 0, control: 0 });
    expect((await s.evidenceContributions('L1'))[0]).toMatchObject({
      phase: 'early',
      units: 0,
      quarantined: { ...none, 'phase-not-live': 1 },
    });
  });

  it('keeps a flag-limited token to its flags’ launches', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    const other = await token(s, 'scoped', { flags: ['checkout-v2'] });
    expect(other).toMatchObject({ flags: ['checkout-v2'], maxUnitsPerMinute: null });
    expect((await s.listTokens())[0]).toMatchObject({ flags: ['checkout-v2'] });
    const t = unitIn('t', 'treatment');
    const c = unitIn('c', 'control');
    // The launch's flag is `contract`: the scoped token can neither expose nor feed it.
    await s.ingest('scoped', 'a', [exposure('L1', t, 'treatment'), ...track(t, 'click', 3)]);
    await s.ingest('tok', 'b', [exposure('L1', c, 'control'), ...track(c, 'click')]);
    await s.ingest('scoped', 'c', track(c, 'click', 9));
    await s.project();
    expect(await clicks(s)).toMatchObject({
      units: { treatment: 0, control: 1 },
      clicks: { control: { units: 1, sum: 1 } },
    });
    const byToken = await s.evidenceContributions('L1');
    expect(byToken.find((r) => r.tokenId === 'scoped')?.quarantined).toEqual({
      ...none,
      'out-of-scope': 1,
    });
  });

  it('caps the new units one token exposes per launch and minute', async () => {
    const s = ctx.store;
    await seedLaunch(s);
    await token(s, 'capped', { cap: 3 });
    const units = Array.from({ length: 5 }, (_, i) => unitIn(`cap-${i}`, 'control'));
    await s.ingest('capped', 'a', [
      ...units.slice(0, 2).map((u) => exposure('L1', u, 'control')),
      exposure('L1', units[0] ?? '', 'control'), // a repeat is not a new unit
      ...units.slice(2).map((u) => exposure('L1', u, 'control')),
    ]);
    await s.project();
    expect((await clicks(s)).units).toEqual({ treatment: 0, control: 3 });
    expect(await s.evidenceContributions('L1')).toEqual([
      {
        launchId: 'L1',
        phase: 'canary',
        tokenId: 'capped',
        units: 3,
        quarantined: { ...none, 'over-cap': 2 },
      },
    ]);
    expect(await s.projectionStatus()).toMatchObject({ quarantined: 2, exposures: 4 });
  });

  it('judges an exposure by the share in force in its phase when it happened', async () => {
    const s = ctx.store;
    await seedLaunch(s); // canary at 1%
    const launch = await s.getLaunch('L1');
    const created = Date.parse(launch?.createdAt ?? '');
    const change = created + 3_600_000;
    // The share of canary rises to 5% an hour in (as a launch waiting at 0% starts its phase).
    await s.appendLaunchEvent(
      {
        launchId: 'L1',
        type: 'decision',
        actor: 'controller',
        data: { type: 'advance', toPhase: 'canary', to: 0, traffic: 0.05, at: change },
        at: new Date(change).toISOString(),
      },
      launch?.seq ?? 1,
      { traffic: 0.05, phaseStartedAt: new Date(change).toISOString() },
    );
    // Units in buckets 100..499: control at 1%, treatment at 5%.
    const between = (name: string) => {
      for (let k = 0; ; k++) {
        const id = unitIn(`${name}-${k}`, 'treatment', 0.05);
        if (unitIn(id, 'control', 0.01) === id) return id;
      }
    };
    const [x, y, z, w] = ['x', 'y', 'z', 'w'].map(between) as [string, string, string, string];
    await s.ingest('tok', 'a', [
      exposure('L1', x, 'treatment', created + 60_000), // at 1% it was control: forged
      exposure('L1', y, 'treatment', change + 60_000),
      exposure('L1', z, 'control', change + 60 * 60_000), // long after the change: forged
      exposure('L1', w, 'control', change + 60_000), // an SDK still on the old config
    ]);
    await s.project();
    expect((await clicks(s)).units).toEqual({ treatment: 1, control: 1 });
    expect((await s.evidenceContributions('L1'))[0]?.quarantined).toEqual({
      ...none,
      'arm-mismatch': 2,
    });
  });
}
