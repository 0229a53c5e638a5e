/**
 * The plan validators: the worker thread gives what parsePlan gives on this
 * thread, refuses work past its queue, and survives a validation that exhausts
 * its heap (that one fails; the thread restarts for the next).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePlan } from '@threshold/core';
import { ValidatorBusyError, inlinePlanValidator, threadPlanValidator } from '@threshold/server';
import { describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';

// The compiled worker script (`npm run build`): vitest runs the server from source.
const WORKER = new URL('../dist/workers/plan-validation-worker.js', import.meta.url);

const WRONG = `launch: x\nphases: [${'0,'.repeat(4999)}0]\n`;

describe.skipIf(!existsSync(fileURLToPath(WORKER)))('threadPlanValidator', () => {
  it('answers what parsePlan answers on this thread, valid or not', async () => {
    const thread = threadPlanValidator({ workerUrl: WORKER });
    const inline = inlinePlanValidator();
    try {
      for (const source of [SIMPLE_PLAN, WRONG, '[[[', '']) {
        expect(await thread.validate(source, 'p.yaml')).toEqual(
          parsePlan(source, { file: 'p.yaml' }),
        );
        expect(await inline.validate(source, 'p.yaml')).toEqual(
          parsePlan(source, { file: 'p.yaml' }),
        );
      }
    } finally {
      await thread.close();
    }
  });

  it('refuses validations past maxPending with ValidatorBusyError', async () => {
    const thread = threadPlanValidator({ workerUrl: WORKER, maxPending: 2 });
    try {
      const queued = [thread.validate(WRONG, 'a'), thread.validate(WRONG, 'b')];
      await expect(thread.validate(WRONG, 'c')).rejects.toBeInstanceOf(ValidatorBusyError);
      expect((await Promise.all(queued)).map((r) => r.valid)).toEqual([false, false]);
      expect((await thread.validate(SIMPLE_PLAN, 'd')).valid).toBe(true);
    } finally {
      await thread.close();
    }
  });

  it('fails only the validation that exhausts its heap, then works again', async () => {
    const thread = threadPlanValidator({ workerUrl: WORKER, maxHeapMb: 16 });
    try {
      const huge = `launch: x\nphases: [${'0,'.repeat(349_999)}0]\n`;
      await expect(thread.validate(huge, 'huge.yaml')).rejects.toThrow(/exited|memory/i);
      expect((await thread.validate(SIMPLE_PLAN, 'p.yaml')).valid).toBe(true);
    } finally {
      await thread.close();
    }
  }, 60_000);
});
