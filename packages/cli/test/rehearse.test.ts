/** `threshold rehearse`: end to end through the real bin, the renderings, and every kind of mistake. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RehearsalReport } from '@threshold/core';
import { BIN, REPO_ROOT, STACK_LINE, runCli, spawnCli } from './run-cli.js';

/** The real bin with room for a loaded machine (a rehearsal is CPU-bound for seconds). */
function spawnRehearsal(argv: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const PLAN = 'examples/checkout-web.yaml';
const HISTORY = 'examples/history/checkout-web.csv';
// Half a day per launch keeps the test quick; the full week is what the docs run.
const E2E = [
  'rehearse',
  PLAN,
  '--history',
  HISTORY,
  '--runs',
  '200',
  '--seed',
  '1',
  '--json',
  '--max-duration',
  '12h',
];

describe('threshold rehearse, end to end', () => {
  it('replays the example plan through the example history (real bin, --json), byte-identical per seed on 1 or 2 threads', () => {
    const first = spawnRehearsal([...E2E, '--workers', '2']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as RehearsalReport;
    expect(report.plan.launch).toBe('checkout-one-page');
    expect(report.history).toMatchObject({
      source: HISTORY,
      kind: 'history',
      intervalMs: 60_000,
      durationMs: 7 * 86_400_000,
    });
    expect(report.settings).toMatchObject({ runs: 200, seed: 1, lookIntervalMs: 300_000 });
    expect(report.clean.runs).toBe(200);
    expect(report.detectableEffects.map((p) => p.phase)).toEqual([
      'canary',
      'early',
      'quarter',
      'half',
      'full',
    ]);
    // The example's canary cannot prove conversion within 2% at 1% of the traffic: it says so.
    expect(report.findings.some((f) => f.severity === 'problem' && f.phase === 'canary')).toBe(
      true,
    );
    // Each scenario's launches end in exactly one of four ways.
    const ends = report.clean.ends;
    expect(ends.caught.count).toBe(0);
    expect(
      ends.caught.count + ends.stoppedForNothing.count + ends.shipped.count + ends.stalled.count,
    ).toBe(200);
    expect(ends.total).toBe(200);
    const again = spawnRehearsal([...E2E, '--workers', '1']);
    expect(again.stdout).toBe(first.stdout);
  }, 400_000);

  it('prints progress lines on stderr with --progress when stderr is not a terminal, and the report on stdout', () => {
    const run = spawnRehearsal([
      'rehearse',
      PLAN,
      '--traffic',
      '1200/min',
      '--runs',
      '40',
      '--max-duration',
      '6h',
      '--look-interval',
      '10m',
      '--workers',
      '2',
      '--inject',
      'payment_errors=+50%',
      '--progress',
    ]);
    expect(run.code).toBe(0);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^rehearsing: 80 of 80 launches \(100%\) after \d+s$/);
    for (const line of lines) expect(line).toMatch(/^rehearsing: \d+ of 80 launches/);
    expect(run.stdout).toMatch(/^Looks every 10m;/m);
    expect(run.stdout).toMatch(
      /^How every launch ended \(each launch in exactly one column; each row adds up to 100%\)$/m,
    );
    expect(run.stdout).toMatch(/^ {2}payment_errors=\+50% .* 40 = 100%$/m);
    // Without --progress, a pipe gets no progress at all.
    const quiet = spawnRehearsal([
      'rehearse',
      PLAN,
      '--traffic',
      '1200/min',
      '--runs',
      '5',
      '--max-duration',
      '1h',
    ]);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
  }, 400_000);

  it('prints a readable report and writes a self-contained HTML file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const html = join(dir, 'report.html');
    const run = await runCli([
      'rehearse',
      PLAN,
      '--traffic',
      '1200/min',
      '--diurnal',
      '--baseline',
      'payment_errors=2%',
      '--inject',
      'payment_errors=+50%',
      '--inject',
      'payment_errors=+100%',
      '--runs',
      '20',
      '--max-duration',
      '12h',
      '--html',
      html,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`wrote ${html}\n`);
    expect(run.stdout).toMatch(
      /^Rehearsal of checkout-one-page: 20 simulated launches per scenario, seed 1\n/,
    );
    expect(run.stdout).toMatch(/^Synthetic traffic: 7d of 1m rows, 1,200 new units\/min/m);
    expect(run.stdout).toMatch(/^ {2}payment_errors=\+100% +\d+% \[/m);
    expect(run.stdout).toMatch(/power curve of payment_errors: \+0% \S+ · \+50% \S+ · \+100% \S+/);
    expect(run.stdout).toMatch(/^Findings\n\n {2}[✗!·] /m);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(page).toContain('<polyline');
    expect(page).not.toMatch(/<script|<link|src=|href=/i);
    // Only the report: no temporary file left behind.
    expect(readdirSync(dir)).toEqual(['report.html']);
  });
});

describe('threshold rehearse, mistakes', () => {
  it('reports history problems as FILE:LINE:COL, exit 1, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const csv = readFileSync(HISTORY, 'utf8').split('\n').slice(0, 8);
    csv[5] = (csv[5] ?? '').replace(/^([^,]+),(\d+),/, '$1,lots,');
    csv[6] = (csv[6] ?? '').replace(/^([^,]+),(\d+),(\d+),/, '$1,$2,$2999,');
    writeFileSync(join(dir, 'bad.csv'), csv.join('\n'));
    const run = spawnCli(['rehearse', join(process.cwd(), PLAN), '--history', 'bad.csv'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('bad.csv:6:22: units: "lots" is not a number');
    expect(lines[1]).toMatch(/^bad\.csv:7:\d+: conversion\.occurred: \d+ exceeds units \(\d+\)$/);
    expect(lines[2]).toBe(
      '✗ cannot rehearse with bad.csv: 2 problems in the history (see above; docs/rehearsal.md describes the columns)',
    );
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('reports an invalid plan like validate does, exit 1', async () => {
    const run = await runCli([
      'rehearse',
      'examples/invalid/07-wrong-enum.yaml',
      '--traffic',
      '100/min',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^examples\/invalid\/07-wrong-enum\.yaml:\d+:\d+: /);
    expect(run.stderr).toMatch(
      /✗ cannot rehearse examples\/invalid\/07-wrong-enum\.yaml: \d+ problems? in the plan/,
    );
  });

  it.each([
    [
      ['rehearse', PLAN],
      'say what to replay: --history FILE (a history CSV) or --traffic RATE (e.g. 1200/min)',
    ],
    [
      ['rehearse', PLAN, '--history', HISTORY, '--traffic', '10/s'],
      'give --history FILE or --traffic RATE, not both',
    ],
    [
      ['rehearse', PLAN, '--traffic', 'fast'],
      '--traffic: "fast" is not a rate: write units per time, e.g. 1200/min, 20/s or 72000/h',
    ],
    [
      ['rehearse', PLAN, '--history', HISTORY, '--diurnal'],
      '--diurnal shapes synthetic traffic: use it with --traffic, not --history',
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--runs', '0'],
      "--runs must be a whole number from 1 to 1000000, got '0'",
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--look', '5'],
      '--look must be a duration like "30s", "30m", "2h", "1d" or "1h30m" (got "5")',
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--inject', 'conversoin=-5%'],
      `--inject conversoin=-5%: unknown KPI "conversoin" (did you mean 'conversion'?); the plan has api_calls_per_checkout, conversion, order_value, abandonment, payment_errors, p95_page_load, js_errors`,
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--baseline', 'conversion=140%'],
      '--baseline conversion=140%: baseline of conversion: a occurrence baseline is a rate from 0% to 100%, got 1.4',
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--audience', 'beta=5%'],
      '--audience beta=5%: write PHASE=SHARE with a phase of the plan (canary, early, quarter, half, full), e.g. canary=20%',
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--seed', '1', '--seed', '2'],
      '--seed is given 2 times; give it once',
    ],
    [
      ['rehearse', PLAN, '--traffic', '10/s', '--html', 'no/such/dir/r.html'],
      '--html no/such/dir/r.html: no such directory no/such/dir',
    ],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `threshold rehearse: ${message}\nRun 'threshold help rehearse' for usage.\n`,
    );
  });

  it('refuses an injection that cannot exist, with what to write instead', async () => {
    const run = await runCli([
      'rehearse',
      PLAN,
      '--history',
      HISTORY,
      '--inject',
      'payment_errors=10',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--inject payment_errors=10: size of payment_errors: 10 cannot exist: payment_errors is a rate',
    );
    expect(run.stderr).toContain('write a relative change like +10% or an absolute one like +0.01');
    const high = await runCli([
      'rehearse',
      PLAN,
      '--traffic',
      '100/min',
      '--baseline',
      'payment_errors=60%',
      '--inject',
      'payment_errors=+0.5',
      '--runs',
      '1',
    ]);
    expect(high.code).toBe(2);
    expect(high.stderr).toContain(
      'injections.0: payment_errors=+0.5 cannot exist: payment_errors is a rate of 0.6 in the history, and it would become 1.1, above 1 (100%)',
    );
    expect(high.stderr).not.toMatch(STACK_LINE);
  });

  it('says when a file cannot be read (exit 2)', async () => {
    const run = await runCli(['rehearse', PLAN, '--history', 'no-such.csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('no-such.csv: cannot read: no such file\n');
    expect(existsSync('no-such.csv')).toBe(false);
  });

  it('has help', async () => {
    const run = await runCli(['rehearse', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Usage: threshold rehearse PLAN \(--history FILE \| --history prometheus \| --history launches \| --traffic RATE\)/,
    );
    const overview = await runCli(['--help']);
    expect(overview.stdout).toContain('threshold rehearse PLAN --history FILE');
  });
});
