import {
  MAX_BATCH_EVENTS,
  MAX_BEACON_BYTES,
  WIRE_ROUTES,
  WIRE_VERSION,
  formatEtag,
} from '@threshold/core';
import type { EventBatch, SdkEvent } from '@threshold/core';
import { backoffDelay } from './backoff-delay.js';
import { HttpStatusError } from './config-sync.js';
import { setUnrefTimeout } from './runtime.js';

/** Settings of {@link EventQueue} (filled in by createClient). */
export interface EventQueueOptions {
  url: string;
  token: string | undefined;
  fetch: typeof fetch;
  sdk: { name: string; version: string };
  batchSize: number;
  flushIntervalMs: number;
  maxBuffer: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  /**
   * While a failed batch waits longer than this for its retry, probe the server
   * this often (jittered) with a tiny conditional GET of the config, and retry as
   * soon as it answers; 0 disables probing.
   */
  probeIntervalMs: number;
  /** Config version for the probe's If-None-Match, so a healthy server answers 304. */
  currentVersion(): string | undefined;
  onError(err: unknown): void;
}

interface PendingBatch {
  id: string;
  events: SdkEvent[];
}

/**
 * Bounded event buffer sent in batches to `POST /v1/events`.
 *
 * - At most `maxBuffer` events wait (buffer + the batch being retried). When full,
 *   NEW events are dropped and counted (`dropped`): O(1), keeps order, and the batch
 *   being retried is never split.
 * - A batch is sent when `batchSize` events are waiting or every `flushIntervalMs`.
 * - A failed batch (network error, 408, 429, 5xx) is retried AS IS (same `batchId`,
 *   the idempotency key) with exponential backoff + full jitter; other 4xx answers
 *   drop the batch (counted) because resending cannot succeed.
 * - One request in flight at a time, so events arrive in order.
 * - Backoff spares a server that is down; it must not delay the catch-up once it
 *   is back. So while a retry waits longer than `probeIntervalMs`, a cheap probe
 *   runs that often, and `resume()` (also called when the config connection comes
 *   back) sends at once.
 */
export class EventQueue {
  #buffer: SdkEvent[] = [];
  #pending: PendingBatch | undefined;
  #inFlight: Promise<void> | undefined;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #intervalTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Events dropped (buffer full, rejected batch, or enqueued after close). */
  dropped = 0;
  /** Events acknowledged by the server (or handed to sendBeacon). */
  sent = 0;
  /** Batches that failed and were scheduled for retry. */
  retries = 0;
  /** Retries started early because the server answered again (a probe or the config connection). */
  recoveries = 0;

  constructor(private readonly o: EventQueueOptions) {
    this.#scheduleInterval();
  }

  /** Events waiting to be sent (including a batch awaiting retry). */
  get size(): number {
    return this.#buffer.length + (this.#pending?.events.length ?? 0);
  }

