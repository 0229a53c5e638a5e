/**
 * `POST /api/v1/rehearsals` through the real app: rehearsals run on the worker
 * pool, so the server keeps answering while one runs (also part-way through one
 * of 10,000 launches, the largest a request takes); the size cap; impossible
 * injections refused; an inline planSource is checked by the plan validator
 * (its queue limit answers 429 as for the plan routes).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createToken, openStore, threadPlanValidator } from '@threshold/server';
import type { RehearsalReport } from '@threshold/core';
import { startTestServer } from './support/test-server.js';
import type { ErrorBody, TestServer } from './support/test-server.js';

const PLAN = `launch: busy
owner: test
phases:
  - { name: canary, traffic: 5%, min_duration: 1h, min_units: 100 }
  - { name: full, traffic: 100%, bake: 1h }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
    - { name: latency, kind: quantile, q: 0.95, event: l, guard: { max_increase: 10% }, on_breach: pause }
  user-impact:
    - { name: conversion, kind: occurrence, event: p, guard: { max_decrease: 10% }, on_insufficient: hold }
`;

const QUICK_PLAN = `launch: quick
owner: test
phases:
  - { name: canary, traffic: 10%, min_duration: 30m, min_units: 100 }
  - { name: full, traffic: 100%, bake: 30m }
kpis:
  operational-health:
    - { name: errors, kind: occurrence, event: e, guard: { max_increase: 20% }, on_breach: rollback }
`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('rehearsals on the worker pool', () => {
  it('keeps answering /healthz while a rehearsal runs, then answers the report', async () => {
    const runs = 200;
    let answered = false;
    const rehearsal = t
      .json<{ report: RehearsalReport }>('viewer', 'POST', '/api/v1/rehearsals', {
        planSource: PLAN,
        profile: { unitsPerMinute: 500, durationMs: 2 * 86_400_000 },
        runs,
        injections: ['errors=+80%'],
      })
      .finally(() => (answered = true));
    // Probe one after another while the rehearsal is running. On the event loop, a
    // rehearsal would hold every probe until it ends: none would answer meanwhile.
    let during = 0;
    while (!answered) {
      const r = await fetch(`${t.url}/healthz`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      if (!answered) during++;
    }
    const { status, body } = await rehearsal;
    expect(status).toBe(200);
    expect(body.report.clean.runs).toBe(runs);
    expect(body.report.clean.ends.total).toBe(runs);
    expect(body.report.injections[0]?.ends.total).toBe(runs);
    expect(during).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('takes up to 10,000 simulated launches a request, and names runs when asked for more', async () => {
    const r = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      planSource: PLAN,
      profile: { unitsPerMinute: 500 },
      runs: 5001,
      injections: ['errors=+80%'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.message).toContain('10002 simulated launches; at most 10000');
  });

  it('refuses an injection that cannot exist, naming it', async () => {
    const r = await t.json<ErrorBody>('viewer', 'POST', '/api/v1/rehearsals', {
      planSource: PLAN,
      profile: { unitsPerMinute: 500 },
      runs: 5,
      injections: ['errors=+10'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/body\.injections\.0: .*cannot exist: errors is a rate/);
  });
});

describe('streamed rehearsals (Accept: application/x-ndjson)', () => {
  const stream = (body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${t.url}/api/v1/rehearsals`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.tokens.viewer}`,
        'content-type': 'application/json',
        accept: 'application/x-ndjson',
      },
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });

  async function* lines(res: Response): AsyncGenerator<Record<string, unknown>> {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? '' : decoder.decode(value, { stream: true });
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) if (p !== '') yield JSON.parse(p) as Record<string, unknown>;
      if (done) return;
    }
  }

  it('streams progress and partial reports, then the report; the last equals the unstreamed answer', async () => {
    const body = {
      planSource: PLAN,
      profile: { unitsPerMinute: 500, durationMs: 2 * 86_400_000 },
      runs: 150,
      seed: 5,
      injections: ['errors=+80%'],
    };
    const res = await stream(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const seen: Record<string, unknown>[] = [];
    for await (const line of lines(res)) seen.push(line);
    const last = seen.at(-1) as { type: string; report: RehearsalReport };
    expect(last.type).toBe('report');
    const progress = seen.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ done: 300, total: 300 });
    for (const p of seen.filter((l) => l.type === 'partial')) {
      const partial = p.report as RehearsalReport;
      expect(partial.settings.runs).toBeLessThan(150);
      expect(partial.clean.ends.total).toBe(partial.settings.runs);
    }
    const plain = await t.json<{ report: RehearsalReport }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      body,
    );
    expect(JSON.stringify(last.report)).toBe(JSON.stringify(plain.body.report));
  }, 180_000);

  it('answers /healthz while a 10,000-launch rehearsal is part-way through, by its own progress', async () => {
    // Short launches (a dozen looks each), so that the largest rehearsal a request
    // takes stays a test of a few seconds.
    const res = await stream({
      planSource: QUICK_PLAN,
      profile: { unitsPerMinute: 2000, durationMs: 86_400_000 },
      runs: 5000,
      injections: ['errors=+80%'],
    });
    expect(res.status).toBe(200);
    let done = 0;
    let total = 0;
    let finished = false;
    const reading = (async () => {
      try {
        for await (const line of lines(res)) {
          if (line.type === 'progress') {
            done = line.done as number;
            total = line.total as number;
          } else if (line.type === 'error') throw new Error(JSON.stringify(line));
        }
      } finally {
        finished = true;
      }
    })();
    // Probes one after another; one that answers between two progress lines with
    // launches still to simulate answered while the rehearsal ran. On the event
    // loop, the progress lines could only arrive together with the report.
    let midway = 0;
    while (!finished) {
      const r = await fetch(`${t.url}/healthz`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      if (!finished && done > 0 && done < total) midway++;
    }
    await reading;
    expect(total).toBe(10_000);
    expect(done).toBe(10_000);
    expect(midway).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it('cancels when the client closes the stream: the pool takes the next rehearsals at once', async () => {
    const body = {
      planSource: PLAN,
      profile: { unitsPerMinute: 500, durationMs: 2 * 86_400_000 },
      runs: 5000,
    };
    // Two per token may run; closing both streams frees both places.
    for (let i = 0; i < 2; i++) {
      const abort = new AbortController();
      const res = await stream(body, abort.signal);
      for await (const line of lines(res)) if (line.type === 'progress') break;
      abort.abort();
    }
    const small = await t.json<{ report: RehearsalReport }>(
      'viewer',
      'POST',
      '/api/v1/rehearsals',
      { ...body, runs: 5 },
    );
    expect(small.status).toBe(200);
  });

  it('refuses before streaming, with the plain error answer', async () => {
    const res = await stream({
      planSource: PLAN,
      profile: { unitsPerMinute: 500 },
      runs: 5,
      injections: ['errors=+10'],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
  });
});

// The compiled plan validation worker (`npm run build`): vitest runs the server from source.
const WORKER = new URL('../dist/workers/plan-validation-worker.js', import.meta.url);

describe.skipIf(!existsSync(fileURLToPath(WORKER)))('planSource through the plan validator', () => {
  it("answers 429 with Retry-After when the validator's queue is full, as the plan routes do", async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    const validator = threadPlanValidator({ workerUrl: WORKER, maxPending: 1 });
    try {
      const { token } = await createToken(store, { name: 'viewer', scopes: ['viewer'] });
      const app = createApp({ store, logger: pino({ level: 'silent' }), planValidator: validator });
      // One validation in progress fills a queue of one.
      const busy = validator.validate(`launch: x\nphases: [${'0,'.repeat(49_999)}0]\n`, 'a');
      const res = await app.request('/api/v1/rehearsals', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ planSource: PLAN, profile: { unitsPerMinute: 10 } }),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
      expect((await busy).valid).toBe(false);
    } finally {
      await validator.close();
      await store.close();
    }
  });
});
