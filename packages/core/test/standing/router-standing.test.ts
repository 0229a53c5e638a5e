import { describe, expect, it } from 'vitest';
import {
  NO_ROUTER_LOG,
  foldRouterEntry,
  integritySentence,
  routerSentence,
  routerStanding,
} from '../../src/index.js';
import type { RouterEntry } from '../../src/index.js';

const plan = {
  router: { name: 'edge', service: 'web', arms: { treatment: 'web-v2', control: 'web-v1' } },
} as const;

const entry = (
  seq: number,
  status: RouterEntry['status'],
  traffic: number,
  reason = '',
): RouterEntry => ({
  seq,
  at: seq * 1000,
  status,
  kind: 'haproxy',
  target: 'unix:///run/haproxy.sock',
  traffic,
  decision: 1,
  reason,
});

const fold = (...entries: RouterEntry[]) => entries.reduce(foldRouterEntry, NO_ROUTER_LOG);

describe('routerStanding', () => {
  it('is null without a router', () => {
    expect(routerStanding({}, { traffic: 0.1 }, NO_ROUTER_LOG)).toBeNull();
  });

  it('is pending until the router confirms the decided share', () => {
    const r = routerStanding(plan, { traffic: 0.1 }, NO_ROUTER_LOG);
    expect(r).toMatchObject({ state: 'pending', desired: 0.1, applied: null, kind: null });
    expect(routerSentence(r!)).toBe(
      'Router edge for web: 10% decided, pending (nothing confirmed yet).',
    );
    // A newer decision than the confirmed share: pending again.
    const moved = routerStanding(plan, { traffic: 0.5 }, fold(entry(3, 'applied', 0.1)));
    expect(moved).toMatchObject({ state: 'pending', applied: { traffic: 0.1, seq: 3 } });
  });

  it('is applied when the last confirmed share is the decided one', () => {
    const r = routerStanding(plan, { traffic: 0.1 }, fold(entry(3, 'applied', 0.1)));
    expect(r).toMatchObject({ state: 'applied', reason: null, since: null, kind: 'haproxy' });
    expect(routerSentence(r!)).toBe('Router edge (haproxy) for web: holds 10%, as decided.');
  });

  it('is failing from a failure entry after the last confirmation until the next one', () => {
    const log = fold(entry(3, 'applied', 0.1), entry(7, 'failed', 0, 'connection refused'));
    const r = routerStanding(plan, { traffic: 0 }, log);
    expect(r).toMatchObject({
      state: 'failing',
      reason: 'connection refused',
      since: 7000,
      applied: { traffic: 0.1, at: 3000, seq: 3 },
    });
    expect(routerSentence(r!)).toBe(
      'Router edge (haproxy) for web: 0% decided, NOT applied (last confirmed 10%): connection refused.',
    );
    const healed = routerStanding(
      plan,
      { traffic: 0 },
      foldRouterEntry(log, entry(9, 'applied', 0)),
    );
    expect(healed).toMatchObject({ state: 'applied', applied: { traffic: 0, seq: 9 } });
  });
});

describe('integritySentence', () => {
  const none = { 'arm-mismatch': 0, 'phase-not-live': 0 };
  it('is null when all is well or unknown', () => {
    expect(integritySentence(undefined)).toBeNull();
    expect(integritySentence({ phase: 'canary', quarantined: none, dominant: null })).toBeNull();
  });
  it('counts quarantined exposures and names a dominant token', () => {
    expect(
      integritySentence({
        phase: 'canary',
        quarantined: { ...none, 'phase-not-live': 1 },
        dominant: { name: 'kiosk', share: 0.9 },
      }),
    ).toBe(
      "evidence: 1 exposure quarantined (phase-not-live 1); token kiosk supplied 90% of canary's units",
    );
  });
});
