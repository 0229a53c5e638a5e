/**
 * Running a shipped example plan live: the example's service (a child process
 * exposing its metrics with prom-client), the plan file compressed on the test's
 * clocks, and a driver that looks at the launch one look at a time, gives the
 * sign-offs it asks for through the real API, and keeps the decision log.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parsePlan } from '@threshold/core';
import type { Decision, Look, Plan } from '@threshold/core';
import type { ThresholdClient } from '@threshold/sdk';
import type { LookOutcome } from '@threshold/server';
import { parse, stringify } from 'yaml';
import { compressPlanDurations } from '../support/compress-durations.js';
import type { ClockFactors } from '../support/compress-durations.js';
import type { TestServer } from '../support/test-server.js';

/**
 * The test's clocks (ADR 0023): a minute of the plan's metrics is half a second
 * (a Prometheus step spans four 125 ms scrapes), an hour of its phases and
 * sign-off deadlines is 100 ms. Every example duration divides exactly.
 */
export const EXAMPLE_CLOCKS: ClockFactors = { launch: 36_000, metrics: 120 };

/** How often the test's Prometheus scrapes the example service. */
export const SCRAPE_INTERVAL = '125ms';

/**
 * A phase's first look waits this long: 31 steps of metrics, since a per-interval
 * verdict needs 30 (the shipped plans' min_duration is 60 steps or more, so the
 * compressed launch clock would otherwise act on missing evidence that the real
 * one never sees).
 */
export const EVIDENCE_MS = 16_500;

/** A shipped example, and the same plan on the test's clocks. */
export interface Example {
  file: string;
  shipped: Plan;
  /** The compressed plan's YAML (what the test uploads) and its parse. */
  text: string;
  plan: Plan;
}

function parsed(text: string, what: string): Plan {
  const r = parsePlan(text);
  if (!r.valid) throw new Error(`${what} does not parse: ${JSON.stringify(r.errors)}`);
  return r.plan;
}

/** Load examples/NAME.yaml and compress its durations on `clocks`. */
export function loadExample(name: string, clocks: ClockFactors = EXAMPLE_CLOCKS): Example {
  const file = fileURLToPath(new URL(`../../../../examples/${name}.yaml`, import.meta.url));
  const source = readFileSync(file, 'utf8');
  const text = stringify(compressPlanDurations(parse(source), clocks));
  return { file, shipped: parsed(source, file), text, plan: parsed(text, `${file} compressed`) };
}

/** One arm's traffic at the example service (see example-service.mjs). */
export interface ArmLoad {
  rps: number;
  errorRate: number;
  /** Seconds. */
  latency: number;
  /** payments only */
  cpuPerRequest?: number;
  dbConnections?: number;
  paymentsPerSecond?: number;
  paymentFailureRate?: number;
}

/** The example service running as a child process. */
export interface ExampleService {
  port: number;
  /** Set each arm's traffic; null: nobody is in that arm. */
  setArms(arms: { treatment?: ArmLoad | null; control?: ArmLoad | null }): Promise<void>;
  close(): Promise<void>;
}

const SERVICE = fileURLToPath(new URL('./example-service.mjs', import.meta.url));

/** Start example-service.mjs for a profile; it serves nothing until setArms. */
export async function startExampleService(profile: 'payments' | 'search'): Promise<ExampleService> {
  const child = spawn(process.execPath, [SERVICE, profile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /\{"port":(\d+)\}/.exec(output);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`example service exited (${code}): ${output}`)));
  });
  return {
    port,
    async setArms(arms) {
      const res = await fetch(`http://127.0.0.1:${port}/arms`, {
        method: 'PUT',
        body: JSON.stringify(arms),
      });
      if (res.status !== 204) throw new Error(`example service refused the arms: ${res.status}`);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Units an SDK client assigned to each arm. */
export interface Assigned {
  treatment: number;
  control: number;
}

/**
 * Evaluate new units through the SDK until each arm holds its target (a control
 * target of 0: the control arm is not waited for), yielding to the event loop
 * every few thousand so the server and the client's batches keep moving.
 * `seen` gets every unit that landed in an arm.
 */
export async function assignUnits(
  client: ThresholdClient,
  flag: string,
  target: Assigned,
  context: (i: number) => Record<string, string>,
  seen: (unit: string, arm: 'treatment' | 'control', i: number) => void,
): Promise<Assigned & { evaluated: number }> {
  const got = { treatment: 0, control: 0 };
  const unitAttribute = client.unitAttribute(flag);
  if (unitAttribute === undefined) throw new Error(`the SDK has no flag ${flag}`);
  let i = 0;
  while (got.treatment < target.treatment || got.control < target.control) {
    const ctx = context(i);
    const detail = client.evaluate(flag, ctx);
    if (detail.arm === 'treatment' || detail.arm === 'control') {
      got[detail.arm]++;
      seen(ctx[unitAttribute] ?? '', detail.arm, i);
    }
    i++;
    if (i % 5000 === 0) await yieldToLoop();
    if (i > 50_000_000) throw new Error(`${flag}: ${JSON.stringify(got)} after ${i} units`);
  }
  return { ...got, evaluated: i };
}

/** Resolve when the client serves `launch` in `phase`. */
export function whenServing(client: ThresholdClient, launch: string, phase: string): Promise<void> {
  const serving = () => client.config?.flags.some((f) => f.launch === launch && f.phase === phase);
  if (serving() === true) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('change', () => {
      if (serving() !== true) return;
      off();
      resolve();
    });
  });
}

