/**
 * Properties of decide() over random launches: random evidence, approvals,
 * clock steps and operator actions, looked at again and again like the
 * controller does, with every decision folded into the state.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDecision, decide, initialLaunchState, operatorAction } from '../../src/index.js';
import type { Approval, Decision, Evidence, LaunchState, Plan, Verdict } from '../../src/index.js';
import { BROKEN, H, HEALTHY, M, RULES, T0, guard, plan, replay, variant } from './fixtures.js';

const CHECKOUT = plan(
  readFileSync(new URL('../../../../examples/checkout-web.yaml', import.meta.url), 'utf8'),
);
const GATED = variant([
  '- { name: canary, traffic: 1%,',
  '- { name: canary, traffic: 1%, signoff: [product],',
]);
const ROLLBACK_ON_DEADLINE = variant([
  '  deadline: 1d\n',
  '  deadline: 1d\n  on_deadline: rollback\n',
]);
const PLANS: Plan[] = [RULES, GATED, ROLLBACK_ON_DEADLINE, CHECKOUT];

function kpiNames(p: Plan): string[] {
  return [...p.kpis.efficiency, ...p.kpis['user-impact'], ...p.kpis['operational-health']].map(
    (k) => k.name,
  );
}

/**
 * The plan's advisory KPIs, worked out here from the plan alone: their
 * on_breach plus the contingencies of the risks watching them notify or call
 * a webhook, and change nothing.
 */
function advisoryNames(p: Plan): Set<string> {
  const out = new Set<string>();
  for (const k of [
    ...p.kpis.efficiency,
    ...p.kpis['user-impact'],
    ...p.kpis['operational-health'],
  ]) {
    const actions = [
      ...k.on_breach,
      ...p.risks.filter((r) => r.watch.includes(k.name)).flatMap((r) => r.contingency),
    ];
    if (actions.length > 0 && actions.every((a) => a.type === 'notify' || a.type === 'webhook'))
      out.add(k.name);
  }
  return out;
}

/** Mostly passing verdicts, so that random launches get somewhere. */
const verdict = (calm: boolean) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant<Verdict | null>('pass') },
    { weight: calm ? 0 : 1, arbitrary: fc.constant<Verdict | null>('breach') },
    { weight: 2, arbitrary: fc.constant<Verdict | null>('insufficient-evidence') },
    { weight: 1, arbitrary: fc.constant<Verdict | null>(null) },
  );

/**
 * One look's inputs. Calm launches never breach nor roll back by hand, so
 * that they reach sign-offs, bakes and completion; rough ones do anything.
 */
const look = (p: Plan, calm: boolean) =>
  fc.record({
    step: fc.integer({ min: calm ? 10 * M : 0, max: calm ? 6 * H : 3 * H }),
    // Most looks are clean, so that random launches reach the end.
    verdicts: fc.oneof(
      { weight: 6, arbitrary: fc.constant<(Verdict | null)[]>(['pass']) },
      { weight: 1, arbitrary: fc.array(verdict(calm), { minLength: 10, maxLength: 10 }) },
    ),
    units: fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 })),
    srm: fc.oneof(
      { weight: 10, arbitrary: fc.constant(HEALTHY) },
      { weight: calm ? 0 : 1, arbitrary: fc.constant(BROKEN) },
    ),
    approvals: fc.array(
      fc.record({
        role: fc.constantFrom('product', 'sre', 'engineering'),
        phase: fc.constantFrom(...p.phases.map((ph) => ph.name)),
        decision: fc.constantFrom<'approve' | 'reject'>(
          'approve',
          'approve',
          'approve',
          'approve',
          'reject',
        ),
        actor: fc.constantFrom('pia', 'sam', 'sol', 'starter'),
        planVersion: fc.constantFrom(1, 1, 1, 2),
        ago: fc.integer({ min: 0, max: 6 * H }),
      }),
      { maxLength: 3 },
    ),
    // Now and then every advisory KPI breaches at once (calm launches too: that blocks nothing).
    advisoryBreach: fc.oneof(
      { weight: 8, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    // Now and then a person pauses, resumes or rolls back.
    operator: fc.oneof(
      { weight: 40, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: calm
          ? fc.constantFrom<'pause' | 'resume'>('pause', 'resume', 'resume')
          : fc.constantFrom<'pause' | 'resume' | 'rollback'>('pause', 'resume', 'rollback'),
      },
    ),
  });

