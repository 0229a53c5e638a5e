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
      ['starter', ['operator', 'approver:product']],
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
    expect(out).toMatch(/^state: {3}waiting \(health: (pass|insufficient evidence)\)$/m);
    expect(out).toMatch(/^why: {5}Waiting: /m);
    expect(out).toMatch(/^phase: {3}canary \(1 of 3\) at 20%, for \d+s$/m);
    expect(out).toMatch(
      /^next: {4}advances to half at 50% when every condition holds and product signs off$/m,
    );
    expect(out).toMatch(/^units: {3}80 treatment, 320 control; split healthy/m);
    // latency: a verdict with the relative difference and its interval against the margin.
    expect(out).toMatch(
      /^ {2}latency +operational-health +(pass|insufficient evidence) +[\d.]+ vs [\d.]+ +[+−-]?[\d.]+% \[[+−-][\d.]+%, \+[\d.]+%\] +\+20%$/m,
    );
    expect(out).toMatch(/^ {2}errors +operational-health +(pass|insufficient evidence) +0 vs 0 /m);
    expect(out).toContain('sign-offs pending: product 0/1 for half');
    expect(out).toContain('last decision: none yet');

    const json = await cli(['status', id, '--json'], 'viewer');
    const view = JSON.parse(json.stdout) as {
      launch: { id: string };
      standing: { state: string; sentence: string; look: { seq: number } };
      look: { seq: number; kpis: { kpi: string; interval: unknown }[] };
      pendingSignoffs: unknown[];
    };
    expect(view.launch.id).toBe(id);
    expect(view.standing.state).toBe('waiting');
    expect(out).toContain(`why:     ${view.standing.sentence}`);
    expect(view.look.seq).toBe(view.standing.look.seq);
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
    // The sentence says why it is paused; the last decision is not quoted a second time.
    expect(status.stdout).toMatch(/^state: {3}paused /m);
    expect(status.stdout).toMatch(/^why: {5}Paused in canary by operator: support spike\.$/m);
    expect(status.stdout).toMatch(/^next: {4}stays paused until an operator resumes it$/m);
    expect(status.stdout).toMatch(
      /^last decision: pause by operator, \d+s ago \(see why above\)$/m,
    );
    expect(status.stdout.split('support spike').length - 1).toBe(1);
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

  it('list shows every launch with where it stands, filtered by state, plan and owner', async () => {
    const all = await cli(['list'], 'viewer');
    expect(all.stderr).toBe('');
    expect(all.stdout.split('\n')[0]).toMatch(/^id +plan +state +phase +share +health +owner$/);
    expect(all.stdout).toMatch(new RegExp(`^${id} +cli-launch@1 +\\S`, 'm'));
    const json = JSON.parse((await cli(['list', '--json'], 'viewer')).stdout) as {
      launches: { id: string; owner: string; standing: { state: string } }[];
    };
    expect(json.launches.map((l) => l.id)).toEqual([id]);
    expect(json.launches[0]?.owner).toBe('web');
    const state = json.launches[0]?.standing.state ?? '';
    expect((await cli(['list', '--state', state, '--json'], 'viewer')).stdout).toContain(id);
    expect(
      (await cli(['list', '--state', 'running', '--plan', 'cli-launch'], 'viewer')).stdout,
    ).toContain(id);
    expect((await cli(['list', '--state', 'completed'], 'viewer')).stdout).toBe(
      'No launch matches.\n',
    );
    expect((await cli(['list', '--owner', 'someone-else'], 'viewer')).stdout).toBe(
      'No launch matches.\n',
    );
    const bad = await cli(['list', '--state', 'sleeping'], 'viewer');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown state 'sleeping'");
  });

  it("status with a plan's name instead of a launch id names that plan's launches", async () => {
    const run = await cli(['status', 'cli-launch'], 'viewer');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no launch 'cli-launch'");
    expect(run.stderr).toContain(`'cli-launch' is a plan; its launches, newest first: ${id} (`);
    const typo = await cli(['status', `${id.slice(0, -1)}x`], 'viewer');
    expect(typo.stderr).toContain(`did you mean '${id}'?`);
  });

  it('rollback ends the launch; then every action is refused with the reason', async () => {
    const rolled = await cli(['rollback', id, '--reason', 'test done']);
    expect(rolled.stdout).toBe(`launch ${id}: rolled-back (phase canary at 0%)\n`);
    const again = await cli(['resume', id, '--reason', 'no']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('rolled back');
  });

  it('refuses self-approval saying exactly why (not that the token lacks a scope)', async () => {
    // `starter` may approve as product, but started this launch.
    const started = await cli(['start', 'plan.yaml'], 'starter');
    const own = /^launch (cli-launch-\S+) started/m.exec(started.stdout)?.[1] ?? '';
    const self = await cli(['approve', own, '--role', 'product'], 'starter');
    expect(self.code).toBe(1);
    expect(self.stderr).toBe(
      'threshold launch approve: starter started this launch and the plan does not allow self-approval\n',
    );
    await cli(['rollback', own, '--reason', 'test done']);
  });

  it('promote is refused past a sign-off naming it; retry starts a new attempt status shows as lineage', async () => {
    const started = await cli(['start', 'plan.yaml']);
    const first = /^launch (cli-launch-\S+) started/m.exec(started.stdout)?.[1] ?? '';
    const refused = await cli(['promote', first, '--reason', 'looks fine']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'threshold launch promote: cannot promote: blocked by the sign-off for half (product 0/1)\n',
    );
    const noReason = await cli(['retry', first]);
    expect(noReason.code).toBe(2);
    await cli(['rollback', first, '--reason', 'bad build']);
    const retried = await cli(['retry', first, '--reason', 'fixed the build']);
    expect(retried.stderr).toBe('');
    const second = /^launch (cli-launch-\S+): running/m.exec(retried.stdout)?.[1] ?? '';
    expect(retried.stdout).toContain(`attempt 2 of ${first} → ${second}`);
    const status = await cli(['status', second], 'viewer');
    expect(status.stdout).toContain(
      `attempt: 2 of 2: ${first} (rolled-back) → ${second} (running)`,
    );
    await cli(['rollback', second, '--reason', 'test done']);
  });

  it('says what to do without a token, for an unknown launch, and when nothing listens', async () => {
    const anonymous = await runCli(['launch', 'status', id], dir, { THRESHOLD_URL: server.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('(pass a token with --token or THRESHOLD_TOKEN)');
    const stranger = await runCli(['launch', 'status', id], dir, {
      THRESHOLD_URL: server.url,
      THRESHOLD_TOKEN: 'thr_made-in-another-store',
    });
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('a token works only on the server whose store made it');
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
