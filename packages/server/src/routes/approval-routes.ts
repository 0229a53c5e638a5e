/** Sign-offs: approve or reject as exactly the role the token holds; no self-approval where forbidden. */
import { z } from 'zod';
import { personKey } from '../auth/person-key.js';
import { approverScope } from '../auth/scopes.js';
import { pathName, safeText } from '../http/common-schemas.js';
import { HttpError, notFound } from '../http/http-error.js';
import { readJsonBody } from '../http/read-body.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { validateInput } from '../http/validate-input.js';
import { awaitedApprovals } from '@threshold/core';
import type { AwaitedApproval, LaunchState, Plan } from '@threshold/core';
import { defaultApprovalPhase, readLaunchState } from '../controller/operator-decision.js';
import { signoffStatus } from '../launches/signoff-status.js';

const approvalBody = z.object({
  role: z
    .string({ error: 'is required (a sign-off role such as product)' })
    .regex(/^[a-z][a-z0-9_-]{0,63}$/, { error: 'must be a role name such as product' }),
  decision: z.enum(['approve', 'reject'], { error: "must be 'approve' or 'reject'" }),
  comment: safeText(4000).default(''),
  phase: pathName.optional().meta({
    description:
      "Phase the decision is for; default the phase waiting for sign-off, else '*' (the launch).",
  }),
});

const idParams = z.object({ id: pathName });

const approvalSchema = z.object({
  launchId: z.string(),
  phase: z.string(),
  role: z.string(),
  decision: z.enum(['approve', 'reject']),
  actor: z.string(),
  subject: z.string().nullable().meta({
    description: 'The verified subject of the person who answered; null for a token nobody owns.',
  }),
  comment: z.string(),
  planVersion: z.number().int(),
  at: z.string(),
});