  /** Adds an event; sends a batch as soon as `batchSize` are waiting. */
  push(event: SdkEvent): void {
    if (this.#closed || this.size >= this.o.maxBuffer) {
      this.dropped++;
      return;
    }
    this.#buffer.push(event);
    if (this.#buffer.length >= this.o.batchSize && this.#retryTimer === undefined) this.#kick();
  }

  /** The server answers again: a batch waiting for its retry is sent now. */
  resume(): void {
    if (this.#retryTimer === undefined || this.#closed) return;
    this.#cancelRetry();
    this.recoveries++;
    this.#kick();
  }

  /** Sends everything now (one attempt per batch, retry timers are skipped). */
  async flush(): Promise<void> {
    this.#cancelRetry();
    while (this.#inFlight) await this.#inFlight;
    await this.#run(true);
  }

  /**
   * Stops the timers and makes a last flush. What that flush could not deliver is
   * counted as dropped; later events are dropped too.
   */
  async close(): Promise<void> {
    if (this.#intervalTimer !== undefined) clearTimeout(this.#intervalTimer);
    await this.flush();
    this.#closed = true;
    this.#cancelRetry();
    this.dropped += this.size;
    this.#buffer = [];
    this.#pending = undefined;
  }

  /**
   * Hands everything waiting to `sendBeacon` (page hide). The token goes in the body
   * because a beacon cannot carry an Authorization header; the body is `text/plain`
   * so that no CORS preflight is needed. Events whose beacon is refused stay queued.
   */
  beacon(send: (url: string, body: Blob) => boolean): void {
    if (this.#inFlight === undefined && this.#pending) {
      this.#buffer = this.#pending.events.concat(this.#buffer);
      this.#pending = undefined;
    }
    while (this.#buffer.length > 0) {
      let n = Math.min(this.#buffer.length, this.o.batchSize, MAX_BATCH_EVENTS);
      let body = this.#body(newBatchId(), this.#buffer.slice(0, n), true);
      while (body.length > MAX_BEACON_BYTES && n > 1) {
        n = Math.ceil(n / 2);
        body = this.#body(newBatchId(), this.#buffer.slice(0, n), true);
      }
      const ok = send(
        this.o.url + WIRE_ROUTES.events,
        new Blob([body], { type: 'text/plain;charset=UTF-8' }),
      );
      if (!ok) return;
      this.#buffer.splice(0, n);
      this.sent += n;
    }
  }

  #body(id: string, events: SdkEvent[], withToken: boolean): string {
    const batch: EventBatch = {
      wireVersion: WIRE_VERSION,
      sdk: this.o.sdk,
      sentAt: Date.now(),
      batchId: id,
      events,
    };
    if (withToken && this.o.token) batch.token = this.o.token;
    return JSON.stringify(batch);
  }

  #scheduleInterval(): void {
    this.#intervalTimer = setUnrefTimeout(() => {
      if (this.#closed) return;
      if (this.#retryTimer === undefined) this.#kick();
      this.#scheduleInterval();
    }, this.o.flushIntervalMs);
  }

  #kick(): void {
    if (this.#inFlight === undefined) void this.#run(false);
  }

  #run(explicit: boolean): Promise<void> {
    const run = this.#drain(explicit).finally(() => {
      if (this.#inFlight === run) this.#inFlight = undefined;
    });
    this.#inFlight = run;
    return run;
  }

  async #drain(explicit: boolean): Promise<void> {
    for (;;) {
      if (!this.#pending) {
        if (this.#buffer.length === 0) return;
        const n = Math.min(this.o.batchSize, MAX_BATCH_EVENTS);
        this.#pending = { id: newBatchId(), events: this.#buffer.splice(0, n) };
      }
      const batch = this.#pending;
      const result = await this.#send(batch);
      if (result === 'ok' || result === 'rejected') {
        this.#pending = undefined;
        this.#failures = 0;
        if (result === 'ok') this.sent += batch.events.length;
        else this.dropped += batch.events.length;
        // Without an explicit flush, keep sending only while full batches wait.
        if (!explicit && this.#buffer.length < this.o.batchSize) return;
        continue;
      }
      this.#failures++;
      this.retries++;
      if (!explicit && !this.#closed) {
        const delay = backoffDelay(this.#failures - 1, this.o.retryBaseMs, this.o.retryMaxMs);
        this.#retryTimer = setUnrefTimeout(() => {
          this.#cancelRetry();
          this.#kick();
        }, delay);
        if (delay > this.o.probeIntervalMs) this.#scheduleProbe();
      }
      return;
    }
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#probeTimer !== undefined) clearTimeout(this.#probeTimer);
    this.#retryTimer = undefined;
    this.#probeTimer = undefined;
  }

  #scheduleProbe(): void {
    if (this.o.probeIntervalMs <= 0) return;
    // Jitter, so that clients of a server that comes back do not probe in step.
    const delay = this.o.probeIntervalMs * (0.5 + Math.random() / 2);
    this.#probeTimer = setUnrefTimeout(() => {
      this.#probeTimer = undefined;
      void this.#probe().then((up) => {
        if (this.#retryTimer === undefined) return;
        if (up) this.resume();
        else this.#scheduleProbe();
      });
    }, delay);
  }

  /** Whether the server answers (anything but a network error, 408, 429 or 5xx). Quiet: no onError. */
  async #probe(): Promise<boolean> {
    const abort = new AbortController();
    const timer = setUnrefTimeout(() => abort.abort(), this.o.requestTimeoutMs);
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (this.o.token) headers.Authorization = `Bearer ${this.o.token}`;
      const version = this.o.currentVersion();
      if (version !== undefined) headers['If-None-Match'] = formatEtag(version);
      const res = await this.o.fetch(this.o.url + WIRE_ROUTES.config, {
        headers,
        signal: abort.signal,
        cache: 'no-store',
      });
      await res.body?.cancel();
      return !(res.status === 408 || res.status === 429 || res.status >= 500);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async #send(batch: PendingBatch): Promise<'ok' | 'retry' | 'rejected'> {
    const abort = new AbortController();
    const timer = setUnrefTimeout(() => abort.abort(), this.o.requestTimeoutMs);
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (this.o.token) headers.Authorization = `Bearer ${this.o.token}`;
      const body = this.#body(batch.id, batch.events, false);
      const res = await this.o.fetch(this.o.url + WIRE_ROUTES.events, {
        method: 'POST',
        headers,
        body,
        signal: abort.signal,
        // Lets a browser finish the request if the page unloads meanwhile (capped at 64 KiB).
        keepalive: body.length <= MAX_BEACON_BYTES,
      });
      await res.body?.cancel();
      if (res.ok) return 'ok';
      const err = new HttpStatusError(res.status, `POST ${WIRE_ROUTES.events}`);
      this.o.onError(err);
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return retryable ? 'retry' : 'rejected';
    } catch (err) {
      this.o.onError(err);
      return 'retry';
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A random batch id (idempotency key); crypto.randomUUID when available. */
function newBatchId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
