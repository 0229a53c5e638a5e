/**
 * A maximal plan validation runs off the event loop: a real `threshold serve`
 * (built, so the validation worker thread is used) keeps answering /healthz
 * while it checks a 1 MiB plan of ~350,000 wrong entries, and answers with the
 * first problems and a count of the rest instead of a body of 64 MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REPORTED_ERRORS } from '@threshold/core';
import { createToken, openStore } from '@threshold/server';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServe } from './support/spawn-serve.js';
import type { ServeProcess } from './support/spawn-serve.js';

const ENTRIES = 350_000;

/** A plan of just under 1 MiB: `phases` is a flow list of ENTRIES zeros, padded with a comment. */
export function maximalWrongPlan(bytes = 1024 * 1024 - 1): string {
  const head = `launch: x\nowner: y\nphases: [${'0,'.repeat(ENTRIES - 1)}0]\n`;
  return `${head}#${'x'.repeat(bytes - head.length - 2)}\n`;
}

describe('plan validation off the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'threshold-bounded-'));
  const children: ServeProcess[] = [];
  afterAll(() => {
    for (const c of children) c.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz while a 1 MiB plan with 350,000 wrong entries validates', async () => {
    const store = await openStore({ dataDir: dir });
    const viewer = (await createToken(store, { name: 'viewer', scopes: ['viewer'] })).token;
    await store.close();
    const serve = spawnServe(dir);
    children.push(serve);
    const url = await serve.url;

    const plan = maximalWrongPlan();
    expect(Buffer.byteLength(plan)).toBeLessThanOrEqual(1024 * 1024);
    let validated = false;
    const validation = fetch(`${url}/api/v1/plans/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/yaml' },
      body: plan,
    }).then(async (res) => {
      const body = await res.text();
      validated = true;
      return { status: res.status, body };
    });
    // /healthz one after another until the validation answers: with the work on the
    // event loop, no answer could come between reading the body and the 422.
    let answeredMeanwhile = 0;
    while (!validated) {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      await res.text();
      if (!validated) answeredMeanwhile++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { status, body } = await validation;
    expect(status).toBe(422);
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(5);
    expect(body.length).toBeLessThan(64 * 1024);
    const details = (
      JSON.parse(body) as {
        error: { message: string; details: { errors: unknown[]; omittedErrors: number } };
      }
    ).error;
    expect(details.details.errors).toHaveLength(MAX_REPORTED_ERRORS);
    // Every entry is wrong, and `kpis` is missing.
    expect(details.details.errors.length + details.details.omittedErrors).toBe(ENTRIES + 1);
    expect(details.message).toMatch(/^the plan has 350001 problems; first: /);

    // The body limit still holds before any parsing.
    const big = await fetch(`${url}/api/v1/plans/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/yaml' },
      body: maximalWrongPlan(1024 * 1024 + 1),
    });
    expect(big.status).toBe(413);
  }, 120_000);

  it('answers /healthz while the rehearsal route checks the same plan sent as planSource', async () => {
    const store = await openStore({ dataDir: dir });
    const viewer = (await createToken(store, { name: 'viewer2', scopes: ['viewer'] })).token;
    await store.close();
    const serve = spawnServe(dir);
    children.push(serve);
    const url = await serve.url;

    let answered = false;
    const rehearsal = fetch(`${url}/api/v1/rehearsals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planSource: maximalWrongPlan(), profile: { unitsPerMinute: 10 } }),
    }).then(async (res) => {
      const body = await res.text();
      answered = true;
      return { status: res.status, body };
    });
    // As above: parsed on the event loop, no /healthz could answer before the 422.
    let answeredMeanwhile = 0;
    while (!answered) {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      await res.text();
      if (!answered) answeredMeanwhile++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { status, body } = await rehearsal;
    expect(status).toBe(422);
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(5);
    expect(body.length).toBeLessThan(64 * 1024);
    const error = (
      JSON.parse(body) as {
        error: {
          code: string;
          message: string;
          details: { errors: unknown[]; omittedErrors: number };
        };
      }
    ).error;
    expect(error.code).toBe('PLAN_INVALID');
    expect(error.details.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(error.details.errors.length + error.details.omittedErrors).toBe(ENTRIES + 1);
    expect(error.message).toMatch(/^the plan has 350001 problems; first: /);

    // A planSource past the plan routes' 1 MiB is refused before any parsing, naming it.
    const big = await fetch(`${url}/api/v1/rehearsals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        planSource: maximalWrongPlan(1024 * 1024 + 1),
        profile: { unitsPerMinute: 10 },
      }),
    });
    expect(big.status).toBe(400);
    expect(
      ((await big.json()) as { error: { details: { errors: { path: string }[] } } }).error.details
        .errors[0]?.path,
    ).toBe('body.planSource');
  }, 120_000);
});
