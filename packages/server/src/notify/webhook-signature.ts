/**
 * Signed webhooks: `X-Threshold-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
 * over "<t>.<body>">`. The timestamp is inside the MAC, so a receiver that
 * rejects old timestamps also rejects replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature. */
export const SIGNATURE_HEADER = 'X-Threshold-Signature';

/** The signature header value for `body` at `unixSeconds`. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Why a signature did not verify, or null when it did. */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null | undefined,
  options: { nowSeconds: number; toleranceSeconds?: number },
): string | null {
  if (header === null || header === undefined || header === '') return 'no signature header';
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) parts.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || v1 === undefined) return 'malformed signature header';
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(options.nowSeconds - t) > tolerance) return 'timestamp outside the tolerance';
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'signature does not match';
  return null;
}
