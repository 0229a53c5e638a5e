import { parseConfigDocument } from '@threshold/core';
import type { ConfigDocument, EvaluationContext } from '@threshold/core';
import { ConfigSync } from './config-sync.js';
import type { ConfigSource } from './config-sync.js';
import type {
  ClientErrorKind,
  ClientEvents,
  ClientOptions,
  ClientStats,
  ClientStatus,
  ConfigStorage,
  ThresholdClient,
} from './threshold-client.js';
import { EventQueue } from './event-queue.js';
import { FlagEvaluator } from './flag-evaluator.js';
import type { EvaluationDetail } from './flag-evaluator.js';
import { onProcessExit } from './on-process-exit.js';
import { beaconSender, browserDocument, setUnrefTimeout } from './runtime.js';
import { TypedEmitter } from './typed-emitter.js';

/** Version of this SDK, sent in every EventBatch. */
export const SDK_VERSION = '0.1.0';

/** Creates a client. See {@link ClientOptions}; with only `bootstrap` it works fully offline. */
export function createClient(options: ClientOptions): ThresholdClient {
  return new Client(options);
}

class Client implements ThresholdClient {
  readonly #emitter = new TypedEmitter<ClientEvents>();
  readonly #evaluator: FlagEvaluator;
  readonly #queue: EventQueue | undefined;
  readonly #sync: ConfigSync | undefined;
  readonly #storage: ConfigStorage | undefined;
  readonly #onError: ((err: unknown) => void) | undefined;
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (err: unknown) => void;
  #status: ClientStatus = 'not-ready';
  #lastSource: ConfigSource | undefined;
  #configUpdates = 0;
  #rejectedConfigs = 0;
  #detach: (() => void)[] = [];
  #exitFlushFailed = false;

