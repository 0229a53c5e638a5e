/**
 * The plan's `router:` section: which traffic router configured on the server
 * moves this launch's traffic, and what it moves (a service and the two
 * versions behind it). How to reach the router (address, secret) is the
 * server's configuration, never the plan's.
 */
import { z } from 'zod';
import { identifier } from './plan-primitives.js';

/**
 * Names a router is given for a service and its versions: HAProxy backend and
 * server names, or whatever a webhook receiver calls them. No spaces, `;` or
 * newlines, so a name can never become a second Runtime API command.
 */
export const ROUTER_TARGET = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const target = (what: string) =>
  z.string().regex(ROUTER_TARGET, {
    error: (iss) =>
      `${what} must be a name of letters, digits, '.', '_', ':' or '-' (got "${String(iss.input)}")`,
  });

/** The `router:` section of a plan. */
export const router = z
  .strictObject({
    name: identifier('a router name').meta({
      description:
        'A router configured on the server (THRESHOLD_ROUTERS_FILE, or haproxy / webhook from the environment).',
    }),
    service: target('service').meta({
      description: 'What the router splits: the HAProxy backend, or the service a webhook names.',
    }),
    arms: z
      .strictObject({
        treatment: target('arms.treatment').meta({
          description: 'The new version: its HAProxy server in the backend, or its name.',
        }),
        control: target('arms.control').meta({
          description: 'The current version, which takes the rest of the traffic.',
        }),
      })
      .refine((a) => a.treatment !== a.control, {
        error: 'arms.treatment and arms.control must name two different versions',
      })
      .meta({ description: 'The two versions behind the service.' }),
  })
  .meta({
    description:
      "A traffic router moves the launch's traffic instead of the SDKs: each phase's share becomes the new version's weight.",
  });
