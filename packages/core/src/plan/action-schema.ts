/** What a plan can make Threshold do: on a KPI breach, on missing evidence, as a risk's contingency. */
import { z } from 'zod';
import { identifier, text } from './plan-primitives.js';

/** An action, normalized: bare words become `{ type }`, lists stay in order. */
export type Action =
  | { type: 'rollback' }
  | { type: 'pause' }
  | { type: 'hold' }
  | { type: 'notify'; to: string[] }
  | { type: 'ask'; roles: string[] }
  | { type: 'webhook'; url: string };

/** What to do while a KPI lacks the evidence for a verdict. */
export type InsufficientEvidenceAction =
  { type: 'wait' } | { type: 'extend' } | { type: 'hold' } | { type: 'ask'; roles: string[] };

/** The bare action words. */
export const ACTION_WORDS = ['rollback', 'pause', 'hold', 'notify'] as const;
/** The bare words allowed for insufficient evidence. */
export const INSUFFICIENT_EVIDENCE_WORDS = ['wait', 'extend', 'hold'] as const;

const roles = z
  .array(identifier('a role'))
  .min(1, { error: 'ask needs at least one role, e.g. { ask: [product] }' });

const ask = z
  .strictObject({ ask: roles })
  .meta({ description: 'Pause advancing until the listed sign-off roles approve.' });

const notifyTarget = text('a notify target');
const notify = z
  .strictObject({ notify: z.union([notifyTarget, z.array(notifyTarget).min(1)]) })
  .meta({ description: 'Notify people or channels (names resolved by the server).' });

const webhook = z
  .strictObject({
    webhook: z.url({ protocol: /^https?$/, error: 'webhook must be an http(s) URL' }),
  })
  .meta({ description: 'POST a signed event (HMAC-SHA256 with timestamp) to a URL.' });

const word = z.enum(ACTION_WORDS).meta({
  description:
    'rollback: traffic to 0%; pause: stop advancing and wait for an operator; hold: stay in the phase until the KPI recovers; notify: tell the launch owner.',
});

const single = z.union([word, ask, notify, webhook]).transform((a): Action => {
  if (typeof a === 'string') return a === 'notify' ? { type: 'notify', to: [] } : { type: a };
  if ('ask' in a) return { type: 'ask', roles: a.ask };
  if ('notify' in a)
    return { type: 'notify', to: typeof a.notify === 'string' ? [a.notify] : a.notify };
  return { type: 'webhook', url: a.webhook };
});

/** One action or a list of actions; parsed into a list. */
export const actions = () =>
  z
    .union([single, z.array(single)])
    .transform((a): Action[] => (Array.isArray(a) ? a : [a]))
    .meta({
      examples: ['rollback', ['pause', { notify: 'payments-oncall' }], { ask: ['product'] }],
    });

/** One insufficient-evidence action. */
export const insufficientEvidenceAction = () =>
  z
    .union([
      z.enum(INSUFFICIENT_EVIDENCE_WORDS).meta({
        description:
          'wait: keep collecting within the phase; extend: keep the phase open past its minimum duration until the KPI has a verdict; hold: stop advancing and alert.',
      }),
      ask,
    ])
    .transform((a): InsufficientEvidenceAction =>
      typeof a === 'string' ? { type: a } : { type: 'ask', roles: a.ask },
    );
