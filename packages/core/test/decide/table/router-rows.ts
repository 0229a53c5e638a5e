/** Situations about a traffic router: a weight it has not confirmed holds, and time counts from its confirmation. */
import { expect } from 'vitest';
import type { Evidence } from '../../../src/index.js';
import { H, M, T0, evidence } from '../fixtures.js';
import { P, canary, gated, hold, ready } from './situation.js';
import type { Row } from './situation.js';

const withRouter = (e: Evidence, router: Evidence['router']): Evidence => ({ ...e, router });
/** The table's plan with a router (decide() reads only whether there is one). */
const routed = {
  ...P,
  router: { name: 'edge', service: 'web', arms: { treatment: 'v2', control: 'v1' } },
};

export const routerRows: Row[] = [
  {
    says: 'a weight the router has not confirmed holds the launch, with the router’s reason',
    state: canary(),
    evidence: withRouter(evidence(P), {
      applied: false,
      reason: 'haproxy edge at 127.0.0.1:9999 is unreachable (ECONNREFUSED)',
    }),
    now: ready,
    expect: ['hold router'],
    rule: 'router',
    summary:
      /^holding: the router has not confirmed 1% for the new version: haproxy edge at 127\.0\.0\.1:9999 is unreachable \(ECONNREFUSED\)$/,
  },
  {
    says: 'a router hold already in force is not repeated while the weight stays unconfirmed',
    state: canary({ holds: [hold('router', 'router')] }),
    evidence: withRouter(evidence(P), { applied: false, reason: 'still unreachable' }),
    now: ready,
    expect: [],
    summary: /^holding: router held$/,
  },
  {
    says: 'once the router confirms the weight the hold is released, and the phase’s time counts from the confirmation',
    state: canary({ holds: [hold('router', 'router')] }),
    evidence: withRouter(evidence(P), { applied: true, since: ready - 5 * M }),
    now: ready,
    expect: ['release-hold router'],
    rule: 'router',
    summary: /^waiting: 5m of 1h in canary$/,
  },
  {
    says: 'a weight confirmed after the phase began (a router restart corrected) restarts the phase’s minimum time',
    state: canary(),
    evidence: withRouter(evidence(P), { applied: true, since: T0 + 90 * M }),
    now: ready,
    expect: [],
    summary: /^waiting: 30m of 1h in canary$/,
  },
  {
    says: 'with a router, an advance says what was checked without units or a split, which a router does not count',
    plan: routed,
    state: canary(),
    evidence: withRouter(evidence(routed), { applied: true, since: T0 }),
    now: ready,
    expect: ['advance early'],
    check: (d) => {
      expect(d[0]?.reason).toMatch(
        /^canary met every condition \(2h of 1h, \d+ of \d+ guards pass\): advancing to early at 10%$/,
      );
    },
  },
  {
    says: 'a weight confirmed when the phase began advances as without a router',
    state: canary(),
    evidence: withRouter(evidence(P), { applied: true, since: T0 }),
    now: ready,
    expect: ['advance early'],
    rule: 'phase-ready',
  },
  {
    says: 'rollback stays armed while the router has not confirmed the weight',
    state: canary(),
    evidence: withRouter(evidence(P, { verdicts: { errors: 'breach' } }), {
      applied: false,
      reason: 'unreachable',
    }),
    now: ready,
    expect: ['rollback', 'notify oncall'],
    rule: 'guard-breach',
    check: (d) => expect(d.some((x) => x.type === 'hold')).toBe(false),
  },
  {
    says: 'before the first phase, an unconfirmed 0% holds the start even once the sign-off is in',
    plan: gated,
    state: { ...canary(), phaseIndex: -1, phase: '(start)', traffic: 0 },
    evidence: withRouter(evidence(gated), { applied: false, reason: 'HTTP 503' }),
    now: T0 + H,
    expect: ['hold router'],
    summary: /^holding: the router has not confirmed 0% for the new version: HTTP 503$/,
  },
];
