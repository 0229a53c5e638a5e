/**
 * Where `notify` targets go. A plan names people and channels (`payments-oncall`,
 * `#checkout-launch`); the server maps each to a Slack-compatible incoming-webhook
 * URL from the environment: `THRESHOLD_NOTIFY_<TARGET>` (upper case, every run of
 * other characters an underscore: `#checkout-launch` → THRESHOLD_NOTIFY_CHECKOUT_LAUNCH),
 * else `THRESHOLD_NOTIFY_DEFAULT`. Launch changes are announced on the default only.
 */

/** The environment variable naming a target's URL. */
export function notifyVariable(target: string): string {
  const name = target
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `THRESHOLD_NOTIFY_${name === '' ? 'DEFAULT' : name}`;
}

/** Resolves a target name to a URL (undefined: nowhere configured). */
export type NotifyResolver = (target: string | undefined) => string | undefined;

/** A resolver over an environment (default process.env); `undefined` asks for the default channel. */
export function envNotifyResolver(
  env: Record<string, string | undefined> = process.env,
): NotifyResolver {
  const read = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  return (target) =>
    (target === undefined ? undefined : read(notifyVariable(target))) ??
    read('THRESHOLD_NOTIFY_DEFAULT');
}
