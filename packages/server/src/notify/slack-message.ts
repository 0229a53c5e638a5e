/** Slack-compatible incoming-webhook messages (`{ text, blocks }`) about a launch's decisions. */
import type { DecisionEvent } from '../controller/outbox-messages.js';
import type { AuditHead } from '../store/store.js';

/** A Slack incoming-webhook body: `text` is the fallback, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

const HEADLINES: Record<string, string> = {
  advance: 'advanced',
  complete: 'completed: fully live',
  rollback: 'ROLLED BACK',
  pause: 'paused',
  resume: 'resumed',
  hold: 'holding',
  'release-hold': 'hold released',
  'request-signoff': 'needs sign-off',
  'signoff-expired': 'sign-off deadline passed',
  ask: 'asks for approval',
  notify: 'notification',
  webhook: 'webhook',
  extend: 'phase extended',
};

/** Slack's mrkdwn needs &, < and > escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The message for one decision; `to` names the target when it was a `notify`; `head` anchors the audit log. */
export function slackMessage(event: DecisionEvent, to?: string, head?: AuditHead): SlackMessage {
  const d = event.decision;
  const headline = HEADLINES[d.type] ?? d.type;
  const name = event.launch.plan;
  const text = `${name}: ${headline}: ${d.reason}`;
  const facts = [
    `launch \`${event.launch.id}\``,
    `plan ${name}@${event.launch.planVersion}`,
    `phase ${d.phase}`,
    `rule ${d.rule}`,
    ...(to === undefined ? [] : [`for ${to}`]),
    ...(head === undefined ? [] : [`audit head ${head.seq}:${head.hash}`]),
  ];
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${escape(name)}: ${escape(headline)}*\n${escape(d.reason)}`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escape(facts.join(' · ')) }] },
    ],
  };
}
