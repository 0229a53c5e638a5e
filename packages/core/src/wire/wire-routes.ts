/**
 * Routes, headers and limits of the SDK wire protocol (version {@link WIRE_VERSION}).
 * The prose version of this file is docs/wire-protocol.md; both sides import these constants.
 */

/** Version of the wire format; every document and batch carries it as `wireVersion`. */
export const WIRE_VERSION = 1;

/** The three SDK routes. All take `Authorization: Bearer <token>` with scope `sdk`. */
export const WIRE_ROUTES = {
  /** `GET`: current {@link ConfigDocument}; honours `If-None-Match` (304), answers with `ETag`. */
  config: '/v1/config',
  /** `GET`: `text/event-stream` of `config` events; honours `Last-Event-ID`. */
  stream: '/v1/stream',
  /** `POST`: an {@link EventBatch}; answers 202 `{ accepted }` or 400 `{ error, errors }`. */
  events: '/v1/events',
} as const;

/** Name of the SSE event that carries a full ConfigDocument in its `data` line. */
export const SSE_CONFIG_EVENT = 'config';

/** The server sends an SSE comment (`: ping`) at least this often on an idle stream. */
export const SSE_PING_INTERVAL_MS = 15_000;

/** Most events one EventBatch may carry (larger batches are rejected with 400). */
export const MAX_BATCH_EVENTS = 1000;

/** Largest accepted EventBatch body in bytes (larger bodies are rejected with 413). */
export const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * Largest body an SDK puts in one `navigator.sendBeacon` call (browsers cap the
 * sum of pending beacons at 64 KiB, so keep some headroom).
 */
export const MAX_BEACON_BYTES = 60 * 1024;

/** Formats a config version as an HTTP entity tag (a quoted string). */
export function formatEtag(version: string): string {
  return `"${version}"`;
}

/**
 * True when an `If-None-Match` header value matches the version (accepts `*`,
 * weak tags `W/"v"`, lists `"a", "b"`, and for leniency an unquoted version).
 */
export function etagMatches(ifNoneMatch: string | null | undefined, version: string): boolean {
  if (ifNoneMatch === null || ifNoneMatch === undefined) return false;
  const wanted = formatEtag(version);
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim().replace(/^W\//, '');
    if (tag === '*' || tag === wanted || tag === version) return true;
  }
  return false;
}