type LookInput = ReturnType<typeof look> extends fc.Arbitrary<infer T> ? T : never;

const walk = fc
  .tuple(fc.constantFrom(...PLANS), fc.boolean())
  .chain(([p, calm]) =>
    fc.tuple(
      fc.constant(p),
      fc.array(look(p, calm), { minLength: calm ? 30 : 1, maxLength: 60, size: 'max' }),
    ),
  );

interface Step {
  before: LaunchState;
  evidence: Evidence;
  now: number;
  decisions: Decision[];
  after: LaunchState;
}

/** Run a random launch: every look's decisions (and operator actions) folded into the state. */
function run(p: Plan, looks: LookInput[]): { log: Decision[]; steps: Step[]; final: LaunchState } {
  let state = initialLaunchState(p, { planVersion: 1, now: T0, startedBy: 'starter' });
  let now = T0;
  const names = kpiNames(p);
  const advisory = advisoryNames(p);
  const approvals: Approval[] = [];
  const log: Decision[] = [];
  const steps: Step[] = [];
  for (const l of looks) {
    now += l.step;
    for (const a of l.approvals) {
      const { ago, ...rest } = a;
      approvals.push({ ...rest, at: Math.max(T0, now - ago) });
    }
    if (l.operator !== null) {
      const d = operatorAction(state, { type: l.operator, reason: 'random', actor: 'ana', now });
      if (!('error' in d)) {
        state = applyDecision(state, d);
        log.push(d);
      }
    }
    const evidence: Evidence = {
      guards: names.flatMap((name, i) => {
        const v =
          l.advisoryBreach && advisory.has(name)
            ? 'breach'
            : (l.verdicts[i % l.verdicts.length] ?? 'pass');
        return v === null ? [] : [guard(name, v)];
      }),
      srm: l.srm,
      units: { treatment: l.units[0], control: l.units[1] },
      approvals: [...approvals],
    };
    const before = state;
    const { decisions } = decide(p, state, evidence, now);
    state = replay(state, decisions);
    log.push(...decisions);
    steps.push({ before, evidence, now, decisions, after: state });
  }
  return { log, steps, final: state };
}

const verdictOf = (e: Evidence, kpi: string) => e.guards.find((g) => g.kpi === kpi)?.verdict;

