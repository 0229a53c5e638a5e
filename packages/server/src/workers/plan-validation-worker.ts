/** Worker thread script of threadPlanValidator: parsePlan for each message, answered by id. */
import { parentPort } from 'node:worker_threads';
import { parsePlan } from '@threshold/core';
import type { PlanValidationReply, PlanValidationRequest } from './thread-plan-validator.js';

const port = parentPort;
if (port === null) throw new Error('plan-validation-worker runs as a worker thread');
port.on('message', (request: PlanValidationRequest) => {
  let reply: PlanValidationReply;
  try {
    reply = { id: request.id, result: parsePlan(request.source, { file: request.file }) };
  } catch (e) {
    reply = { id: request.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
