/**
 * decide() as a table: each row is a situation, read as a sentence, and the
 * decisions it must produce (in order, in a few words each: see `brief`).
 * The rows live in table/*-rows.ts.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/index.js';
import type { GuardResult } from '../../src/index.js';
import { H, M, T0, brief, evidence, guard, stateIn, variant } from './fixtures.js';
import { guardRows } from './table/guard-rows.js';
import { routerRows } from './table/router-rows.js';
import { signoffRows } from './table/signoff-rows.js';
import { P, canary, early, full, ready } from './table/situation.js';

const rows = [...guardRows, ...signoffRows, ...routerRows];

describe('decide(): situations and their decisions', () => {
  it.each(rows.map((r) => [r.says, r] as const))('%s', (_says, row) => {
    const { decisions, look } = decide(row.plan ?? P, row.state, row.evidence, row.now);
    expect(decisions.map(brief)).toEqual(row.expect);
    if (row.rule !== undefined) expect(decisions[0]?.rule).toBe(row.rule);
    if (row.summary !== undefined) expect(look.summary).toMatch(row.summary);
    for (const d of decisions) {
      expect(d.at).toBe(row.now);
      expect(d.reason.length).toBeGreaterThan(10);
      expect(d.planVersion).toBe(row.state.planVersion);
    }
    row.check?.(decisions, look);
  });

  it('has a row for every rule and decision type', () => {
    const types = new Set<string>();
    const rules = new Set<string>();
    for (const row of rows) {
      const { decisions } = decide(row.plan ?? P, row.state, row.evidence, row.now);
      for (const d of decisions) {
        types.add(d.type);
        rules.add(d.rule);
      }
    }
    // resume and operator decisions come from operatorAction (tested on their own).
    expect([...types].sort()).toEqual(
      [
        'advance',
        'ask',
        'complete',
        'extend',
        'hold',
        'notify',
        'pause',
        'release-hold',
        'request-signoff',
        'rollback',
        'signoff-expired',
        'webhook',
      ].sort(),
    );
    expect([...rules].sort()).toEqual(
      [
        'bake-complete',
        'guard-breach',
        'insufficient-evidence',
        'phase-ready',
        'risk-contingency',
        'router',
        'signoff-deadline',
        'signoff-quorum',
        'signoff-rejected',
        'srm',
      ].sort(),
    );
  });
});

describe('decide(): the look', () => {
  it('lists each condition of advancing, met or not', () => {
    const { look } = decide(P, canary(), evidence(P, { units: [1204, 900] }), T0 + 30 * M);
    expect(look.conditions.map((c) => [c.id, c.met])).toEqual([
      ['running', true],
      ['no-holds', true],
      ['no-asks', true],
      ['min-duration', false],
      ['min-units', false],
      ['guards', true],
      ['srm', true],
    ]);
    expect(look.next).toEqual({ phaseIndex: 1, phase: 'early', traffic: 0.1 });
  });

  it('adds the sign-off before a gated phase and the bake in the last one', () => {
    const before = decide(P, early(), evidence(P), T0 + 2 * H).look;
    expect(before.conditions.at(-1)).toMatchObject({
      id: 'signoff',
      met: false,
      phase: 'half',
      roles: [{ role: 'product', quorum: 1, approvers: [] }],
    });
    const last = decide(P, full(), evidence(P), T0 + 2 * H).look;
    expect(last.conditions.at(-1)).toEqual({
      id: 'bake',
      met: false,
      elapsedMs: 2 * H,
      requiredMs: 24 * H,
    });
    expect(last.next).toBeNull();
  });

  it('names the KPIs behind an unmet guards condition, advisory breaches apart', () => {
    const { look } = decide(
      P,
      canary(),
      evidence(P, {
        verdicts: { jank: 'breach', revenue: 'breach', cpu: 'insufficient-evidence' },
      }),
      T0 + 30 * M,
    );
    expect(look.conditions.find((c) => c.id === 'guards')).toMatchObject({
      met: false,
      total: 6,
      breach: ['jank'],
      advisory: ['revenue'],
      insufficient: ['cpu'],
    });
  });

  it('quotes each decision’s evidence: the guard result with estimate, interval, margin and units', () => {
    const { decisions } = decide(P, canary(), evidence(P, { verdicts: { jank: 'breach' } }), ready);
    const g = decisions[0]?.evidence.guards?.[0];
    expect(g).toEqual(guard('jank', 'breach'));
    expect(decisions[0]?.evidence.actions).toEqual([{ type: 'hold' }]);
  });
});

describe('decide(): an advisory breach in words', () => {
  const notifyOnly = variant([
    'on_breach: [notify, { webhook: "https://hooks.example.com/launch" }]',
    'on_breach: notify',
  ]);
  /** The advance's reason when revenue (notify only) breaches with this result. */
  const reasonWith = (r: Partial<GuardResult>): string => {
    const e = evidence(notifyOnly);
    const guards = e.guards.map((g) =>
      g.kpi === 'revenue' ? { ...guard('revenue', 'breach'), ...r } : g,
    );
    const { decisions } = decide(notifyOnly, stateIn(notifyOnly, 0, T0), { ...e, guards }, ready);
    expect(decisions.map(brief)).toEqual(['notify team-owner', 'advance early']);
    return decisions[1]?.reason ?? '';
  };
  const tail = ': advisory, the plan only notifies — advancing anyway';

  it('quotes a relative decrease against its negative margin', () => {
    expect(
      reasonWith({
        comparison: {
          bad: 'decrease',
          relative: true,
          difference: -0.05,
          interval: [-0.08, -0.031],
          margin: 0.03,
          threshold: -0.03,
        },
      }),
    ).toContain(`revenue breaches its guard (−5% [−8%, −3.1%] < −3%)${tail}`);
  });

  it('quotes an absolute increase in the KPI’s own units', () => {
    expect(
      reasonWith({
        comparison: {
          bad: 'increase',
          relative: false,
          difference: 0.25,
          interval: [0.125, 0.375],
          margin: 0.1,
        },
      }),
    ).toContain(`revenue breaches its guard (+0.25 [+0.125, +0.375] > 0.1)${tail}`);
  });

  it('quotes a hard limit with the treatment’s interval', () => {
    expect(reasonWith({ rule: 'max', limit: { max: 2500, interval: [2650, 2790] } })).toContain(
      `revenue breaches its guard (treatment [2650, 2790] > max 2500)${tail}`,
    );
  });

  it('falls back to the guard’s reason when the numbers are missing (burn rates, malformed results)', () => {
    expect(reasonWith({ rule: 'burn-rate', reason: 'burning 14.4x over 1h and 5m.' })).toContain(
      `revenue breaches its guard (burning 14.4x over 1h and 5m)${tail}`,
    );
    expect(
      reasonWith({
        reason: '',
        comparison: {
          bad: 'increase',
          relative: true,
          difference: null,
          interval: null,
          margin: 0.1,
        },
      }),
    ).toMatch(new RegExp(`revenue breaches its guard${tail}$`));
  });
});
