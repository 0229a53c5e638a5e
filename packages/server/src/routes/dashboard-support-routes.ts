/**
 * What the dashboard needs beyond the resource routes: who a token belongs to
 * (so the screen offers only the actions it may take), and the launch list with
 * where each launch stands (core's launchStanding, as everywhere) and its
 * pending sign-offs in one answer instead of one request per launch; and
 * rehearsals run by the server with core's engine.
 */
import type { LaunchStanding } from '@threshold/core';
import { z } from 'zod';
import { extendLaunchSummary } from '../http/common-schemas.js';
import type { RouteContext } from '../http/route-context.js';
import type { RouteSpec } from '../http/route-spec.js';
import { launchSummary } from '../launches/launch-view.js';
import { signoffStatus } from '../launches/signoff-status.js';
import { rehearsalRoutes } from './rehearsal-routes.js';
import { standingSchema } from '../launches/standing-schema.js';

const overviewSchema = extendLaunchSummary({
  owner: z.string(),
  standing: standingSchema,
  health: z
    .enum(['pass', 'breach', 'insufficient-evidence'])
    .nullable()
    .meta({ description: 'standing.health when it is a verdict; null otherwise.' }),
  verdicts: z.object({ pass: z.number(), breach: z.number(), insufficient: z.number() }),
  notComparable: z
    .number()
    .int()
    .meta({ description: 'KPIs left out of health: no control arm at 100% traffic.' }),
  pendingSignoffs: z.array(
    z.object({ phase: z.string(), role: z.string(), missing: z.number().int() }),
  ),
  summary: z.string().meta({ description: 'standing.sentence.' }),
}).meta({ title: 'LaunchOverview' });

/** The list's health fields, from where the launch stands (one derivation for every screen). */
function healthFields(standing: LaunchStanding) {
  const h = standing.health;
  return {
    health: h === 'pass' || h === 'breach' || h === 'insufficient-evidence' ? h : null,
    verdicts: {
      pass: standing.verdicts.pass,
      breach: standing.verdicts.breach,
      insufficient: standing.verdicts.insufficient,
    },
    notComparable: standing.verdicts.notComparable,
    summary: standing.sentence,
  };
}

/** The dashboard support routes. */
export function dashboardSupportRoutes(ctx: RouteContext): RouteSpec[] {
  const { store } = ctx;
  return [
    {
      method: 'get',
      path: '/api/v1/whoami',
      access: 'viewer',
      tag: 'dashboard',
      summary:
        "Who is calling: name, person, scopes, and a cookie session's CSRF token (the dashboard offers only allowed actions)",
      responses: {
        200: {
          description: 'Who the token or session belongs to.',
          schema: z.object({
            name: z.string(),
            subject: z.string().nullable(),
            via: z.enum(['token', 'session-cookie', 'session-bearer']),
            scopes: z.array(z.string()),
            csrf: z.string().optional().meta({
              description: 'Session cookie only: send it as X-CSRF-Token on every POST and DELETE.',
            }),
          }),
        },
      },
      handler: async (c) => {
        const principal = c.get('principal');
        c.header('Cache-Control', 'no-store');
        let csrf: string | undefined;
        if (principal.via === 'session-cookie')
          csrf = (await store.findSession(principal.tokenId.slice('session:'.length)))?.csrf;
        return c.json({
          name: principal.name,
          subject: principal.subject,
          via: principal.via,
          scopes: principal.scopes,
          ...(csrf === undefined ? {} : { csrf }),
        });
      },
    },
    {
      method: 'get',
      path: '/api/v1/dashboard/launches',
      access: 'viewer',
      tag: 'dashboard',
      summary:
        'Every launch with where it stands (state, health, the sentence saying why) and its pending sign-offs',
      responses: {
        200: {
          description: 'Launches, newest first.',
          schema: z.object({ launches: z.array(overviewSchema) }),
        },
      },
      handler: async (c) => {
        const out = [];
        for (const r of await ctx.launches.readAll(await store.listLaunches())) {
          const { plan } = r.version;
          const approvals = await store.listApprovals(r.launch.id);
          out.push({
            ...launchSummary(r.launch, plan),
            owner: plan.owner,
            standing: r.standing,
            ...healthFields(r.standing),
            pendingSignoffs: signoffStatus(plan, r.launch, approvals)
              .filter((s) => s.missing > 0)
              .map((s) => ({ phase: s.phase, role: s.role, missing: s.missing })),
          });
        }
        return c.json({ launches: out });
      },
    },
    ...rehearsalRoutes(ctx),
  ];
}
