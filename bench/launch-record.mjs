#!/usr/bin/env node
/**
 * The launch record's read cost: one launch's report (JSON, Markdown, HTML)
 * from a long log, the portfolio over every launch, and a plan's history.
 * All are built on request from the logs (ADRs 0029, 0030). SQLite in a temp
 * folder; synthetic logs written through the store (looks every few seconds,
 * decisions, a rollback). Prints a markdown table.
 *
 *   node bench/launch-record.mjs [--launches 50] [--looks 400]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parsePlan } from '@threshold/core';
import { createApp, createToken, openStore } from '@threshold/server';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    launches: { type: 'string', default: '50' },
    looks: { type: 'string', default: '400' },
  },
});
const LAUNCHES = Number(values.launches);
const LOOKS = Number(values.looks);

const SOURCE = `launch: bench-record
owner: web
unit: userId
phases:
  - { name: canary, traffic: 5%, min_duration: 1h }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: err, guard: { max_increase_abs: 0.05 }, on_breach: rollback }
  user-impact:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 5% }, on_breach: pause }
`;

const dir = mkdtempSync(join(tmpdir(), 'threshold-bench-record-'));
const store = await openStore({ dataDir: dir });
await store.migrate();
const parsed = parsePlan(SOURCE);
if (!parsed.valid) throw new Error('bench plan invalid');
await store.putPlan({
  name: 'bench-record',
  source: SOURCE,
  format: 'yaml',
  plan: parsed.plan,
  createdBy: 'bench',
});

const kpi = (name, difference, verdict) => ({
  kpi: name,
  category: 'operational-health',
  verdict,
  reason: `${name} ${difference}`,
  estimate: { treatment: 0.02 + difference, control: 0.02 },
  difference,
  interval: [difference - 0.03, difference + 0.03],
  threshold: 0.05,
  relative: false,
  bad: 'increase',
  units: { treatment: 100, control: 1900 },
});

const t0 = Date.now() - LAUNCHES * 3_600_000;
const written = Date.now();
for (let l = 0; l < LAUNCHES; l++) {
  const created = t0 + l * 3_600_000;
  const launch = await store.createLaunch({
    id: `bench-record-${l}`,
    planName: 'bench-record',
    planVersion: 1,
    salt: 's',
    createdBy: 'bench',
    traffic: 0.05,
  });
  let seq = launch.seq;
  for (let i = 0; i < LOOKS; i++) {
    const at = created + i * 5000;
    const d = i > LOOKS * 0.8 ? 0.06 : 0.01;
    const v = i === LOOKS - 1 ? 'breach' : 'insufficient-evidence';
    const look = {
      at,
      status: 'running',
      state: 'waiting',
      summary: 'waiting',
      phase: 'canary',
      phaseIndex: 0,
      traffic: 0.05,
      next: null,
      conditions: [],
      units: { treatment: 100 + i, control: 1900 + i },
      srm: {
        healthy: true,
        pValue: 1,
        threshold: 0.001,
        observed: { treatment: 1, control: 1 },
        expectedShare: { treatment: 0.05, control: 0.95 },
      },
      kpis: [kpi('error_rate', d, v), kpi('latency', 0.01, 'pass')],
    };
    seq = (
      await store.appendLaunchEvent(
        {
          launchId: launch.id,
          type: 'look',
          actor: 'controller',
          data: look,
          at: new Date(at).toISOString(),
        },
        seq,
      )
    ).seq;
  }
  const at = created + LOOKS * 5000;
  const rollback = {
    type: 'rollback',
    at,
    reason: 'error_rate breached',
    rule: 'guard-breach',
    phase: 'canary',
    phaseIndex: 0,
    planVersion: 1,
    traffic: 0,
    evidence: { units: { treatment: 500, control: 9000 }, guards: [] },
  };
  await store.appendLaunchEvent(
    { launchId: launch.id, type: 'decision', actor: 'controller', data: rollback },
    seq,
    { status: 'rolled-back', traffic: 0 },
  );
  await store.appendAudit({
    actor: 'controller',
    action: 'launch.rolled-back',
    subject: `launch:${launch.id}`,
    data: {},
  });
}
const writeMs = Date.now() - written;

const app = createApp({ store, logger: pino({ level: 'silent' }) });
const { token } = await createToken(store, { name: 'bench', scopes: ['viewer'] });
const get = async (path) => {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return res.text();
};
const time = async (path, n) => {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    bytes = (await get(path)).length;
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(n / 2)], bytes };
};
const id = `bench-record-${LAUNCHES - 1}`;
const rows = [
  ['report (JSON)', `/api/v1/launches/${id}/report`, 9],
  ['report (Markdown)', `/api/v1/launches/${id}/report/markdown`, 9],
  ['report (HTML)', `/api/v1/launches/${id}/report/html`, 9],
  [`portfolio (${LAUNCHES} launches)`, '/api/v1/portfolio', 5],
  ['plan history (3 launches)', '/api/v1/plans/bench-record/history', 9],
];
console.log(
  `${LAUNCHES} launches × ${LOOKS + 2} events written in ${(writeMs / 1000).toFixed(1)} s\n`,
);
console.log('| read | median ms | bytes |\n|---|---:|---:|');
for (const [name, path, n] of rows) {
  const r = await time(path, n);
  console.log(`| ${name} | ${r.median.toFixed(1)} | ${r.bytes.toLocaleString('en')} |`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
