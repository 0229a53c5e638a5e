/**
 * `threshold rehearse --environment NAME` through the real bin: the rehearsal
 * meets the environment's time rules, read from the same definitions the
 * server reads, and the report says which applied.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RehearsalReport } from '@threshold/core';
import { BIN } from './run-cli.js';

const QUICK = `launch: quick
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 100 }
  - { name: full, traffic: 100%, bake: 30m }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
`;

// Synthetic traffic starts Monday 2026-01-05 00:00 UTC: launches of up to a week run in production's freeze.
const ENVIRONMENTS = {
  environments: {
    staging: {},
    production: {
      requires: { environment: 'staging' },
      freezes: [{ from: '2026-01-01T00:00:00Z', to: '2026-01-20T00:00:00Z', reason: 'new year' }],
    },
    berlin: {
      timezone: 'Europe/Berlin',
      allowed_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
    },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'threshold-rehearse-env-'));
writeFileSync(join(dir, 'quick.yaml'), QUICK);
writeFileSync(join(dir, 'environments.json'), JSON.stringify(ENVIRONMENTS));
writeFileSync(
  join(dir, 'bad.json'),
  JSON.stringify({ environments: { production: { timezone: 'Mars/Olympus' } } }),
);

function rehearse(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('THRESHOLD_ENVIRONMENTS')),
  );
  const r = spawnSync(
    process.execPath,
    [BIN, 'rehearse', 'quick.yaml', '--traffic', '200/min', '--runs', '20', ...args],
    { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...clean, ...env } },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('threshold rehearse --environment', () => {
  it('meets a frozen environment’s time rules and says which applied; without them it ships', () => {
    const open = rehearse(['--json']);
    expect(open.code, open.stderr).toBe(0);
    const plain = JSON.parse(open.stdout) as RehearsalReport;
    expect(plain.clean.ends.shipped.count).toBeGreaterThan(10);
    expect(plain.settings.timeRules).toBeUndefined();
    expect(plain.assumptions.join('\n')).not.toContain('Time rules');

    const frozen = rehearse([
      '--environment',
      'production',
      '--environments-file',
      'environments.json',
      '--json',
    ]);
    expect(frozen.code, frozen.stderr).toBe(0);
    const report = JSON.parse(frozen.stdout) as RehearsalReport;
    expect(report.clean.ends.shipped.count).toBe(0);
    expect(report.clean.ends.stalled.count).toBe(20);
    expect(report.settings.timeRules).toEqual({
      environment: 'production',
      freezes: [{ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 20), reason: 'new year' }],
    });
    expect(report.assumptions).toContain(
      "Time rules of production: no advance in the freeze window 2026-01-01T00:00Z–2026-01-20T00:00Z (new year). Simulated launches meet them at the synthetic history's times, as a live launch does (rollback and pause are never stopped).",
    );
  });

  it('reads the server’s THRESHOLD_ENVIRONMENTS_FILE, names an environment without rules, and words a time zone', () => {
    const env = { THRESHOLD_ENVIRONMENTS_FILE: join(dir, 'environments.json') };
    const staging = rehearse(['--environment', 'staging'], env);
    expect(staging.code, staging.stderr).toBe(0);
    expect(staging.stdout).toContain('Time rules of staging: none.');
    const berlin = rehearse(['--environment', 'berlin', '--json'], env);
    expect(berlin.code, berlin.stderr).toBe(0);
    const report = JSON.parse(berlin.stdout) as RehearsalReport;
    expect(report.settings.timeRules?.timezone).toBe('Europe/Berlin');
    expect(report.assumptions.join('\n')).toContain(
      'Time rules of berlin: advance only in the allowed hours mon, tue, wed, thu, fri 09:00–17:00 Europe/Berlin.',
    );
  });

  it('refuses an unknown environment, a bad definition and a file without a name, exit 2', () => {
    const unknown = rehearse(['--environment', 'qa', '--environments-file', 'environments.json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--environment qa: not defined (environments.json defines staging, production, berlin)',
    );
    const none = rehearse(['--environment', 'qa']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('only production is defined; give --environments-file FILE');
    const bad = rehearse(['--environment', 'production', '--environments-file', 'bad.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'bad.json: environment "production": timezone must be an IANA time zone name such as Europe/Berlin, got "Mars/Olympus"',
    );
    const lone = rehearse(['--environments-file', 'environments.json']);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain(
      '--environments-file defines environments: name one with --environment NAME',
    );
  });
});