/**
 * Send everything the client holds (a batch the server throttles, 429 at its
 * per-token event rate, is sent again) and fold it into aggregates.
 */
export async function settle(client: ThresholdClient, t: TestServer): Promise<void> {
  for (;;) {
    await client.flush();
    const { queuedEvents, droppedEvents } = client.stats;
    if (droppedEvents > 0) throw new Error(`the SDK dropped ${droppedEvents} events`);
    if (queuedEvents === 0) break;
    await pause(200);
  }
  while ((await t.server.store.project()) > 0) {
    // fold until the backlog is empty
  }
}

/** Wait (at least) `ms`: for evidence to accumulate, never an assertion on time. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A look's verdict on one KPI, from its guards condition. */
export function verdictIn(look: Look, kpi: string): 'pass' | 'breach' | 'insufficient' | 'other' {
  const guards = look.conditions.find((c) => c.id === 'guards');
  if (guards?.id !== 'guards') return 'other';
  if (guards.insufficient.includes(kpi)) return 'insufficient';
  if (guards.breach.includes(kpi) || guards.advisory.includes(kpi)) return 'breach';
  if (guards.notComparable.includes(kpi)) return 'other';
  return 'pass';
}

/** Tokens of the people who hold each sign-off role. */
export type Approvers = Record<string, string[]>;

/**
 * Looks at one launch on the test's schedule. Every sign-off the launch asks
 * for is given at once by the role's people (as many as its quorum) through the
 * API, so the next look counts it: a compressed deadline never runs out on them.
 */
export class LaunchDriver {
  /** Every decision of every look so far, in order. */
  readonly decisions: Decision[] = [];
  /** Looks taken. */
  looks = 0;
  last: LookOutcome | undefined;

  constructor(
    private readonly t: TestServer,
    readonly id: string,
    private readonly approvers: Approvers,
  ) {}

  /** One look; answers the sign-off requests among its decisions. */
  async look(): Promise<LookOutcome> {
    const outcome = await this.t.server.controller.lookAt(this.id);
    if (outcome === undefined) throw new Error(`launch ${this.id} is not active`);
    this.looks++;
    this.last = outcome;
    this.decisions.push(...outcome.decisions);
    for (const d of outcome.decisions)
      if (d.type === 'request-signoff')
        for (const role of d.roles) await this.approve(role.role, d.forPhase, role.quorum);
    return outcome;
  }

  /** `quorum` people of `role` approve `phase`. */
  async approve(role: string, phase: string, quorum: number): Promise<void> {
    const people = this.approvers[role] ?? [];
    if (people.length < quorum) throw new Error(`no ${quorum} approvers for role ${role}`);
    for (const token of people.slice(0, quorum)) {
      const res = await this.t.json({ token }, 'POST', `/api/v1/launches/${this.id}/approvals`, {
        role,
        decision: 'approve',
        phase,
        comment: `${role} approves ${phase}`,
      });
      if (res.status !== 201)
        throw new Error(
          `approval of ${role} for ${phase}: ${res.status} ${JSON.stringify(res.body)}`,
        );
    }
  }

  /**
   * Look every `everyMs` (default 500: a step of the test's metrics clock) until `done`
   * holds for a look; returns the looks it took.
   * `stop` makes it fail at once (e.g. a rollback in a healthy run).
   */
  async lookUntil(
    what: string,
    done: (o: LookOutcome) => boolean,
    options: { maxLooks: number; everyMs?: number; stop?: (d: Decision) => boolean },
  ): Promise<number> {
    for (let n = 1; n <= options.maxLooks; n++) {
      const outcome = await this.look();
      const bad = outcome.decisions.find((d) => options.stop?.(d) === true);
      if (bad !== undefined)
        throw new Error(`${what}: ${bad.type} at look ${this.looks}: ${bad.reason}`);
      if (done(outcome)) return n;
      await pause(options.everyMs ?? 500);
    }
    throw new Error(
      `${what}: not reached after ${options.maxLooks} looks; last look: ${this.last?.look.summary}; decisions: ${this.decisions.map((d) => `${d.type}: ${d.reason}`).join(' | ')}`,
    );
  }
}
