import type { ConfigDocument, EvaluationContext } from '@threshold/core';
import type { ConfigSource } from './config-sync.js';
import type { EvaluationDetail } from './flag-evaluator.js';

/** Where the last good config is persisted between restarts (e.g. localStorage, a file). */
export interface ConfigStorage {
  /** The last saved document text, or null. */
  load(): Promise<string | null> | string | null;
  /** Saves a new good document text. */
  save(doc: string): void | Promise<void>;
}

/** Event buffering and batching; `false` disables events (no exposures, track() is a no-op). */
export interface EventOptions {
  /** Send as soon as this many events wait (default 100, max 1000). */
  batchSize?: number;
  /** Send whatever waits this often (default 2000 ms). */
  flushIntervalMs?: number;
  /** Events that may wait at most; newer ones are dropped and counted (default 10,000). */
  maxBuffer?: number;
  /** First retry delay ceiling (default 500 ms), doubled per failure with full jitter. */
  retryBaseMs?: number;
  /** Retry delay cap (default 30 s). */
  retryMaxMs?: number;
  /**
   * While a failed batch waits longer than this for its retry, probe the server
   * (a conditional GET of the config) this often, jittered, and send as soon as it
   * answers (default 1000 ms; 0: wait for the retry or the config connection).
   */
  probeIntervalMs?: number;
  /** Units remembered per (launch, phase) for exposure dedupe before the set is reset (default 50,000). */
  exposureCacheSize?: number;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Server base URL, e.g. `https://threshold.example.com` (no trailing slash needed). */
  url?: string;
  /** SDK token (scope `sdk`). */
  token?: string;
  /** A ConfigDocument to serve immediately; with no `url` the client is fully offline. */
  bootstrap?: ConfigDocument;
  /** fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Use the SSE stream (default true); `false` polls instead. */
  stream?: boolean;
  /** Poll period when `stream: false` or the stream keeps failing (default 30 s). */
  pollIntervalMs?: number;
  /** Stream reconnect backoff: first ceiling (default 500 ms) and cap (default 30 s). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Consecutive stream failures before polling starts as well (default 3). */
  streamFailuresBeforePolling?: number;
  /** A stream silent this long is considered dead (default 45 s; the server pings every 15 s). */
  streamIdleTimeoutMs?: number;
  /** Timeout of one config or events request (default 10 s). */
  requestTimeoutMs?: number;
  /** `ready()` rejects if no config arrived within this time (default 10 s; the client keeps trying). */
  readyTimeoutMs?: number;
  /** Event batching, or `false` to send nothing. Without `url` events are always off. */
  events?: EventOptions | false;
  /**
   * Persistence of the last good config: loaded at start (served until the network answers;
   * not used when `bootstrap` is given, since versions are opaque), saved on every new one.
   */
  storage?: ConfigStorage;
  /** Called with every error (also emitted as `error`). */
  onError?: (err: unknown) => void;
  /** SDK name in event batches (wrappers such as the OpenFeature providers set their own). */
  sdkName?: string;
}

/** Client lifecycle: `not-ready` until a config is loaded, `stale` while the server is unreachable. */
export type ClientStatus = 'not-ready' | 'ready' | 'stale' | 'closed';

/** Payloads of the client's events. */
export interface ClientEvents {
  /** Status became `ready` (first config, and each recovery from `stale`). */
  ready: { source: ConfigSource | undefined };
  /** A new config was applied; `flagsChanged` lists added, removed and modified keys. */
  change: { version: string; flagsChanged: string[]; source: ConfigSource };
  /** The server became unreachable; the last good config keeps serving. */
  stale: { error: unknown };
  /** Something failed. Never thrown. `kind` says what: see {@link ClientErrorKind}. */
  error: { error: unknown; kind: ClientErrorKind };
}

/**
 * What an `error` event is about: `config` (a document was rejected), `network` (config
 * fetch or stream failed), `events` (sending events failed), `storage`, or `usage` (bad arguments).
 */
export type ClientErrorKind = 'config' | 'network' | 'events' | 'storage' | 'usage';

/** Counters for diagnostics. */
export interface ClientStats {
  /** Events acknowledged by the server (or handed to sendBeacon). */
  sentEvents: number;
  /** Events dropped (buffer full, rejected by the server, after close). */
  droppedEvents: number;
  /** Events waiting to be sent. */
  queuedEvents: number;
  /** Event batches that failed and were retried. */
  eventRetries: number;
  /** Retries sent early because the server answered again (a probe or the config connection). */
  eventRecoveries: number;
  /** Config documents applied. */
  configUpdates: number;
  /** Config documents rejected as invalid. */
  rejectedConfigs: number;
}

/**
 * A Threshold client: evaluates flags locally and synchronously from the last good
 * config, keeps that config fresh (ETag fetch, SSE stream, polling fallback), and
 * sends exposures and tracked events in batches.
 */
export interface ThresholdClient {
  /** Resolves once a config is loaded (bootstrap, storage or network). */
  ready(): Promise<void>;
  /** Is the flag on for this context? Never throws; `defaultValue` when it cannot tell. */
  isOn(flag: string, context: EvaluationContext, defaultValue?: boolean): boolean;
  /** Like isOn, with reason, arm, bucket, launch and phase. */
  evaluate(flag: string, context: EvaluationContext, defaultValue?: boolean): EvaluationDetail;
  /** Records a KPI event for a unit (no-op when events are off). */
  track(unit: string, event: string, value?: number): void;
  /** The context attribute holding the unit id for a flag (e.g. `userId`), if the flag is loaded. */
  unitAttribute(flag: string): string | undefined;
  /** Sends every waiting event now. */
  flush(): Promise<void>;
  /** Flushes, stops streams, polls and timers. Idempotent. */
  close(): Promise<void>;
  /** Subscribes to a client event; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void;
  /** Current lifecycle status. */
  readonly status: ClientStatus;
  /** The config being served, if any. */
  readonly config: ConfigDocument | undefined;
  /** Keys of the loaded flags. */
  readonly flagKeys: string[];
  /** Events acknowledged so far. */
  readonly sentEvents: number;
  /** Events dropped so far. */
  readonly droppedEvents: number;
  /** All counters. */
  readonly stats: ClientStats;
}