describe('decide(): properties of random launches', () => {
  it('walks far enough to matter: random launches reach every kind of decision', () => {
    const seen = new Map<string, number>();
    for (const [p, looks] of fc.sample(walk, { numRuns: 300, seed: 6 }))
      for (const d of run(p, looks).log) seen.set(d.type, (seen.get(d.type) ?? 0) + 1);
    for (const type of [
      'advance',
      'complete',
      'rollback',
      'pause',
      'resume',
      'hold',
      'release-hold',
      'request-signoff',
      'signoff-expired',
      'ask',
      'notify',
      'webhook',
      'extend',
    ])
      expect([type, seen.get(type) ?? 0]).not.toEqual([type, 0]);
  });

  it('never advances or completes past a blocking breach or an insufficient or missing guard', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        const advisory = advisoryNames(p);
        for (const s of run(p, looks).steps)
          for (const d of s.decisions)
            if ((d.type === 'advance' && d.from >= 0) || d.type === 'complete')
              for (const k of kpiNames(p)) {
                const v = verdictOf(s.evidence, k);
                // Only an advisory breach (the plan only notifies) is let through.
                expect(v === 'pass' || (v === 'breach' && advisory.has(k)) ? 'ok' : [k, v]).toBe(
                  'ok',
                );
              }
      }),
      { numRuns: 150 },
    );
  });

  it('lets advisory breaches change nothing by themselves: only their notify and webhook differ', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        const advisory = advisoryNames(p);
        for (const s of run(p, looks).steps) {
          const breaching = s.evidence.guards.filter(
            (g) => g.verdict === 'breach' && advisory.has(g.kpi),
          );
          if (breaching.length === 0) continue;
          // The same look with every advisory breach a pass instead.
          const calm: Evidence = {
            ...s.evidence,
            guards: s.evidence.guards.map((g) =>
              g.verdict === 'breach' && advisory.has(g.kpi) ? guard(g.kpi, 'pass') : g,
            ),
          };
          const with_ = decide(p, s.before, s.evidence, s.now);
          const without = decide(p, s.before, calm, s.now);
          const extra = (d: Decision) =>
            (d.type === 'notify' || d.type === 'webhook') &&
            (d.rule === 'guard-breach' || d.rule === 'risk-contingency') &&
            d.kpi !== undefined &&
            advisory.has(d.kpi);
          const shape = (d: Decision) => ({ ...d, reason: '', evidence: {} });
          expect(with_.decisions.filter((d) => !extra(d)).map(shape)).toEqual(
            without.decisions.map(shape),
          );
          const keys = new Set(with_.decisions.filter(extra).map((d) => ('key' in d ? d.key : '')));
          const after = replay(s.before, with_.decisions);
          expect({ ...after, fired: after.fired.filter((k) => !keys.has(k)) }).toEqual(
            replay(s.before, without.decisions),
          );
          expect([with_.look.status, with_.look.state, with_.look.traffic]).toEqual([
            without.look.status,
            without.look.state,
            without.look.traffic,
          ]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does advance past advisory breaches in those walks (the property above has teeth)', () => {
    let past = 0;
    for (const [p, looks] of fc.sample(walk, { numRuns: 300, seed: 6 })) {
      const advisory = advisoryNames(p);
      for (const s of run(p, looks).steps)
        if (s.evidence.guards.some((g) => g.verdict === 'breach' && advisory.has(g.kpi)))
          for (const d of s.decisions)
            if ((d.type === 'advance' && d.from >= 0) || d.type === 'complete') past++;
    }
    expect(past).toBeGreaterThan(0);
  });

  it('never skips a phase: at most one advance per look, always to the next phase', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        for (const s of run(p, looks).steps) {
          const advances = s.decisions.filter((d) => d.type === 'advance');
          expect(advances.length).toBeLessThanOrEqual(1);
          for (const a of advances) {
            expect(a.from).toBe(s.before.phaseIndex);
            expect(a.to).toBe(s.before.phaseIndex + 1);
            expect(a.traffic).toBe(p.phases[a.to]?.traffic);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('changes traffic only by advance or rollback', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        let state = initialLaunchState(p, { planVersion: 1, now: T0 });
        for (const d of run(p, looks).log) {
          const next = applyDecision(state, d);
          if (next.traffic !== state.traffic) expect(['advance', 'rollback']).toContain(d.type);
          state = next;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not advance a paused launch, and decides nothing once rolled back or completed', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        for (const s of run(p, looks).steps) {
          if (s.before.status === 'paused')
            expect(
              s.decisions.filter((d) => d.type === 'advance' || d.type === 'complete'),
            ).toEqual([]);
          if (s.before.status === 'rolled-back' || s.before.status === 'completed')
            expect(s.decisions).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('repeats no side effect: every key is decided once per launch', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        const keys = run(p, looks).log.flatMap((d) =>
          'key' in d && d.key !== undefined ? [d.key] : [],
        );
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same output for the same inputs, and does not modify them', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        for (const s of run(p, looks).steps) {
          const state = structuredClone(s.before);
          const evidence = structuredClone(s.evidence);
          deepFreeze(state);
          deepFreeze(evidence);
          const a = decide(p, state, evidence, s.now);
          const b = decide(p, structuredClone(s.before), structuredClone(s.evidence), s.now);
          expect(a).toEqual(b);
          expect(a.decisions).toEqual(s.decisions);
          expect(state).toEqual(s.before);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('decides the same without explaining, or with conditions only (the rehearsal’s fast path)', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        for (const s of run(p, looks).steps) {
          const full = decide(p, s.before, s.evidence, s.now);
          const brief = decide(p, s.before, s.evidence, s.now, { explain: false });
          expect(brief.decisions).toEqual(full.decisions);
          expect(brief.look).toEqual({ ...full.look, summary: '', conditions: [] });
          const counted = decide(p, s.before, s.evidence, s.now, { explain: 'conditions' });
          expect(counted.decisions).toEqual(full.decisions);
          expect(counted.look).toEqual({ ...full.look, summary: '' });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rebuilds the state from the log of decisions, through JSON', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        const { log, final } = run(p, looks);
        const stored = JSON.parse(JSON.stringify(log)) as Decision[];
        const rebuilt = replay(
          initialLaunchState(p, { planVersion: 1, now: T0, startedBy: 'starter' }),
          stored,
        );
        expect(rebuilt).toEqual(final);
        expect(JSON.parse(JSON.stringify(final))).toEqual(final);
      }),
      { numRuns: 150 },
    );
  });

  it('always says where the launch stands', () => {
    fc.assert(
      fc.property(walk, ([p, looks]) => {
        for (const s of run(p, looks).steps) {
          const { look } = decide(p, s.before, s.evidence, s.now);
          expect(look.summary).toMatch(
            /^(waiting|holding|paused|ready|baking|rolled back|completed)/,
          );
          expect(look.status).toBe(s.after.status);
          expect(look.traffic).toBe(s.after.traffic);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary evidence, time or approvals', () => {
    const anyEvidence = fc.oneof(
      fc.anything(),
      fc.record({
        guards: fc.oneof(
          fc.anything(),
          fc.array(
            fc.oneof(
              fc.anything(),
              fc.record({
                kpi: fc.constantFrom(
                  'errors',
                  'latency',
                  'jank',
                  'conversion',
                  'revenue',
                  'cpu',
                  'x',
                ),
                verdict: fc.oneof(
                  fc.constantFrom('pass', 'breach', 'insufficient-evidence'),
                  fc.anything(),
                ),
                reason: fc.anything(),
                units: fc.anything(),
                comparison: fc.anything(),
              }),
            ),
          ),
        ),
        srm: fc.oneof(fc.anything(), fc.record({ healthy: fc.boolean(), pValue: fc.double() })),
        units: fc.anything(),
        approvals: fc.oneof(
          fc.anything(),
          fc.array(
            fc.record({
              role: fc.oneof(fc.constantFrom('product', 'sre'), fc.anything()),
              phase: fc.oneof(fc.constantFrom('canary', 'half', 'full'), fc.anything()),
              decision: fc.oneof(fc.constantFrom('approve', 'reject'), fc.anything()),
              actor: fc.anything(),
              planVersion: fc.anything(),
              at: fc.oneof(fc.double(), fc.anything()),
              comment: fc.anything(),
            }),
          ),
        ),
      }),
    );
    const states = [
      initialLaunchState(RULES, { planVersion: 1, now: T0 }),
      initialLaunchState(GATED, { planVersion: 1, now: T0 }),
      {
        ...initialLaunchState(RULES, { planVersion: 1, now: T0 }),
        phaseIndex: 1,
        phase: 'early',
        signoffRequests: [
          { phase: 'half', role: 'product', requestedAt: T0, deadlineAt: T0 + H, expired: false },
        ],
        asks: [
          {
            id: 'breach:conversion',
            rule: 'guard-breach' as const,
            kpi: 'conversion',
            roles: ['product'],
            phase: 'early',
            since: T0,
            reason: 'x',
          },
        ],
        holds: [{ id: 'breach:gone', rule: 'guard-breach' as const, since: T0, reason: 'x' }],
      },
      {
        ...initialLaunchState(RULES, { planVersion: 1, now: T0 }),
        phaseIndex: 3,
        phase: 'full',
        traffic: 1,
      },
      { ...initialLaunchState(RULES, { planVersion: 1, now: T0 }), phaseIndex: 9 },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...states),
        anyEvidence,
        fc.oneof(fc.integer({ min: T0 - H, max: T0 + 100 * H }), fc.double()),
        (state, evidence, now) => {
          const r = decide(RULES, state, evidence as Evidence, now);
          expect(Array.isArray(r.decisions)).toBe(true);
          expect(typeof r.look.summary).toBe('string');
          for (const d of r.decisions)
            if (d.type === 'advance') expect(d.to).toBe(state.phaseIndex + 1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('ends a launch whose rollback KPI breaches (the walks above do reach terminal states)', () => {
    // Counterpart of the properties above that must be able to fail: the rules plan's errors KPI rolls back.
    const state = initialLaunchState(RULES, { planVersion: 1, now: T0 });
    const evidence: Evidence = {
      guards: kpiNames(RULES).map((k) => guard(k, k === 'errors' ? 'breach' : 'pass')),
      srm: HEALTHY,
      units: { treatment: 1, control: 1 },
      approvals: [],
    };
    const { decisions } = decide(RULES, state, evidence, T0 + M);
    expect(replay(state, decisions).status).toBe('rolled-back');
  });
});

function deepFreeze(o: unknown): void {
  if (typeof o !== 'object' || o === null || Object.isFrozen(o)) return;
  Object.freeze(o);
  for (const v of Object.values(o)) deepFreeze(v);
}