  constructor(o: ClientOptions) {
    this.#storage = o.storage;
    this.#onError = o.onError;
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.#ready.catch(() => undefined);
    const url = o.url?.replace(/\/+$/, '');
    const fetchImpl = o.fetch ?? globalThis.fetch?.bind(globalThis);
    const requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    if (url !== undefined && o.events !== false) {
      const e = o.events ?? {};
      const queue = new EventQueue({
        url,
        token: o.token,
        fetch: fetchImpl,
        sdk: { name: o.sdkName ?? '@threshold/sdk', version: SDK_VERSION },
        batchSize: Math.max(1, Math.min(e.batchSize ?? 100, 1000)),
        flushIntervalMs: e.flushIntervalMs ?? 2000,
        maxBuffer: e.maxBuffer ?? 10_000,
        retryBaseMs: e.retryBaseMs ?? 500,
        retryMaxMs: e.retryMaxMs ?? 30_000,
        probeIntervalMs: e.probeIntervalMs ?? 1000,
        currentVersion: () => this.#evaluator.document?.version,
        requestTimeoutMs,
        onError: (err) => this.#error(err, 'events'),
      });
      this.#queue = queue;
      this.#evaluator = new FlagEvaluator((f, unit, arm) => {
        const { key, launch, phase } = f.config;
        queue.push(
          phase === undefined
            ? { type: 'exposure', flag: key, launch, unit, arm, ts: Date.now() }
            : { type: 'exposure', flag: key, launch, unit, arm, phase, ts: Date.now() },
        );
      }, e.exposureCacheSize);
      this.#attachLifecycle(queue);
    } else {
      this.#evaluator = new FlagEvaluator();
    }
    if (o.bootstrap !== undefined) this.#applyJson(o.bootstrap, 'bootstrap', undefined);
    if (url !== undefined) {
      this.#sync = new ConfigSync({
        url,
        token: o.token,
        fetch: fetchImpl,
        stream: o.stream ?? true,
        pollIntervalMs: o.pollIntervalMs ?? 30_000,
        reconnectBaseMs: o.reconnectBaseMs ?? 500,
        reconnectMaxMs: o.reconnectMaxMs ?? 30_000,
        streamFailuresBeforePolling: o.streamFailuresBeforePolling ?? 3,
        streamIdleTimeoutMs: o.streamIdleTimeoutMs ?? 45_000,
        requestTimeoutMs,
        currentVersion: () => this.#evaluator.document?.version,
        onDocumentText: (text, source) => this.#applyText(text, source, true),
        onHealth: (healthy, reason) => this.#health(healthy, reason),
        onError: (err) => this.#error(err, 'network'),
      });
    }
    if (!this.#evaluator.document) {
      const timer = setUnrefTimeout(
        () => this.#rejectReady(new Error('no Threshold config within readyTimeoutMs')),
        o.readyTimeoutMs ?? 10_000,
      );
      void this.#ready.then(
        () => clearTimeout(timer),
        () => undefined,
      );
    }
    void this.#start();
  }

  async #start(): Promise<void> {
    if (this.#storage) {
      try {
        const text = await this.#storage.load();
        if (text !== null && !this.#evaluator.document && this.#status !== 'closed') {
          this.#applyText(text, 'storage', false);
        }
      } catch (err) {
        this.#error(err, 'storage');
      }
    }
    if (this.#status !== 'closed') await this.#sync?.start();
  }

  #applyText(text: string, source: ConfigSource, save: boolean): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.#rejectedConfigs++;
      this.#error(new Error(`config from ${source} is not JSON: ${String(err)}`), 'config');
      return;
    }
    this.#applyJson(json, source, save ? text : undefined);
  }

  /** Validates a decoded document; applies it or reports it and keeps the last good one. */
  #applyJson(json: unknown, source: ConfigSource, text: string | undefined): void {
    const parsed = parseConfigDocument(json);
    if (!parsed.ok) {
      this.#rejectedConfigs++;
      const detail = parsed.errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ');
      this.#error(
        new Error(`invalid config from ${source}, keeping the last good one: ${detail}`),
        'config',
      );
      return;
    }
    this.#applyDocument(parsed.value, source, text);
  }

  #applyDocument(doc: ConfigDocument, source: ConfigSource, text: string | undefined): void {
    if (this.#status === 'closed') return;
    if (this.#evaluator.document?.version === doc.version) return;
    let flagsChanged: string[];
    try {
      flagsChanged = this.#evaluator.load(doc);
    } catch (err) {
      this.#rejectedConfigs++;
      this.#error(err, 'config');
      return;
    }
    this.#configUpdates++;
    this.#lastSource = source;
    if (text !== undefined && this.#storage) {
      try {
        void Promise.resolve(this.#storage.save(text)).catch((err: unknown) =>
          this.#error(err, 'storage'),
        );
      } catch (err) {
        this.#error(err, 'storage');
      }
    }
    const first = this.#status === 'not-ready';
    if (first) this.#setStatus('ready', undefined);
    this.#emitter.emit('change', { version: doc.version, flagsChanged, source });
    if (first) this.#resolveReady();
  }

  #health(healthy: boolean, reason: unknown): void {
    if (!healthy && reason !== undefined) this.#error(reason, 'network');
    // The config connection reached the server: events waiting on a retry go now.
    if (healthy) this.#queue?.resume();
    if (this.#status === 'not-ready' || this.#status === 'closed') return;
    this.#setStatus(healthy ? 'ready' : 'stale', reason);
  }

  #setStatus(next: 'ready' | 'stale', reason: unknown): void {
    if (this.#status === next) return;
    this.#status = next;
    if (next === 'ready') this.#emitter.emit('ready', { source: this.#lastSource });
    else this.#emitter.emit('stale', { error: reason });
  }

  #error(error: unknown, kind: ClientErrorKind): void {
    try {
      this.#onError?.(error);
    } catch {
      // user callback errors are ignored
    }
    this.#emitter.emit('error', { error, kind });
  }

  #attachLifecycle(queue: EventQueue): void {
    this.#detach.push(
      onProcessExit(() => {
        if (queue.size === 0 || this.#exitFlushFailed) return;
        const before = queue.size;
        void queue.flush().then(() => {
          // Give up after one fruitless attempt, or beforeExit would loop forever.
          if (queue.size >= before) this.#exitFlushFailed = true;
        });
      }),
    );
    const doc = browserDocument();
    const send = beaconSender();
    if (doc && send) {
      const onHide = (): void => {
        if (doc.visibilityState === 'hidden') queue.beacon(send);
      };
      const onPageHide = (): void => queue.beacon(send);
      doc.addEventListener('visibilitychange', onHide);
      globalThis.addEventListener?.('pagehide', onPageHide);
      this.#detach.push(() => {
        doc.removeEventListener('visibilitychange', onHide);
        globalThis.removeEventListener?.('pagehide', onPageHide);
      });
    }
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  isOn(flag: string, context: EvaluationContext, defaultValue = false): boolean {
    return this.#evaluator.isOn(flag, context, defaultValue);
  }

  evaluate(flag: string, context: EvaluationContext, defaultValue = false): EvaluationDetail {
    return this.#evaluator.evaluate(flag, context, defaultValue);
  }

  track(unit: string, event: string, value?: number): void {
    const queue = this.#queue;
    if (!queue) return;
    try {
      if (typeof unit !== 'string' || unit === '' || typeof event !== 'string' || event === '') {
        this.#error(
          new Error('track(unit, event, value?) needs a non-empty unit and event'),
          'usage',
        );
        return;
      }
      const ts = Date.now();
      queue.push(
        typeof value === 'number' && Number.isFinite(value)
          ? { type: 'track', unit, event, value, ts }
          : { type: 'track', unit, event, ts },
      );
    } catch (err) {
      this.#error(err, 'usage');
    }
  }

  unitAttribute(flag: string): string | undefined {
    return this.#evaluator.flag(flag)?.unit;
  }

  async flush(): Promise<void> {
    await this.#queue?.flush();
  }

  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#sync?.close();
    this.#rejectReady(new Error('client closed'));
    for (const detach of this.#detach) detach();
    this.#detach = [];
    await this.#queue?.close();
    this.#emitter.clear();
  }

  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void {
    return this.#emitter.on(event, fn);
  }

  get status(): ClientStatus {
    return this.#status;
  }

  get config(): ConfigDocument | undefined {
    return this.#evaluator.document;
  }

  get flagKeys(): string[] {
    return this.#evaluator.document?.flags.map((f) => f.key) ?? [];
  }

  get sentEvents(): number {
    return this.#queue?.sent ?? 0;
  }

  get droppedEvents(): number {
    return this.#queue?.dropped ?? 0;
  }

  get stats(): ClientStats {
    return {
      sentEvents: this.#queue?.sent ?? 0,
      droppedEvents: this.#queue?.dropped ?? 0,
      queuedEvents: this.#queue?.size ?? 0,
      eventRetries: this.#queue?.retries ?? 0,
      eventRecoveries: this.#queue?.recoveries ?? 0,
      configUpdates: this.#configUpdates,
      rejectedConfigs: this.#rejectedConfigs,
    };
  }
}
