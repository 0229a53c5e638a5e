// ns per decide() call for a 4-phase, 6-KPI plan, in the situations a controller
// or the rehearsal meets most. A figure, not a test: run `npm run build` (or
// `npx tsc -b packages/core`) first, then `node bench/decide.mjs`.
import {
  applyDecision,
  decide,
  initialLaunchState,
  parsePlan,
} from '../packages/core/dist/index.js';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2025, 0, 6, 9);

const PLAN = `launch: bench
owner: team
phases:
  - { name: canary, traffic: 1%, min_duration: 1h, min_units: 1000 }
  - { name: early, traffic: 10%, min_duration: 2h, min_units: 1000 }
  - { name: half, traffic: 50%, min_duration: 4h, signoff: [product] }
  - { name: full, traffic: 100%, bake: 1d }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 10% }, on_breach: [rollback, { notify: oncall }] }
    - { name: latency, kind: quantile, q: 0.95, event: l, guard: { max_increase: 5% }, on_breach: pause }
  user-impact:
    - { name: conversion, kind: occurrence, event: p, guard: { max_decrease: 2% }, on_breach: { ask: [product] }, on_insufficient: extend }
    - { name: revenue, kind: mean, event: r, guard: { max_decrease: 3% }, on_breach: notify }
  efficiency:
    - { name: cpu, kind: mean, event: c, guard: { max_increase: 15% }, on_breach: hold }
    - { name: calls, kind: ratio, numerator: a, denominator: b, guard: { max_increase: 15% }, on_breach: hold }
risks:
  - { id: R1, title: Slow pages, likelihood: 3, impact: 3, owner: web, watch: [latency], contingency: [hold, { notify: web }] }
signoff:
  roles: { product: 1 }
  deadline: 1d
`;

const parsed = parsePlan(PLAN);
if (!parsed.valid) throw new Error(JSON.stringify(parsed.errors));
const plan = parsed.plan;
const names = ['cpu', 'calls', 'conversion', 'revenue', 'errors', 'latency'];

const guard = (kpi, verdict) => ({
  kpi,
  category: 'operational-health',
  kind: 'occurrence',
  verdict,
  reason: `${kpi}: ${verdict}`,
  rule: 'compare',
  estimate: { treatment: 0.11, control: 0.1 },
  comparison: {
    bad: 'increase',
    relative: true,
    difference: 0.1,
    interval: [0.05, 0.15],
    margin: 0.1,
  },
  units: { treatment: 5000, control: 5000 },
  alpha: { guard: 0.05 / 6, launch: 0.05 },
  method: 'asymptotic-confidence-sequence',
});
const srm = {
  healthy: true,
  pValue: 0.4,
  threshold: 0.001,
  observed: { treatment: 5000, control: 5000 },
  expectedShare: { treatment: 0.5, control: 0.5 },
  reason: 'ok',
};
const evidence = (verdicts = {}, units = [5000, 5000], approvals = []) => ({
  guards: names.map((n) => guard(n, verdicts[n] ?? 'pass')),
  srm,
  units: { treatment: units[0], control: units[1] },
  approvals,
});
const start = initialLaunchState(plan, { planVersion: 1, now: T0, startedBy: 'lena' });
const inPhase = (i, extra = {}) => ({
  ...start,
  phaseIndex: i,
  phase: plan.phases[i].name,
  traffic: plan.phases[i].traffic,
  ...extra,
});

const scenarios = [
  ['waiting for min_duration, all guards pass (no decision)', inPhase(0), evidence(), T0 + 30 * M],
  [
    'waiting, 2 KPIs insufficient (no decision)',
    inPhase(0),
    evidence(
      { conversion: 'insufficient-evidence', revenue: 'insufficient-evidence' },
      [400, 40_000],
    ),
    T0 + 30 * M,
  ],
  [
    'holding on a breach (no decision)',
    inPhase(1, {
      holds: [{ id: 'breach:cpu', rule: 'guard-breach', kpi: 'cpu', since: T0, reason: 'x' }],
    }),
    evidence({ cpu: 'breach' }),
    T0 + 3 * H,
  ],
  [
    'waiting for sign-off, 3 approvals to count (no decision)',
    inPhase(1, {
      signoffRequests: [
        {
          phase: 'half',
          role: 'product',
          requestedAt: T0,
          deadlineAt: T0 + 24 * H,
          expired: false,
        },
      ],
      fired: ['early:signoff-quorum:half:request', 'early:signoff-quorum:half:product'],
    }),
    evidence(
      {},
      [5000, 5000],
      [
        {
          role: 'product',
          phase: 'early',
          decision: 'approve',
          actor: 'a',
          planVersion: 1,
          at: T0,
        },
        {
          role: 'product',
          phase: 'half',
          decision: 'approve',
          actor: 'lena',
          planVersion: 1,
          at: T0,
        },
        { role: 'product', phase: 'half', decision: 'reject', actor: 'b', planVersion: 0, at: T0 },
      ],
    ),
    T0 + 3 * H,
  ],
  ['baking at 100% (no decision)', inPhase(3, { bakeStartedAt: T0 }), evidence(), T0 + 2 * H],
  ['advancing (one decision)', inPhase(0), evidence(), T0 + 2 * H],
  [
    'rolling back on a breach (two decisions)',
    inPhase(1),
    evidence({ errors: 'breach' }),
    T0 + 3 * H,
  ],
];

function measure(fn, iterations) {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += fn(); // warm up
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += fn();
    rounds.push(Number(process.hrtime.bigint() - t) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[2], min: rounds[0], max: rounds[4], sink };
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
console.log(`decide(): 4 phases, 6 KPIs, 1 risk (Node ${process.version})\n`);
console.log('| situation | median ns/call | min-max | explain: false, median ns/call | min-max |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, state, ev, now] of scenarios) {
  const full = measure(() => {
    const r = decide(plan, state, ev, now);
    return r.decisions.length + r.look.summary.length;
  }, 200_000);
  const brief = measure(() => {
    const r = decide(plan, state, ev, now, { explain: false });
    return r.decisions.length + r.look.state.length;
  }, 200_000);
  console.log(
    `| ${name} | ${fmt(full.median)} | ${fmt(full.min)}-${fmt(full.max)} | ${fmt(brief.median)} | ${fmt(brief.min)}-${fmt(brief.max)} |`,
  );
}

// A whole simulated launch looked at every minute, decisions folded in, as the rehearsal would.
function launch(options) {
  let state = start;
  let looks = 0;
  const clean = evidence();
  const approvals = [
    { role: 'product', phase: 'half', decision: 'approve', actor: 'pia', planVersion: 1, at: T0 },
  ];
  const ready = evidence({}, [5000, 5000], approvals);
  for (let now = T0 + M; state.status === 'running' && looks < 100_000; now += M) {
    looks++;
    const { decisions } = decide(plan, state, state.phaseIndex >= 1 ? ready : clean, now, options);
    for (const d of decisions) state = applyDecision(state, d);
  }
  return looks;
}
console.log('');
for (const options of [undefined, { explain: false }]) {
  const looks = launch(options);
  for (let i = 0; i < 20; i++) launch(options); // warm up
  const t = process.hrtime.bigint();
  let total = 0;
  for (let i = 0; i < 100; i++) total += launch(options);
  const ns = Number(process.hrtime.bigint() - t) / total;
  console.log(
    `Whole launch${options ? ', explain: false' : ''}: one look a minute to completion (${looks.toLocaleString('en-US')} looks, 100 launches): ${fmt(ns)} ns/look, ${fmt((ns * looks) / 1e6)} ms per launch.`,
  );
}