/** The approval route. */
export function approvalRoutes(ctx: RouteContext): RouteSpec[] {
  const { store, hub } = ctx;
  return [
    {
      method: 'post',
      path: '/api/v1/launches/:id/approvals',
      access: 'approver',
      tag: 'approvals',
      summary: 'Approve or reject as a sign-off role (scope approver:<role> for exactly that role)',
      params: idParams,
      body: { required: true, content: { 'application/json': approvalBody } },
      responses: {
        201: {
          description: 'Recorded, with the sign-off progress of the phase.',
          schema: z.object({
            approval: approvalSchema,
            signoffs: z.array(z.record(z.string(), z.unknown())),
          }),
        },
        403: { description: 'FORBIDDEN (wrong role) or SELF_APPROVAL.' },
        409: {
          description:
            'INVALID_TRANSITION (the launch ended) or NOTHING_PENDING (no sign-off or ask waits for this role and phase).',
        },
        422: { description: 'UNKNOWN_ROLE or UNKNOWN_PHASE.' },
      },
      errors: [
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'SELF_APPROVAL',
        'UNKNOWN_ROLE',
        'UNKNOWN_PHASE',
        'INVALID_TRANSITION',
        'NOTHING_PENDING',
      ],
      handler: async (c) => {
        const { id } = validateInput(idParams, c.req.param(), 'path');
        const body = validateInput(approvalBody, await readJsonBody(c, ctx.maxBodyBytes), 'body');
        const principal = c.get('principal');
        const needed = approverScope(body.role);
        if (!principal.scopes.includes(needed)) {
          throw new HttpError(
            'FORBIDDEN',
            `approving as ${body.role} needs scope ${needed}; this token has ${principal.scopes.join(', ')}`,
            { required: needed, granted: principal.scopes },
          );
        }
        const result = await store.transaction(async (tx) => {
          const launch = await tx.getLaunch(id);
          if (launch === undefined) throw notFound('launch', id);
          const version = await tx.getPlanVersion(launch.planName, launch.planVersion);
          if (version === undefined)
            throw new Error(`launch ${id} refers to a missing plan version`);
          const { plan } = version;
          const roles = Object.keys(plan.signoff?.roles ?? {});
          if (!roles.includes(body.role)) {
            throw new HttpError(
              'UNKNOWN_ROLE',
              roles.length === 0
                ? `plan ${plan.launch}@${version.version} has no sign-off policy, so no role '${body.role}'`
                : `role '${body.role}' is not in the sign-off policy of ${plan.launch}@${version.version} (roles: ${roles.join(', ')})`,
              { role: body.role, roles },
            );
          }
          const phaseNames = plan.phases.map((p) => p.name);
          if (body.phase !== undefined && body.phase !== '*' && !phaseNames.includes(body.phase)) {
            throw new HttpError(
              'UNKNOWN_PHASE',
              `phase '${body.phase}' is not in the plan (phases: ${phaseNames.join(', ')})`,
              { phase: body.phase, phases: phaseNames },
            );
          }
          if (launch.status === 'rolled-back' || launch.status === 'completed') {
            throw new HttpError(
              'INVALID_TRANSITION',
              `launch ${id} is ${launch.status}; sign-offs are closed`,
              { status: launch.status },
            );
          }
          if (plan.signoff?.allow_self_approval !== true) {
            // Decided on the person (the verified subject behind a session or an owned token),
            // so another token of the starter's is refused whatever it is called.
            const me = personKey(principal.subject, principal.name);
            const why =
              personKey(launch.createdBySubject, launch.createdBy) === me
                ? 'started this launch'
                : personKey(version.createdBySubject, version.createdBy) === me
                  ? `uploaded plan version ${version.version}`
                  : undefined;
            if (why !== undefined) {
              const who =
                principal.subject === null
                  ? principal.name
                  : `${principal.name} (${principal.subject})`;
              throw new HttpError(
                'SELF_APPROVAL',
                `${who} ${why} and the plan does not allow self-approval`,
                { actor: principal.name, subject: principal.subject },
              );
            }
          }
          // The default follows the launch's state (rebuilt by core's reducer): an ask of this
          // role names the current phase, else the next phase's sign-off (controller/operator-decision.ts).
          const read = await readLaunchState(tx, id);
          if (read === undefined) throw notFound('launch', id);
          const phase = body.phase ?? defaultApprovalPhase(plan, read.state, body.role);
          const awaiting = awaitedApprovals(plan, read.state);
          if (!countsFor(plan, read.state, awaiting, body.role, phase))
            throw nothingPending(id, body.role, body.phase, awaiting);
          const approval = await tx.addApproval({
            launchId: id,
            phase,
            role: body.role,
            decision: body.decision,
            actor: principal.name,
            subject: principal.subject,
            comment: body.comment,
            planVersion: launch.planVersion,
          });
          await tx.appendLaunchEvent(
            {
              launchId: id,
              type: 'approval',
              actor: principal.name,
              data: {
                role: body.role,
                decision: body.decision,
                phase,
                comment: body.comment,
                ...(principal.subject === null ? {} : { subject: principal.subject }),
              },
            },
            launch.seq,
          );
          await tx.appendAudit({
            actor: principal.name,
            action: 'approval.recorded',
            subject: `launch:${id}`,
            data: {
              role: body.role,
              decision: body.decision,
              phase,
              comment: body.comment,
              ...(principal.subject === null ? {} : { person: principal.subject }),
            },
          });
          const after = (await tx.getLaunch(id)) ?? launch;
          return {
            approval,
            signoffs: signoffStatus(plan, after, await tx.listApprovals(id)),
          };
        });
        hub.changed();
        return c.json(result, 201);
      },
    },
  ];
}

/**
 * Whether an answer of `role` for `phase` can count: a sign-off or ask waiting
 * now names them, or a later phase's sign-off lists the role (approving ahead).
 */
function countsFor(
  plan: Plan,
  state: LaunchState,
  awaiting: readonly AwaitedApproval[],
  role: string,
  phase: string,
): boolean {
  if (awaiting.some((a) => a.phase === phase && a.roles.includes(role))) return true;
  const at = plan.phases.findIndex((p) => p.name === phase);
  return at > state.phaseIndex && plan.phases[at]?.signoff?.roles.includes(role) === true;
}

function nothingPending(
  id: string,
  role: string,
  phase: string | undefined,
  awaiting: readonly AwaitedApproval[],
): HttpError {
  const what =
    awaiting.length === 0
      ? 'no sign-off or ask is pending'
      : `pending: ${awaiting
          .map((a) =>
            a.kind === 'ask'
              ? `an ask in ${a.phase} for ${a.roles.join(', ')}`
              : `the sign-off for ${a.phase} by ${a.roles.join(', ')}`,
          )
          .join('; ')}`;
  return new HttpError(
    'NOTHING_PENDING',
    `nothing on launch ${id} waits for ${role}'s answer${phase === undefined ? '' : ` for phase ${phase}`}, so it would count for nothing (${what})`,
    {
      role,
      ...(phase === undefined ? {} : { phase }),
      awaiting: awaiting.map((a) => ({ kind: a.kind, phase: a.phase, roles: a.roles })),
    },
  );
}
