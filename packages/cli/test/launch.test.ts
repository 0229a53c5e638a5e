/**
 * `threshold launch …` against a real server (real HTTP, real SQLite store, the
 * real controller looking by hand): start from a plan file, status with verdicts
 * and intervals, pause/resume/rollback with reasons, approvals as a role, and
 * what people see when the server refuses or cannot be reached.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armOf, bucketOf } from '@threshold/core';
import type { SdkEvent } from '@threshold/core';
import { createToken, startServer } from '@threshold/server';
import type { RunningServer } from '@threshold/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const PLAN = `launch: cli-launch
owner: web
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 1h, min_units: 50 }
  - { name: half, traffic: 50%, min_duration: 1h, signoff: [product] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 20% }, on_breach: pause }
    - { name: errors, kind: occurrence, event: err, guard: { max_increase_abs: 0.05 }, on_breach: rollback }
signoff:
  roles: { product: 1 }
`;

describe('threshold launch', () => {
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'threshold-cli-launch-'));
  const tokens: Record<string, string> = {};
  let env: Record<string, string>;

  const cli = (argv: string[], as = 'operator') =>
    runCli(['launch', ...argv], dir, { ...env, THRESHOLD_TOKEN: tokens[as] ?? '' });

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      logger: pino({ level: 'silent' }),
      controller: { lookIntervalMs: 3_600_000 },
      outbox: false,
    });
    for (const [name, scopes] of [
      ['operator', ['operator']],
      ['viewer', ['viewer']],
      ['product', ['approver:product']],
      ['sdk', ['sdk']],
    ] as const)
      tokens[name] = (await createToken(server.store, { name, scopes: [...scopes] })).token;
    env = { THRESHOLD_URL: server.url };
    writeFileSync(join(dir, 'plan.yaml'), PLAN);
    writeFileSync(
      join(dir, 'broken.yaml'),
      'launch: broken\nowner: web\nphases:\n  - { name: a, traffic: 150% }\n',
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let id = '';

  it('start uploads the plan file and starts a launch', async () => {
    const run = await cli(['start', 'plan.yaml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const m = /^launch (cli-launch-\S+) started: phase canary starts at 20%$/m.exec(run.stdout);
    expect(m).not.toBeNull();
    id = m?.[1] ?? '';
    expect(run.stdout).toContain('plan cli-launch@1 uploaded');
    expect((await server.store.getLaunch(id))?.status).toBe('running');
  });

  it('start prints every problem of an invalid plan and exits 1', async () => {
    const run = await cli(['start', 'broken.yaml']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^threshold launch start: the plan has \d+ problems?/);
    expect(run.stderr).toMatch(/^ {2}4:\d+: /m);
    const missing = await cli(['start', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('nope.yaml: cannot read: no such file\n');
  });

  it('status shows phase, time in phase, each verdict with its interval, sign-offs and the last decision', async () => {
    const now = Date.now();
    const events: SdkEvent[] = [];
    // 80 treatment and 320 control units, each in the arm it really has at 20%
    // (the server recomputes every exposure's arm).
    const salt = (await server.store.getLaunch(id))?.salt ?? '';
    const want = { treatment: 80, control: 320 };
    for (let i = 0; want.treatment + want.control > 0; i++) {
      const arm =
        armOf(bucketOf(`u${i}`, salt), 2000, 'rest') === 'treatment' ? 'treatment' : 'control';
      if (want[arm] === 0) continue;
      want[arm]--;
      events.push({
        type: 'exposure',
        flag: 'cli-launch',
        launch: id,
        unit: `u${i}`,
        arm,
        phase: 'canary',
        ts: now,
      });
      events.push({
        type: 'track',
        unit: `u${i}`,
        event: 'latency_ms',
        value: 100 + (i % 7),
        ts: now,
      });
    }
    await server.store.ingest('test', 'cli-batch-1', events);
    while ((await server.store.project()) > 0) {
      // fold everything
    }
    await server.controller.lookOnce();

    const run = await cli(['status', id], 'viewer');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain(`${id}  (plan cli-launch@1, flag cli-launch)`);
    expect(out).toMatch(/^status: {2}running$/m);
    expect(out).toMatch(/^phase: {3}canary \(1 of 3\) at 20%, for \d+s$/m);
    expect(out).toMatch(/^next: {4}half at 50%$/m);
    expect(out).toMatch(/^now: {5}waiting: /m);
    expect(out).toMatch(/^units: {3}80 treatment, 320 control; split healthy/m);
    // latency: a verdict with the relative difference and its interval against the margin.
    expect(out).toMatch(
      /^ {2}latency +operational-health +(pass|not enough evidence) +[\d.]+ vs [\d.]+ +[+−-]?[\d.]+% \[[+−-][\d.]+%, \+[\d.]+%\] +\+20%$/m,
    );
    expect(out).toMatch(/^ {2}errors +operational-health +(pass|not enough evidence) +0 vs 0 /m);
    expect(out).toContain('sign-offs pending: product 0/1 for half');
    expect(out).toContain('last decision: none yet');

    const json = await cli(['status', id, '--json'], 'viewer');
    const view = JSON.parse(json.stdout) as {
      launch: { id: string };
      look: { kpis: { kpi: string; interval: unknown }[] };
      pendingSignoffs: unknown[];
    };
    expect(view.launch.id).toBe(id);
    expect(view.look.kpis.map((k) => k.kpi)).toEqual(['latency', 'errors']);
    expect(view.pendingSignoffs).toHaveLength(1);
  });

  it('pause, resume and rollback need a reason; each lands in the launch record', async () => {
    const noReason = await cli(['pause', id]);
    expect(noReason.code).toBe(2);
    const paused = await cli(['pause', id, '--reason', 'support spike']);
    expect(paused.stderr).toBe('');
    expect(paused.stdout).toBe(`launch ${id}: paused (phase canary at 20%)\n`);
    const twice = await cli(['pause', id, '--reason', 'again']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('cannot pause: the launch is paused already');
    const status = await cli(['status', id], 'viewer');
    expect(status.stdout).toMatch(
      /^last decision: pause by operator, \d+s ago: paused by operator: support spike$/m,
    );
    const resumed = await cli(['resume', id, '--reason', 'spike unrelated', '--json']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ launch: { id, status: 'running' } });
  });

  it("approve signs off as the token's role; the wrong role is refused", async () => {
    const approved = await cli(
      ['approve', id, '--role', 'product', '--comment', 'looks good'],
      'product',
    );
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toBe(
      'product approved as product for phase half; sign-off now product 1/1\n',
    );
    const wrong = await cli(['approve', id, '--role', 'sre'], 'product');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('needs scope approver:sre');
    const approvals = await server.store.listApprovals(id);
    expect(approvals).toMatchObject([
      { role: 'product', phase: 'half', decision: 'approve', comment: 'looks good' },
    ]);
  });

  it('rollback ends the launch; then every action is refused with the reason', async () => {
    const rolled = await cli(['rollback', id, '--reason', 'test done']);
    expect(rolled.stdout).toBe(`launch ${id}: rolled-back (phase canary at 0%)\n`);
    const again = await cli(['resume', id, '--reason', 'no']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('rolled back');
  });

  it('says what to do without a token, for an unknown launch, and when nothing listens', async () => {
    const anonymous = await runCli(['launch', 'status', id], dir, { THRESHOLD_URL: server.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('(pass a token with --token or THRESHOLD_TOKEN)');
    const unknown = await cli(['status', 'nope'], 'viewer');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("launch 'nope'");
    const down = await runCli(['launch', 'status', id, '--server', 'http://127.0.0.1:9'], dir, {});
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach the Threshold server at http://127.0.0.1:9');
    const bad = await runCli(['launch', 'status', id, '--server', 'nope'], dir, {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--server: 'nope' is not a URL");
  });
});
