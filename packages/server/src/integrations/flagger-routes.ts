/**
 * Threshold's sign-offs and guards as Flagger webhook gates. Flagger POSTs
 * `{ name, namespace, phase, checksum, metadata }` to a gate's URL and goes on
 * only on a 2xx; anything else holds it (and Flagger logs the body). So a gate
 * answers 200 when it is open and 409 GATE_CLOSED, saying why, when not:
 *
 * - confirm-rollout: the launch is running past its start sign-off, holding nothing;
 * - confirm-promotion: the launch reached its last phase (every earlier phase's
 *   time, guards and sign-offs passed) with no breach, or completed;
 * - rollback: open (200, "roll back") only when the launch rolled back.
 *
 * Flagger cannot send headers, so the token may come as `metadata.token`, as its
 * docs show; the launch is `metadata.launch` (an id), else the live launch of
 * `metadata.plan`, else of the plan named like the canary. Read-only: a gate
 * never changes a launch.
 */
import { z } from 'zod';
import { authorize, bearerToken, principalOf } from '../http/authenticate.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { findLaunch, readStanding, verdictOf } from './launch-standing.js';
import type { LaunchRef, LaunchStanding } from './launch-standing.js';

/** The gates Threshold answers. */
export const FLAGGER_GATES = ['confirm-rollout', 'confirm-promotion', 'rollback'] as const;
type Gate = (typeof FLAGGER_GATES)[number];

const name = z.string().min(1).max(253);

/** Flagger's webhook payload (extra fields are ignored: Flagger adds some over versions). */
const flaggerPayload = z.object({
  name: name.meta({ description: "The canary's name." }),
  namespace: name.meta({ description: "The canary's namespace." }),
  phase: z.string().max(100).optional().meta({ description: "The canary's phase (Progressing…)." }),
  checksum: z.string().max(200).optional(),
  metadata: z.record(z.string(), z.string().max(4000)).optional().meta({
    description:
      "The webhook's metadata: `token` (a viewer token, since Flagger sends no headers), `plan` or `launch`.",
  }),
});

const gateParams = z.object({ gate: z.enum(FLAGGER_GATES) });

const openSchema = z
  .object({
    gate: z.enum(FLAGGER_GATES),
    open: z.literal(true),
    reason: z.string(),
    launch: z.object({ id: z.string(), status: z.string(), phase: z.string() }),
  })
  .meta({ title: 'FlaggerGateOpen' });

/** Whether a gate is open for a launch, and why (not). */
export function gateOf(gate: Gate, s: LaunchStanding): { open: boolean; reason: string } {
  const { launch, state, plan } = s;
  const { verdict, reason } = verdictOf(s);
  const lastIndex = plan.phases.length - 1;
  switch (gate) {
    case 'rollback':
      return launch.status === 'rolled-back'
        ? { open: true, reason }
        : { open: false, reason: `launch ${launch.id} is ${launch.status}: no rollback` };
    case 'confirm-rollout':
      if (launch.status === 'completed') return { open: true, reason };
      if (launch.status !== 'running') return { open: false, reason };
      if (state.phaseIndex < 0)
        return {
          open: false,
          reason: `waiting for the sign-off to start ${plan.phases[0]?.name ?? ''}`,
        };
      if (state.holds.length > 0 || verdict === 'fail') return { open: false, reason };
      return { open: true, reason: `launch ${launch.id} is running in ${state.phase}` };
    case 'confirm-promotion':
      if (launch.status === 'completed') return { open: true, reason };
      if (launch.status !== 'running' || verdict === 'fail' || state.holds.length > 0)
        return { open: false, reason };
      if (state.phaseIndex < lastIndex)
        return {
          open: false,
          reason: `in ${state.phase} (phase ${state.phaseIndex + 1} of ${plan.phases.length}): promotion waits for ${plan.phases[lastIndex]?.name ?? 'the last phase'}`,
        };
      return { open: true, reason: `launch ${launch.id} reached ${state.phase}: ${reason}` };
  }
}

/** The Flagger gate routes. */
export function flaggerRoutes(ctx: RouteContext): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/api/v1/integrations/flagger/:gate',
      access: 'viewer',
      authInHandler: true,
      tag: 'integrations',
      summary:
        'A Flagger webhook gate (confirm-rollout, confirm-promotion, rollback): 200 when open, 409 GATE_CLOSED with the reason when not',
      params: gateParams,
      body: { required: true, content: { 'application/json': flaggerPayload } },
      responses: {
        200: { description: 'The gate is open: Flagger goes on.', schema: openSchema },
        409: { description: 'GATE_CLOSED: Flagger holds; the message says why.' },
      },
      errors: ['VALIDATION_FAILED', 'MALFORMED_BODY', 'NOT_FOUND', 'FORBIDDEN', 'GATE_CLOSED'],
      handler: async (c) => {
        const header = bearerToken(c);
        const { gate } = validateInput(gateParams, c.req.param(), 'path');
        const body = validateInput(flaggerPayload, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const principal = await principalOf(ctx.store, header ?? body.metadata?.['token']);
        authorize(principal, 'viewer');
        c.set('principal', principal);
        const meta = body.metadata ?? {};
        const byId = meta['launch'];
        const ref: LaunchRef =
          byId !== undefined ? { launch: byId } : { plan: meta['plan'] ?? body.name };
        const launch = await findLaunch(ctx.store, ref);
        if (launch === undefined)
          throw 'launch' in ref
            ? notFound('launch', ref.launch)
            : notFound('launch of plan', ref.plan);
        const standing = await readStanding(ctx.store, launch);
        const { open, reason } = gateOf(gate, standing);
        if (!open)
          throw new HttpError(
            'GATE_CLOSED',
            `${gate} is closed for ${body.namespace}/${body.name}: ${reason}`,
            {
              gate,
              launch: launch.id,
              status: launch.status,
              phase: standing.state.phase,
            },
          );
        return c.json({
          gate,
          open: true,
          reason,
          launch: { id: launch.id, status: launch.status, phase: standing.state.phase },
        });
      },
    },
  ];
}
