import { formatEtag, SSE_CONFIG_EVENT, WIRE_ROUTES } from '@threshold/core';
import { backoffDelay } from './backoff-delay.js';
import { setUnrefTimeout } from './runtime.js';
import { SseParser } from './sse-parser.js';

/** Where a config document came from. */
export type ConfigSource = 'bootstrap' | 'storage' | 'fetch' | 'stream' | 'poll';

/** Settings and callbacks of {@link ConfigSync} (filled in by createClient). */
export interface ConfigSyncOptions {
  url: string;
  token: string | undefined;
  fetch: typeof fetch;
  stream: boolean;
  pollIntervalMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  streamFailuresBeforePolling: number;
  streamIdleTimeoutMs: number;
  requestTimeoutMs: number;
  /** Version of the config being served, for If-None-Match and Last-Event-ID. */
  currentVersion(): string | undefined;
  /** A response body that should be a ConfigDocument (the client validates it). */
  onDocumentText(text: string, source: ConfigSource): void;
  /** `true` when the server was reached (stream open or a fetch answered), `false` when lost. */
  onHealth(healthy: boolean, reason?: unknown): void;
  /** A failure that does not change health (a stream retry while polling keeps us fresh). */
  onError(err: unknown): void;
}

/** HTTP failure with its status code. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`${what} answered HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/**
 * Keeps the config fresh: one GET with ETag, then an SSE stream parsed by hand
 * from a fetch body (works the same in Node and browsers), reconnected with
 * exponential backoff + full jitter; after N consecutive stream failures it also
 * polls until the stream is back. Nothing here keeps a Node process alive except
 * an open stream connection itself.
 */
export class ConfigSync {
  #closed = false;
  #streamAbort: AbortController | undefined;
  #streamFailures = 0;
  #streamTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  #streamOpen = false;
  readonly #requests = new Set<AbortController>();

  constructor(private readonly o: ConfigSyncOptions) {}

  /** True while an SSE connection is open. */
  get streaming(): boolean {
    return this.#streamOpen;
  }

  /** True while the polling fallback (or polling mode) is active. */
  get polling(): boolean {
    return this.#polling;
  }

  /** Fetches once, then streams (or polls when `stream: false`). */
  async start(): Promise<void> {
    await this.fetchNow('fetch');
    if (this.#closed) return;
    if (this.o.stream) this.#openStream();
    else this.#startPolling();
  }

  /** Stops streaming and polling; idempotent. */
  close(): void {
    this.#closed = true;
    this.#streamAbort?.abort();
    for (const request of this.#requests) request.abort();
    if (this.#streamTimer !== undefined) clearTimeout(this.#streamTimer);
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    this.#polling = false;
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    return this.o.token ? { ...extra, Authorization: `Bearer ${this.o.token}` } : extra;
  }

  /** One conditional GET of the config. Resolves true when the server answered 200/304. */
  async fetchNow(source: ConfigSource): Promise<boolean> {
    if (this.#closed) return false;
    const abort = new AbortController();
    this.#requests.add(abort);
    const timer = setUnrefTimeout(() => abort.abort(), this.o.requestTimeoutMs);
    try {
      const version = this.o.currentVersion();
      const headers = this.#headers(
        version === undefined
          ? { Accept: 'application/json' }
          : { Accept: 'application/json', 'If-None-Match': formatEtag(version) },
      );
      const res = await this.o.fetch(this.o.url + WIRE_ROUTES.config, {
        headers,
        signal: abort.signal,
        cache: 'no-store',
      });
      if (res.status === 304) {
        await res.body?.cancel();
        if (!this.#closed && !this.#streamOpen) this.o.onHealth(true);
        return true;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new HttpStatusError(res.status, `GET ${WIRE_ROUTES.config}`);
      }
      const text = await res.text();
      if (this.#closed) return true;
      this.o.onDocumentText(text, source);
      if (!this.#streamOpen) this.o.onHealth(true);
      return true;
    } catch (err) {
      if (!this.#closed && !this.#streamOpen) this.o.onHealth(false, err);
      return false;
    } finally {
      clearTimeout(timer);
      this.#requests.delete(abort);
    }
  }

  #startPolling(): void {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    this.#schedulePoll(this.o.pollIntervalMs);
  }

  #stopPolling(): void {
    this.#polling = false;
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  #schedulePoll(ms: number): void {
    this.#pollTimer = setUnrefTimeout(() => {
      if (!this.#polling || this.#closed) return;
      void this.fetchNow('poll').then(() => {
        if (this.#polling && !this.#closed) this.#schedulePoll(this.o.pollIntervalMs);
      });
    }, ms);
  }

  #openStream(): void {
    if (this.#closed) return;
    const abort = new AbortController();
    this.#streamAbort = abort;
    void this.#stream(abort).then(
      () => this.#streamLost(abort, new Error('stream ended')),
      (err: unknown) => this.#streamLost(abort, err),
    );
  }

  async #stream(abort: AbortController): Promise<void> {
    const version = this.o.currentVersion();
    const headers = this.#headers(
      version === undefined
        ? { Accept: 'text/event-stream' }
        : { Accept: 'text/event-stream', 'Last-Event-ID': version },
    );
    let idle = setUnrefTimeout(() => abort.abort(), this.o.requestTimeoutMs);
    try {
      const res = await this.o.fetch(this.o.url + WIRE_ROUTES.stream, {
        headers,
        signal: abort.signal,
        cache: 'no-store',
      });
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        throw new HttpStatusError(res.status, `GET ${WIRE_ROUTES.stream}`);
      }
      // A proxy answering 200 with something else is a failed stream, not a healthy one.
      if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        await res.body.cancel();
        throw new Error(`GET ${WIRE_ROUTES.stream} answered ${res.headers.get('content-type')}`);
      }
      this.#streamFailures = 0;
      this.#streamOpen = true;
      this.#stopPolling();
      this.o.onHealth(true);
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        clearTimeout(idle);
        idle = setUnrefTimeout(() => abort.abort(), this.o.streamIdleTimeoutMs);
        const { done, value } = await reader.read();
        if (done || this.#closed) return;
        for (const msg of parser.push(decoder.decode(value, { stream: true }))) {
          if (msg.event === SSE_CONFIG_EVENT) this.o.onDocumentText(msg.data, 'stream');
        }
      }
    } finally {
      clearTimeout(idle);
    }
  }

  #streamLost(abort: AbortController, err: unknown): void {
    const wasOpen = this.#streamOpen;
    this.#streamOpen = false;
    if (this.#closed || this.#streamAbort !== abort) return;
    abort.abort();
    this.#streamFailures++;
    // While polling works, a failing stream retry is not news: health follows the polls.
    if (this.#polling) this.o.onError(err);
    else this.o.onHealth(false, err);
    if (this.#streamFailures >= this.o.streamFailuresBeforePolling && !this.#polling) {
      this.#polling = true;
      this.#schedulePoll(0);
    }
    const delay = wasOpen
      ? backoffDelay(0, this.o.reconnectBaseMs, this.o.reconnectMaxMs)
      : backoffDelay(this.#streamFailures, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
    this.#streamTimer = setUnrefTimeout(() => this.#openStream(), delay);
  }
}
