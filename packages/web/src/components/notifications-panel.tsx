/** Every notification a launch asked for (notify, webhook, warnings) and what became of it. */
import type { NotificationView } from '../api/api-types.js';
import { notificationWords } from '../format/decision-words.js';
import { clockTime } from '../format/numbers.js';

const KIND: Record<NotificationView['kind'], string> = {
  notify: 'Notify',
  webhook: 'Webhook',
  warning: 'Warning to',
};

export function NotificationsPanel({
  notifications,
}: {
  notifications: readonly NotificationView[];
}) {
  if (notifications.length === 0)
    return <p className="muted">The launch has asked for no notification.</p>;
  return (
    <ul className="notifications">
      {notifications.map((n) => (
        <li key={n.key} data-notification={n.kind} data-delivery={n.state}>
          <span className="when">{clockTime(n.at)}</span>{' '}
          <strong>
            {KIND[n.kind]} {n.target}
          </strong>
          {n.kpi === null ? '' : ` about ${n.kpi}`}:{' '}
          <span className={`delivery delivery-${n.state}`}>{notificationWords(n)}</span>
          {n.settledAt === null ? null : <span className="muted"> · {clockTime(n.settledAt)}</span>}
        </li>
      ))}
    </ul>
  );
}
