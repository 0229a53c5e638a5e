/**
 * In-process fan-out of launch changes: the SDK config document to `/v1/stream`
 * clients and changed launch rows to the dashboard stream. A change made in this
 * process is announced with `changed()`; changes made by other replicas on the
 * same database are found by a cheap poll of the launch rows (id and seq), so
 * every replica's SSE clients converge within one poll interval.
 */
import type { ConfigDocument, Plan } from '@threshold/core';
import type { Logger } from 'pino';
import { DEFAULT_ENVIRONMENT } from '../store/index.js';
import type { LaunchRecord, Store } from '../store/store.js';
import { buildConfigDocument } from './build-config-document.js';
import type { LaunchWithPlan } from './build-config-document.js';

/** Settings of a {@link ConfigHub}. */
export interface ConfigHubOptions {
  store: Store;
  logger: Logger;
  /** Clock in milliseconds (stamps `generatedAt`). */
  now: () => number;
  /** How often to look for changes made elsewhere (default 250 ms; 0 disables polling). */
  pollIntervalMs?: number;
}

/** Fans out config documents and launch changes to subscribers. */
export class ConfigHub {
  readonly #o: ConfigHubOptions;
  readonly #configListeners = new Set<(doc: ConfigDocument) => void>();
  readonly #launchListeners = new Set<(launches: LaunchRecord[]) => void>();
  /** Plan versions never change once stored, so they are cached forever. */
  readonly #plans = new Map<string, Plan>();
  #seqs = new Map<string, number>();
  #document: ConfigDocument | undefined;
  /** One document per environment (ADR 0032): a flag's launches in two environments never collide. */
  #documents = new Map<string, ConfigDocument>();
  #launches: LaunchRecord[] = [];
  #running: Promise<ConfigDocument> | undefined;
  #queued: Promise<ConfigDocument> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: ConfigHubOptions) {
    this.#o = options;
  }

  /** The last document built (undefined before the first refresh). */
  get document(): ConfigDocument | undefined {
    return this.#document;
  }

  /**
   * The document of one environment as of the last refresh (empty for an
   * environment without launches). `document` is production's.
   */
  documentFor(environment: string): ConfigDocument {
    let doc = this.#documents.get(environment);
    if (doc === undefined) {
      doc = buildConfigDocument([], new Date(this.#o.now()).toISOString());
      this.#documents.set(environment, doc);
    }
    return doc;
  }

  /** Refresh, then the document of one environment. */
  async refreshFor(environment: string): Promise<ConfigDocument> {
    await this.refresh();
    return this.documentFor(environment);
  }

  /** The launch rows as of the last refresh. */
  get launches(): readonly LaunchRecord[] {
    return this.#launches;
  }

  /**
   * Re-reads the launches and rebuilds the document, notifying subscribers of what
   * changed. Calls overlapping a running refresh share one follow-up refresh, so a
   * caller always sees state read after its call began.
   */
  refresh(): Promise<ConfigDocument> {
    if (this.#running === undefined) {
      this.#running = this.#load().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.refresh();
      });
    return this.#queued;
  }

  /** Announces a change committed in this process (fire and forget; errors are logged). */
  changed(): void {
    this.refresh().catch((err: unknown) => this.#o.logger.error({ err }, 'config refresh failed'));
  }

  /** Subscribes to new config documents; returns the unsubscribe function. */
  onConfig(listener: (doc: ConfigDocument) => void): () => void {
    this.#configListeners.add(listener);
    return () => this.#configListeners.delete(listener);
  }

  /** Subscribes to changed launch rows (new or with a new seq). */
  onLaunches(listener: (launches: LaunchRecord[]) => void): () => void {
    this.#launchListeners.add(listener);
    return () => this.#launchListeners.delete(listener);
  }

  /** Starts polling the store for changes made by other replicas. */
  start(): void {
    const every = this.#o.pollIntervalMs ?? 250;
    if (every <= 0 || this.#timer !== undefined) return;
    this.#stopped = false;
    const tick = () => {
      this.#timer = setTimeout(() => {
        this.refresh()
          .catch((err: unknown) => this.#o.logger.warn({ err }, 'config poll failed'))
          .finally(() => {
            if (!this.#stopped) tick();
          });
      }, every);
      this.#timer.unref();
    };
    tick();
  }

  /** Stops polling and waits for a refresh in flight; subscribers are dropped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([this.#running, this.#queued]);
    this.#configListeners.clear();
    this.#launchListeners.clear();
  }

  async #load(): Promise<ConfigDocument> {
    const { store } = this.#o;
    const launches = await store.listLaunches();
    const entries: LaunchWithPlan[] = [];
    for (const launch of launches) {
      const plan = await this.#plan(launch.planName, launch.planVersion);
      if (plan !== undefined) entries.push({ launch, plan });
    }
    const at = new Date(this.#o.now()).toISOString();
    const byEnvironment = new Map<string, LaunchWithPlan[]>([[DEFAULT_ENVIRONMENT, []]]);
    for (const name of this.#documents.keys()) byEnvironment.set(name, []);
    for (const e of entries) {
      const list = byEnvironment.get(e.launch.environment);
      if (list === undefined) byEnvironment.set(e.launch.environment, [e]);
      else list.push(e);
    }
    let otherChanged = false;
    for (const [name, list] of byEnvironment) {
      const built = buildConfigDocument(list, at);
      const before = this.#documents.get(name);
      // Unchanged documents keep their generatedAt: the same version is the same document.
      if (before?.version !== built.version) {
        this.#documents.set(name, built);
        if (name !== DEFAULT_ENVIRONMENT && before !== undefined) otherChanged = true;
      }
    }
    const doc = this.#documents.get(DEFAULT_ENVIRONMENT) ?? buildConfigDocument([], at);

    const changedLaunches = launches.filter((l) => this.#seqs.get(l.id) !== l.seq);
    const first = this.#document === undefined;
    this.#seqs = new Map(launches.map((l) => [l.id, l.seq]));
    this.#launches = launches;
    const previous = this.#document;
    if (previous === undefined || previous.version !== doc.version) this.#document = doc;
    const current = this.#document ?? doc;

    if (!first && changedLaunches.length > 0) {
      for (const listener of this.#launchListeners) safely(() => listener(changedLaunches));
    }
    if (!first && (previous?.version !== current.version || otherChanged)) {
      for (const listener of this.#configListeners) safely(() => listener(current));
    }
    return current;
  }

  async #plan(name: string, version: number): Promise<Plan | undefined> {
    const key = `${name}@${version}`;
    const cached = this.#plans.get(key);
    if (cached !== undefined) return cached;
    const stored = await this.#o.store.getPlanVersion(name, version);
    if (stored === undefined) {
      this.#o.logger.error({ plan: key }, 'launch refers to a missing plan version');
      return undefined;
    }
    this.#plans.set(key, stored.plan);
    return stored.plan;
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A subscriber's failure (a closed stream) must not stop the others.
  }
}
